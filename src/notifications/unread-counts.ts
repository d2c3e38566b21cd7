import { poolOf, type PrismaClient } from "../db/client.js";

// Each user's unread, unarchived notifications are counted in NotificationCounter, kept
// exact by statement-level triggers on Notification (migration notification_counters):
// every insert, read, archive, delete and cascade adjusts it in the writing transaction,
// so a count is one primary-key read however many notifications there are. The badge
// is read on every page load: straight through the pool, without Prisma's query layer
// (which cost several times the query itself).

/**
 * One user's unread count (0 before their first notification). Read by the user's own id
 * within their organization: the row is theirs, whatever organization their
 * notifications came from (a super admin's escalations).
 */
export async function unreadCountOf(prisma: PrismaClient, user: { userId: string; organizationId: string }): Promise<number> {
  const { rows } = await poolOf(prisma).query<{ unread: number }>({
    name: "aviso_unread_count",
    text: `SELECT "unread" FROM "NotificationCounter" WHERE "userId" = $1::uuid AND "organizationId" = $2::uuid`,
    values: [user.userId, user.organizationId],
  });
  return rows[0]?.unread ?? 0;
}

/** The unread counts of these users (0 for a user without a counter row yet), in one read. */
export async function unreadCounts(prisma: PrismaClient, userIds: readonly string[]): Promise<Map<string, number>> {
  const counts = new Map(userIds.map((id) => [id, 0]));
  if (userIds.length === 0) return counts;
  const { rows } = await poolOf(prisma).query<{ userId: string; unread: number }>({
    name: "aviso_unread_counts",
    text: `SELECT "userId"::text AS "userId", "unread" FROM "NotificationCounter" WHERE "userId" = ANY($1::uuid[])`,
    values: [userIds],
  });
  for (const row of rows) counts.set(row.userId, row.unread);
  return counts;
}
