import type { NotificationChannel, NotificationType, Prisma } from "../db/client.js";

export interface CoalescableNotification {
  id: string;
  userId: string;
  seq: bigint;
  count: number;
  /** External channels that already got a delivery within the window. */
  recentChannels: Set<NotificationChannel>;
}

/** What folds together: new messages of one conversation, or triggered notifications of one type and dedupe key. */
export type CoalesceMatch = { conversationId: string } | { type: NotificationType; dedupeKey: string };

/** The lock key (src/notifications/locks.ts) of a match, per user. */
export const coalesceSubject = (match: CoalesceMatch) => ("conversationId" in match ? match.conversationId : `dedupe:${match.type}:${match.dedupeKey}`);

/**
 * For each user, the notification a new event folds into: for a conversation's new
 * message, the latest NEW_MESSAGE of it; for a triggered event, the latest of its type
 * with its dedupe key — still unread and unarchived, last touched within the window (a
 * steady burst keeps folding in). Callers hold the coalesce locks.
 */
export async function findCoalescable(
  tx: Prisma.TransactionClient,
  userIds: string[],
  match: CoalesceMatch,
  windowStart: Date,
): Promise<Map<string, CoalescableNotification>> {
  const found = new Map<string, CoalescableNotification>();
  if (userIds.length === 0) return found;
  const matching: Prisma.NotificationWhereInput =
    "conversationId" in match
      ? { conversationId: match.conversationId, type: "NEW_MESSAGE" }
      : { type: match.type, data: { path: ["dedupeKey"], equals: match.dedupeKey } };
  const rows = await tx.notification.findMany({
    where: { userId: { in: userIds }, ...matching, readAt: null, archivedAt: null, updatedAt: { gte: windowStart } },
    orderBy: { seq: "desc" },
    select: { id: true, userId: true, seq: true, count: true },
  });
  for (const row of rows) if (!found.has(row.userId)) found.set(row.userId, { ...row, recentChannels: new Set() });
  if (found.size === 0) return found;
  const byId = new Map([...found.values()].map((n) => [n.id, n]));
  for (const d of await recentDeliveries(tx, [...byId.keys()], windowStart)) byId.get(d.notificationId)?.recentChannels.add(d.channel);
  return found;
}

/**
 * The channels these notifications got a delivery on since `windowStart`: written ones,
 * and those a pending fan-out planned but has not written yet (src/notifications/fan-out.ts)
 * — in one statement, so one snapshot sees each exactly once.
 */
async function recentDeliveries(
  tx: Prisma.TransactionClient,
  notificationIds: string[],
  windowStart: Date,
): Promise<Array<{ notificationId: string; channel: NotificationChannel }>> {
  const since = windowStart.toISOString();
  return tx.$queryRaw`
    SELECT d."notificationId"::text AS "notificationId", d.channel::text AS channel
    FROM "Delivery" d
    WHERE d."notificationId" = ANY(${notificationIds}::uuid[]) AND d."createdAt" >= ${since}::timestamptz AT TIME ZONE 'UTC'
    UNION ALL
    SELECT r->>'notificationId', r->>'channel'
    FROM "PendingFanOut" p CROSS JOIN LATERAL json_array_elements(p.deliveries->'rows') AS r
    WHERE p."plannedAt" >= ${since}::timestamptz AT TIME ZONE 'UTC' AND r->>'notificationId' = ANY(${notificationIds}::text[])`;
}
