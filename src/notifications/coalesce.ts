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
  const deliveries = await tx.delivery.findMany({
    where: { notificationId: { in: [...byId.keys()] }, createdAt: { gte: windowStart } },
    select: { notificationId: true, channel: true },
  });
  for (const d of deliveries) byId.get(d.notificationId)?.recentChannels.add(d.channel);
  return found;
}

/**
 * Emails each user got (or will get) in the last hour: every EMAIL delivery sent on its
 * own — not the ones SKIPPED, nor those held for a digest (the digest is one email).
 * Callers hold the users' email-limit locks.
 */
export async function emailsInLastHour(tx: Prisma.TransactionClient, userIds: string[], now: Date): Promise<Map<string, number>> {
  if (userIds.length === 0) return new Map();
  const groups = await tx.delivery.groupBy({
    by: ["userId"],
    where: { userId: { in: userIds }, channel: "EMAIL", status: { not: "SKIPPED" }, digestId: null, createdAt: { gte: new Date(now.getTime() - 3600_000) } },
    _count: { _all: true },
  });
  return new Map(groups.map((g) => [g.userId, g._count._all]));
}
