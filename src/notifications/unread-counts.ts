import { poolOf, type PrismaClient } from "../db/client.js";

// Each user's unread, unarchived notifications are counted by statement-level triggers on
// Notification (migrations notification_counters, unread_counter_deltas): every insert,
// read, archive, delete and cascade appends its change to NotificationCounterDelta in the
// writing transaction, and workers fold those into NotificationCounter every second
// (src/notifications/unread-compaction.ts). A count is the counter plus the user's few
// deltas, read in one statement — one snapshot, so exact at every commit — however many
// notifications there are. The badge is read on every page load: straight through the
// pool, without Prisma's query layer (which cost several times the query itself).

/**
 * One user's unread count (0 before their first notification). Read by the user's own id
 * within their organization: the row is theirs, whatever organization their
 * notifications came from (a super admin's escalations).
 */
export async function unreadCountOf(prisma: PrismaClient, user: { userId: string; organizationId: string }): Promise<number> {
  const { rows } = await poolOf(prisma).query<{ unread: number }>({
    name: "aviso_unread_count",
    text: `SELECT (COALESCE((SELECT "unread" FROM "NotificationCounter" WHERE "userId" = $1::uuid AND "organizationId" = $2::uuid), 0)
                 + COALESCE((SELECT sum(delta) FROM "NotificationCounterDelta" WHERE "userId" = $1::uuid AND "organizationId" = $2::uuid), 0))::int AS unread`,
    values: [user.userId, user.organizationId],
  });
  return rows[0]!.unread;
}

/** The unread counts of these users (0 for a user without a counter row yet), in one read. */
export async function unreadCounts(prisma: PrismaClient, userIds: readonly string[]): Promise<Map<string, number>> {
  const counts = new Map(userIds.map((id) => [id, 0]));
  if (userIds.length === 0) return counts;
  const { rows } = await poolOf(prisma).query<{ userId: string; unread: number }>({
    name: "aviso_unread_counts",
    text: `SELECT u.id::text AS "userId",
                  (COALESCE(c."unread", 0) + COALESCE((SELECT sum(d.delta) FROM "NotificationCounterDelta" d WHERE d."userId" = u.id), 0))::int AS "unread"
           FROM unnest($1::uuid[]) AS u(id) LEFT JOIN "NotificationCounter" c ON c."userId" = u.id`,
    values: [userIds],
  });
  for (const row of rows) counts.set(row.userId, row.unread);
  return counts;
}
