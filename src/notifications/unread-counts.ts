import { poolOf, type PrismaClient } from "../db/client.js";
import { createTurnBatcher } from "../db/turn-batch.js";
import { processState } from "../process-state.js";
import type { Runtime } from "../runtime.js";

// Each user's unread, unarchived notifications are counted by statement-level triggers on
// Notification (migrations notification_counters, unread_counter_deltas): every insert,
// read, archive, delete and cascade appends its change to NotificationCounterDelta in the
// writing transaction, and workers fold those into NotificationCounter every few seconds
// (src/notifications/unread-compaction.ts). A count is the counter plus the user's few
// deltas, read in one statement — one snapshot, so exact at every commit — however many
// notifications there are. The badge is read on every page load: straight through the
// pool, without Prisma's query layer (which cost several times the query itself).

/**
 * One user's unread count (0 before their first notification). Read by the user's own id
 * within their organization: the row is theirs, whatever organization their
 * notifications came from (a super admin's escalations). The badges asked for in one
 * event-loop turn are read together, in one statement: under load, one round trip to
 * PostgreSQL serves many requests (each answered only with its own user's count).
 */
export async function unreadCountOf(runtime: Pick<Runtime, "prisma" | "state">, user: { userId: string; organizationId: string }): Promise<number> {
  const read = runtime.state.get(badgeReads);
  const row = await read("badges", runtime.prisma, `${user.userId}/${user.organizationId}`);
  return row?.unread ?? 0;
}

const badgeReads = processState("unread-badges", () =>
  createTurnBatcher<PrismaClient, { id: string; unread: number }>(async (prisma, keys) => {
    const pairs = keys.map((key) => key.split("/") as [string, string]);
    const { rows } = await poolOf(prisma).query<{ id: string; unread: number }>({
      name: "aviso_unread_badges",
      text: `SELECT u.id::text || '/' || u.org::text AS id,
                    (COALESCE(c."unread", 0)
                     + COALESCE((SELECT sum(d.delta) FROM "NotificationCounterDelta" d WHERE d."userId" = u.id AND d."organizationId" = u.org), 0))::int AS unread
             FROM unnest($1::uuid[], $2::uuid[]) AS u(id, org)
             LEFT JOIN "NotificationCounter" c ON c."userId" = u.id AND c."organizationId" = u.org`,
      values: [pairs.map(([userId]) => userId), pairs.map(([, organizationId]) => organizationId)],
    });
    return rows;
  }),
);

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
