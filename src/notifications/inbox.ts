import { z } from "zod";
import type { Prisma, PrismaClient } from "../db/client.js";
import { inUnitOfWork } from "../db/unit-of-work.js";
import { notFound } from "../errors.js";
import type { Runtime } from "../runtime.js";

/**
 * The caller's inbox. Every function takes the client the caller may use and the
 * caller's user id, and filters by that user: someone else's notification is
 * NOT_FOUND, whatever organization it is in. All writes are idempotent and publish
 * `unreadNotificationCountChanged` when they changed something.
 */
export interface Inbox {
  db: PrismaClient;
  userId: string;
}

/** Unread, unarchived notifications of one user (served by the partial index Notification_unread_inbox). */
export function countUnread(db: PrismaClient, userId: string): Promise<number> {
  return db.notification.count({ where: { userId, readAt: null, archivedAt: null } });
}

const uuid = z.string().uuid();

async function ownNotification(inbox: Inbox, id: string) {
  if (!uuid.safeParse(id).success) throw notFound("Notification");
  const notification = await inbox.db.notification.findFirst({ where: { id, userId: inbox.userId }, select: { id: true, readAt: true, archivedAt: true } });
  if (!notification) throw notFound("Notification");
  return notification;
}

/**
 * One inbox write in a unit of work: `write` returns how many rows it changed and
 * whether that moved the unread count; if so, the new count is published after commit.
 */
async function inboxWrite(runtime: Runtime, inbox: Inbox, write: (tx: Prisma.TransactionClient) => Promise<{ count: number; unreadChanged: boolean }>): Promise<number> {
  return inUnitOfWork(inbox.db, runtime.log, async ({ tx, afterCommit }) => {
    const { count, unreadChanged } = await write(tx);
    if (unreadChanged) {
      afterCommit(async () => runtime.pubsub.publish("unreadNotificationCountChanged", inbox.userId, { count: await countUnread(inbox.db, inbox.userId) }));
    }
    return count;
  });
}

/** Marks one notification read; reading it again keeps the first readAt. */
export async function markNotificationRead(runtime: Runtime, inbox: Inbox, id: string): Promise<string> {
  const notification = await ownNotification(inbox, id);
  if (notification.readAt) return notification.id;
  await inboxWrite(runtime, inbox, async (tx) => {
    const { count } = await tx.notification.updateMany({ where: { id, userId: inbox.userId, readAt: null }, data: { readAt: new Date() } });
    return { count, unreadChanged: count > 0 };
  });
  return notification.id;
}

/** Marks every unread (unarchived) notification of the caller read; returns how many this call marked (0 when none were left). */
export function markAllNotificationsRead(runtime: Runtime, inbox: Inbox): Promise<number> {
  return inboxWrite(runtime, inbox, async (tx) => {
    const { count } = await tx.notification.updateMany({ where: { userId: inbox.userId, readAt: null, archivedAt: null }, data: { readAt: new Date() } });
    return { count, unreadChanged: count > 0 };
  });
}

/** Hides a notification from the inbox (and from the unread count); archiving it again changes nothing. */
export async function archiveNotification(runtime: Runtime, inbox: Inbox, id: string): Promise<string> {
  const notification = await ownNotification(inbox, id);
  if (notification.archivedAt) return notification.id;
  await inboxWrite(runtime, inbox, async (tx) => {
    const { count } = await tx.notification.updateMany({ where: { id, userId: inbox.userId, archivedAt: null }, data: { archivedAt: new Date() } });
    return { count, unreadChanged: count > 0 && !notification.readAt };
  });
  return notification.id;
}
