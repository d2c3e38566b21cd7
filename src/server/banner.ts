import { resolve } from "node:path";
import type { Config } from "../config/index.js";
import type { ProcessRole } from "./app.js";

export interface BannerFacts {
  role: ProcessRole;
  url: string;
  /** True when this process runs on the embedded PostgreSQL under AVISO_HOME. */
  embeddedDatabase: boolean;
}

/** Where a URL points, without its credentials. */
function where(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.host}${parsed.pathname === "/" ? "" : parsed.pathname}`;
  } catch {
    return "(configured)";
  }
}

/**
 * What this process has switched on, one line each, so a look at the terminal (or the
 * log) answers "where do emails go?" and "is GraphiQL on?" without reading the code.
 */
export function describeSetup(config: Config, facts: BannerFacts): string[] {
  const outbox = resolve(config.AVISO_HOME, "outbox");
  const api = facts.role !== "worker";
  const worker = facts.role !== "serve";
  const lines = [`Aviso is ready (${facts.role}, ${config.NODE_ENV}) on ${facts.url}`];
  if (api) lines.push(`  GraphiQL   ${config.GRAPHIQL_ENABLED ? `${facts.url}/graphql` : "off (GRAPHIQL_ENABLED)"}`);
  lines.push(`  database   ${facts.embeddedDatabase ? `embedded PostgreSQL under ${resolve(config.AVISO_HOME, "pg")}` : where(config.DATABASE_URL!)}`);
  lines.push(`  realtime   ${config.REDIS_URL ? `Redis at ${where(config.REDIS_URL)}` : "in-process (one instance; set REDIS_URL to run several)"}`);
  if (worker) {
    const email = !config.EMAIL_ENABLED
      ? "off (EMAIL_ENABLED=false)"
      : config.SMTP_HOST
        ? `SMTP ${config.SMTP_HOST}:${config.SMTP_PORT}`
        : `outbox ${outbox} (set SMTP_HOST to send)`;
    lines.push(`  email      ${email}`);
    lines.push(`  WhatsApp   ${config.WHATSAPP_TO_OUTBOX ? `outbox ${outbox} (set WHATSAPP_API_URL to send)` : `Graph API ${where(config.WHATSAPP_API_URL)}`}`);
    lines.push(`  Slack      each organization's webhook (updateOrganizationSettings)`);
    lines.push(`  new-message notifications ${config.NOTIFY_NEW_MESSAGE_ENABLED ? "on" : "off (NOTIFY_NEW_MESSAGE_ENABLED)"}`);
  }
  if (api) {
    const secret = config.META_APP_SECRET
      ? "META_APP_SECRET set"
      : config.NODE_ENV === "production"
        ? "META_APP_SECRET unset: every Meta webhook is refused"
        : `development secret in ${resolve(config.AVISO_HOME, "meta-app-secret")}`;
    lines.push(`  webhooks   ${facts.url}/webhooks/meta, ${secret}`);
  }
  return lines;
}
