import type { Prisma } from "../db/client.js";

/**
 * Transaction-scoped advisory locks on text keys, taken in one statement and in
 * hash order, so two engines locking overlapping sets never deadlock. They are
 * released when the (caller's) transaction ends.
 */
export async function lockKeys(tx: Prisma.TransactionClient, keys: string[]): Promise<void> {
  if (keys.length === 0) return;
  await tx.$queryRaw`
    SELECT count(pg_advisory_xact_lock(s.k))::int AS locked
    FROM (SELECT DISTINCT hashtextextended(x, 0) AS k FROM unnest(${[...new Set(keys)]}::text[]) AS x ORDER BY 1) AS s`;
}

/** Serializes NEW_MESSAGE coalescing for one (user, conversation). */
export const coalesceKey = (userId: string, conversationId: string) => `aviso:coalesce:${userId}:${conversationId}`;

/** Serializes the hourly email count of one user. */
export const emailLimitKey = (userId: string) => `aviso:email-limit:${userId}`;
