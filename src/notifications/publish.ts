import type { Notification } from "../db/client.js";
import type { Runtime } from "../runtime.js";
import { snapshotOf } from "./frame.js";
import { unreadCounts } from "./unread-counts.js";

export interface PublishedNotification {
  userId: string;
  notificationId: string;
  seq: bigint;
  updatedAt: Date;
  /** The row as this commit wrote it: the frame shows it without reading it again. */
  row: Notification;
}

/**
 * After commit: tells each recipient's own topic about its notification first (the
 * frames agents wait for), then their new unread counts (one read of their counters for
 * all) — a large fan-out as one bus message each (`publishMany`).
 */
export async function publishNotifications(runtime: Runtime, notifications: PublishedNotification[]): Promise<void> {
  if (notifications.length === 0) return;
  await runtime.pubsub.publishMany(
    "notificationAdded",
    notifications.map((n) => ({
      key: n.userId,
      payload: { notificationId: n.notificationId, seq: n.seq.toString(), count: n.row.count, notification: snapshotOf(n.row) },
    })),
  );
  const userIds = [...new Set(notifications.map((n) => n.userId))];
  const countOf = await unreadCounts(runtime.prisma, userIds);
  await runtime.pubsub.publishMany(
    "unreadNotificationCountChanged",
    userIds.map((userId) => ({ key: userId, payload: { count: countOf.get(userId) ?? 0 } })),
  );
}
