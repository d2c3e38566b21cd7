import { createHash, randomBytes } from "node:crypto";
import type { PrismaClient } from "../db/client.js";
import type { ApiKeyActor } from "./actor.js";
import { AuthError } from "./jwt.js";

/** Every secret starts with this, so a key is told from a JWT (and found by secret scanners). */
export const API_KEY_PREFIX = "aviso_";

// How much of a secret is kept in clear to recognise the key in a list: the prefix and
// 8 of its 43 random characters (48 bits), far from enough to guess the rest (208 bits).
const SHOWN_LENGTH = API_KEY_PREFIX.length + 8;

// lastUsedAt is written at most this often per key: a busy integrator costs one UPDATE a minute, not one per call.
const LAST_USED_RESOLUTION_MS = 60_000;

export interface NewApiKeySecret {
  /** Shown once to the admin who created the key; never stored. */
  secret: string;
  prefix: string;
  secretHash: string;
}

/** A fresh secret: `aviso_` + 32 random bytes (base64url), with what is stored of it. */
export function newApiKeySecret(): NewApiKeySecret {
  const secret = `${API_KEY_PREFIX}${randomBytes(32).toString("base64url")}`;
  return { secret, prefix: secret.slice(0, SHOWN_LENGTH), secretHash: hashApiKeySecret(secret) };
}

/**
 * SHA-256 of the secret. A fast hash suffices: the secret is 256 random bits, not a
 * password, so nothing can be guessed from a leaked hash; lookup is by this hash.
 */
export function hashApiKeySecret(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

export const looksLikeApiKey = (token: string) => token.startsWith(API_KEY_PREFIX);

/**
 * The key behind a secret, read from the database on every request — no cache, so a
 * revocation (or a suspension of its organization) takes effect at once on every
 * instance. A revoked or unknown key, or one of a suspended organization, is refused.
 */
export async function authenticateApiKey(prisma: PrismaClient, secret: string): Promise<ApiKeyActor> {
  const key = await prisma.apiKey.findUnique({
    where: { secretHash: hashApiKeySecret(secret) },
    select: { id: true, organizationId: true, scopes: true, revokedAt: true, lastUsedAt: true, organization: { select: { suspendedAt: true } } },
  });
  if (!key || key.revokedAt) throw new AuthError("unknown or revoked API key");
  if (key.organization.suspendedAt) throw new AuthError("organization suspended");
  const now = Date.now();
  if (!key.lastUsedAt || now - key.lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS) {
    await prisma.apiKey.updateMany({
      where: { id: key.id, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: new Date(now - LAST_USED_RESOLUTION_MS) } }] },
      data: { lastUsedAt: new Date(now) },
    });
  }
  return { kind: "apiKey", apiKeyId: key.id, organizationId: key.organizationId, scopes: key.scopes };
}
