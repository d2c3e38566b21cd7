import { localeStrings, type Locale } from "../../text/locale.js";
import { GraphApiError } from "./graph-api.js";

/**
 * Cloud API codes that mean "later": throughput (130429), pair rate (131056), Meta
 * temporarily failing (1, 2, 131000, 131016, 133004) and call-rate limits (4, 80007).
 * Together with 5xx, 429 and an unreachable API they retry with backoff.
 */
const TRANSIENT_CODES = new Set([1, 2, 4, 80007, 130429, 131000, 131016, 131056, 133004]);


export const TOKEN_EXPIRED = 190;

export function isTransient(error: GraphApiError): boolean {
  return error.status === 0 || error.status >= 500 || error.status === 429 || (error.code !== undefined && TRANSIENT_CODES.has(error.code));
}

/**
 * "131026 Message undeliverable (…): <Meta's details>" — Meta's own words are terse, so
 * the known codes say what an agent or admin should understand and do, in the
 * organization's locale (templates/locales/<locale>.json, "outbound.errors"). Bounded, never a token.
 */
export function readableReason(error: GraphApiError, locale: Locale = "en"): string {
  const words = localeStrings(locale).outbound.errors;
  const head = error.code !== undefined ? `${error.code} ${words[String(error.code)] ?? words.other}` : `HTTP ${error.status || "unreachable"}`;
  const detail = error.details ?? error.message;
  return (detail ? `${head}: ${detail}` : head).slice(0, 500);
}
