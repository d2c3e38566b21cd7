import type { PrismaClient } from "../db/client.js";

/** Unread, unarchived notifications of one user (served by the partial index Notification_unread_inbox). */
export function countUnread(db: PrismaClient, userId: string): Promise<number> {
  return db.notification.count({ where: { userId, readAt: null, archivedAt: null } });
}
