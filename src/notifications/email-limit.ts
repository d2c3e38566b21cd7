import type { Prisma } from "../db/client.js";
import type { HeldRow } from "../digests/hold.js";
import { emailLimitKey, lockKeys } from "./locks.js";

/**
 * Applies the organization's hourly email limit to an event's planned deliveries, under
 * each emailed user's lock (taken here, held until the caller's transaction ends): a user
 * who already got `limit` emails in the last hour has this one held for their next
 * digest (SCHEDULED, `overLimit`, with the reason); the others count one more. Rows
 * decided already (a fan-out planned before this was decided in its second phase) pass
 * through as they are.
 */
export async function applyEmailLimit(tx: Prisma.TransactionClient, rows: HeldRow[], limit: number, now: Date): Promise<HeldRow[]> {
  const undecided = (row: HeldRow) => row.channel === "EMAIL" && row.status !== "SKIPPED" && row.overLimit === undefined;
  const userIds = [...new Set(rows.filter(undecided).map((r) => r.userId))];
  if (userIds.length === 0) return rows;
  await lockKeys(tx, userIds.map(emailLimitKey));
  const sent = await emailsInLastHour(tx, userIds, now);
  return rows.map((row) => {
    if (!undecided(row)) return row;
    const already = sent.get(row.userId) ?? 0;
    // Not dropped: it waits for the user's next digest email (src/digests/).
    if (already >= limit)
      return {
        ...row,
        status: "SCHEDULED",
        lastError: `over the email limit: ${already} emails in the last hour (limit ${limit} per user), held for the next digest`,
        overLimit: true,
      };
    sent.set(row.userId, already + 1);
    return { ...row, overLimit: false };
  });
}

/**
 * Emails each user got (or will get) in the last hour: every EMAIL delivery sent on its
 * own — not the ones SKIPPED, nor those held for a digest (the digest is one email) —
 * and those a pending fan-out decided but has not written yet (rows recorded before
 * fan-outs decided the limit in their second phase: src/notifications/fan-out.ts). One
 * statement, so one snapshot: a fan-out's second phase moves its emails from the one
 * table to the other atomically, and each is counted once. Callers hold the users'
 * email-limit locks.
 */
async function emailsInLastHour(tx: Prisma.TransactionClient, userIds: string[], now: Date): Promise<Map<string, number>> {
  const since = new Date(now.getTime() - 3600_000).toISOString();
  const rows = await tx.$queryRaw<Array<{ userId: string; sent: number }>>`
    SELECT e."userId"::text AS "userId", count(*)::int AS sent
    FROM (
      SELECT d."userId" FROM "Delivery" d
      WHERE d."userId" = ANY(${userIds}::uuid[]) AND d.channel = 'EMAIL' AND d.status <> 'SKIPPED' AND d."digestId" IS NULL
        AND d."createdAt" >= ${since}::timestamptz AT TIME ZONE 'UTC'
      UNION ALL
      SELECT u FROM "PendingFanOut" p CROSS JOIN LATERAL unnest(p."emailUserIds") AS u
      WHERE p."plannedAt" >= ${since}::timestamptz AT TIME ZONE 'UTC' AND u = ANY(${userIds}::uuid[])
    ) AS e("userId")
    GROUP BY e."userId"`;
  return new Map(rows.map((r) => [r.userId, r.sent]));
}
