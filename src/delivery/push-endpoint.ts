import type { Config } from "../config/index.js";
import { checkTargetUrl, targetPolicy } from "./safe-target.js";

/**
 * Where a push endpoint may point. A browser hands us its push service's URL, so the
 * URL is user-controlled and every request Aviso makes to it passes through here — at
 * registration and again before each send — and through the shared SSRF guard
 * (safe-target.ts): https only, a host among WEB_PUSH_HOSTS (the browsers' push
 * services), no literal private address; with UNSAFE_ALLOW_LOCAL_TARGETS (development
 * and tests) loopback too. web-push only speaks https, so an http endpoint never works.
 *
 * Returns why the endpoint is refused, or null when it may be used.
 */
export async function pushEndpointRefusal(
  endpoint: string,
  config: Pick<Config, "NODE_ENV" | "UNSAFE_ALLOW_LOCAL_TARGETS" | "WEB_PUSH_HOSTS">,
): Promise<string | null> {
  const refused = checkTargetUrl(endpoint, targetPolicy(config, config.WEB_PUSH_HOSTS));
  if (refused) return refused;
  return new URL(endpoint).protocol === "https:" ? null : "must be an https URL";
}
