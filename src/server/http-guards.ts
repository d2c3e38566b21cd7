import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * The largest GraphQL request body over HTTP, and therefore the largest WebSocket frame:
 * the same operation may not be bigger on one transport than on the other. 1 MiB holds
 * any operation the token limit (GRAPHQL_MAX_TOKENS) lets through, with its variables.
 */
export const GRAPHQL_MAX_BODY_BYTES = 1024 * 1024;

/** Headers every response carries, whatever route or error produced it. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
  "cross-origin-opener-policy": "same-origin",
  "x-dns-prefetch-control": "off",
  "permissions-policy": "camera=(), microphone=(), geolocation=()",
};

export function setSecurityHeaders(res: ServerResponse, production: boolean): void {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
  // Behind TLS in production; over plain http (development) the header would be ignored anyway.
  if (production) res.setHeader("strict-transport-security", "max-age=31536000; includeSubDomains");
}

/**
 * Whether a browser origin may talk to us: no Origin (not a browser, or same-origin
 * GET), the request's own host (same origin), or one of CORS_ORIGINS.
 */
export function originAllowed(req: IncomingMessage, allowed: readonly string[]): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  if (allowed.includes(origin)) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

/** Constant-time string comparison (hashing first makes the lengths equal). */
export function safeEqual(given: string, expected: string): boolean {
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}

/** `Authorization: Bearer <token>` matches, compared in constant time. */
export function bearerMatches(req: IncomingMessage, token: string): boolean {
  const header = req.headers.authorization;
  return typeof header === "string" && header.startsWith("Bearer ") && safeEqual(header.slice(7), token);
}
