import { GraphApiError } from "./graph-api.js";

/**
 * Cloud API codes that mean "later": throughput (130429), pair rate (131056), Meta
 * temporarily failing (1, 2, 131000, 131016, 133004) and call-rate limits (4, 80007).
 * Together with 5xx, 429 and an unreachable API they retry with backoff.
 */
const TRANSIENT_CODES = new Set([1, 2, 4, 80007, 130429, 131000, 131016, 131056, 133004]);

/** Meta's own words are terse: what an agent or admin should understand and do. */
const READABLE: Record<number, string> = {
  131026: "Message undeliverable (the number may not use WhatsApp or has not accepted its latest terms)",
  131047: "Re-engagement message: more than 24 hours since the customer last wrote; send a template",
  131051: "Unsupported message type",
  132000: "Template parameter count does not match the approved template",
  132001: "Template does not exist in this language or is not approved",
  190: "Access token expired or invalid: an admin must reconnect this WhatsApp number",
};

export const TOKEN_EXPIRED = 190;

export function isTransient(error: GraphApiError): boolean {
  return error.status === 0 || error.status >= 500 || error.status === 429 || (error.code !== undefined && TRANSIENT_CODES.has(error.code));
}

/** "131026 Message undeliverable (…): <Meta's details>" — bounded, never a token. */
export function readableReason(error: GraphApiError): string {
  const head = error.code !== undefined ? `${error.code} ${READABLE[error.code] ?? "Graph API error"}` : `HTTP ${error.status || "unreachable"}`;
  const detail = error.details ?? error.message;
  return (detail ? `${head}: ${detail}` : head).slice(0, 500);
}
