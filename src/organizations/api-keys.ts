import { z } from "zod";
import { newApiKeySecret } from "../auth/api-key.js";
import { recordAudit } from "../audit/record.js";
import { ApiKeyScope, type ApiKey } from "../db/client.js";
import { invalidInput, notFound } from "../errors.js";
import type { ServiceContext } from "../service-context.js";
import { parseInput } from "../validation.js";

const createApiKeySchema = z.object({
  name: z.string().trim().min(1, "must not be empty").max(100),
  scopes: z
    .array(z.nativeEnum(ApiKeyScope))
    .min(1, "give the key at least one scope")
    .max(Object.keys(ApiKeyScope).length)
    .transform((scopes) => [...new Set(scopes)]),
});

export type CreateApiKeyInput = z.input<typeof createApiKeySchema>;

/** An organization may hold this many unrevoked keys: a bound, and a nudge to revoke old ones. */
export const MAX_ACTIVE_KEYS = 50;

/**
 * Creates an integrator's key for the caller's organization. The secret is returned
 * here only; what is stored is its hash (src/auth/api-key.ts).
 */
export async function createApiKey({ db, actor }: ServiceContext, input: CreateApiKeyInput): Promise<{ apiKey: ApiKey; secret: string }> {
  const parsed = { data: parseInput(createApiKeySchema, input) };
  const { secret, prefix, secretHash } = newApiKeySecret();
  const apiKey = await db.$transaction(async (tx) => {
    if ((await tx.apiKey.count({ where: { revokedAt: null } })) >= MAX_ACTIVE_KEYS) throw invalidInput("name", `at most ${MAX_ACTIVE_KEYS} active keys; revoke one first`);
    const apiKey = await tx.apiKey.create({
      data: {
        organizationId: actor.organizationId,
        name: parsed.data.name,
        prefix,
        secretHash,
        scopes: parsed.data.scopes,
        createdById: actor.userId,
      },
    });
    await recordAudit(tx, { organizationId: actor.organizationId, actor, action: "apiKey.created", entityType: "ApiKey", entityId: apiKey.id, data: { name: apiKey.name, scopes: apiKey.scopes, prefix } });
    return apiKey;
  });
  return { apiKey, secret };
}

/**
 * Revokes a key: refused from the next request on, on every instance (keys are
 * checked against the database on every request). Idempotent.
 */
export async function revokeApiKey({ db, actor }: ServiceContext, apiKeyId: string): Promise<ApiKey> {
  if (!z.string().uuid().safeParse(apiKeyId).success) throw notFound("API key");
  return db.$transaction(async (tx) => {
    const key = await tx.apiKey.findUnique({ where: { id: apiKeyId } });
    if (!key) throw notFound("API key");
    if (key.revokedAt) return key;
    const revoked = await tx.apiKey.update({ where: { id: key.id }, data: { revokedAt: new Date() } });
    await recordAudit(tx, { organizationId: actor.organizationId, actor, action: "apiKey.revoked", entityType: "ApiKey", entityId: key.id, data: { name: key.name, prefix: key.prefix } });
    return revoked;
  });
}
