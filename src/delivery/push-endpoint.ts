import type { Config } from "../config/index.js";

/**
 * Where a push endpoint may point. A browser hands us its push service's URL, so the
 * URL is user-controlled and every request Aviso makes to it passes through here —
 * at registration and again before each send. The Push API only produces https URLs,
 * and web-push only speaks https; this is the single seam the shared SSRF guard
 * (private and loopback addresses, `UNSAFE_ALLOW_LOCAL_TARGETS`) plugs into.
 *
 * Returns why the endpoint is refused, or null when it may be used.
 */
export async function pushEndpointRefusal(endpoint: string, _config: Pick<Config, "NODE_ENV">): Promise<string | null> {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return "not a URL";
  }
  if (url.protocol !== "https:") return "must be an https URL";
  if (url.username || url.password) return "must not carry credentials";
  return null;
}
