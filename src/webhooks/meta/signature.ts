import { createHash, createHmac, timingSafeEqual } from "node:crypto";

/** The `X-Hub-Signature-256` value Meta sends for `body`: "sha256=" + hex HMAC-SHA256 with the app secret. */
export function signatureFor(body: Buffer | string, secret: string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

/**
 * True only when `header` is exactly the signature of these raw bytes. Compared in
 * constant time so the response time tells an attacker nothing about the secret.
 */
export function isSignedBy(body: Buffer, header: string | string[] | undefined, secret: string): boolean {
  if (typeof header !== "string" || !header.startsWith("sha256=")) return false;
  const expected = Buffer.from(signatureFor(body, secret));
  const given = Buffer.from(header.trim().toLowerCase());
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The verify token of Meta's handshake equals ours, compared in constant time (hashes make the lengths equal). */
export function isVerifyToken(given: string | null, expected: string): boolean {
  if (given === null) return false;
  return timingSafeEqual(createHash("sha256").update(given).digest(), createHash("sha256").update(expected).digest());
}
