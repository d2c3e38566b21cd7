import { developmentSecret } from "../../config/dev-secret.js";
import type { Config } from "../../config/index.js";

type SecretConfig = Pick<Config, "META_APP_SECRET" | "NODE_ENV" | "AVISO_HOME">;

/**
 * The secret Meta signs webhooks with. In production it must be set; in development
 * (as with the JWT secret) one is generated once under `.aviso/meta-app-secret`, so
 * `npm run simulate` and the server agree without configuration. Returns undefined
 * when there is none: the webhook then refuses every POST (never accepts unsigned).
 */
export function resolveMetaAppSecret(config: SecretConfig): string | undefined {
  if (config.META_APP_SECRET) return config.META_APP_SECRET;
  if (config.NODE_ENV === "production") return undefined;
  return developmentSecret(config.AVISO_HOME, "meta-app-secret");
}
