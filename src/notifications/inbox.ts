import { Role, type NotificationType, type Prisma, type PrismaClient } from "../db/client.js";
import { inUnitOfWork } from "../db/unit-of-work.js";
import { notFound } from "../errors.js";
import type { ServiceContext } from "../service-context.js";
import { isPlainPage, readInboxPage } from "./inbox-page.js";
import { unreadCountOf } from "./unread-counts.js";

/**
 * The caller's inbox: the client to read it with and the user it belongs to. Every
 * function filters by that user: someone else's notification is NOT_FOUND, whatever
 * organization it is in. All writes are idempotent and publish
 * `unreadNotificationCountChanged` after commit when they changed something.
 */
export interface Inbox {
  db: PrismaClient;
  userId: string;
}

/**
 * The one place a caller's request crosses tenants: super admins receive escalations of
 * every organization (the row carries the alert's organization so its links resolve),
 * so their inbox is read with the unscoped client — still only their own rows, since
 * every inbox query filters by `userId`. Everyone else reads through the tenant filter.
 */
export function inboxOf({ db, runtime, actor }: ServiceContext): Inbox {
  return { db: actor.role === Role.SUPER_ADMIN ? runtime.prisma : db, userId: actor.userId };
}

/** The caller's unread, unarchived notifications: their counter (src/notifications/unread-counts.ts). */
export function countUnread({ runtime, actor }: ServiceContext): Promise<number> {
  return unreadCountOf(runtime, actor);
}

type Selection = { select?: Prisma.NotificationSelect; include?: Prisma.NotificationInclude };

/**
 * The caller's notifications, newest first, archived ones left out; `query` is the GraphQL
 * selection and paging. A page without relations is one SQL read (src/notifications/inbox-page.ts).
 */
export function listNotifications(
  ctx: ServiceContext,
  query: Selection & Pick<Prisma.NotificationFindManyArgs, "take" | "skip" | "cursor">,
  filter: { unreadOnly?: boolean | null; type?: NotificationType | null },
) {
  const inbox = inboxOf(ctx);
  if (isPlainPage(query)) {
    const organizationId = inbox.db === ctx.runtime.prisma ? null : ctx.actor.organizationId;
    return readInboxPage(ctx.runtime, { userId: inbox.userId, organizationId, ...filter }, query);
  }
  return inbox.db.notification.findMany({
    ...query,
    where: {
      userId: inbox.userId,
      archivedAt: null,
      ...(filter.unreadOnly ? { readAt: null } : {}),
      ...(filter.type ? { type: filter.type } : {}),
    },
    orderBy: { seq: "desc" },
  });
}

/** One of the caller's notifications with the GraphQL selection, after a write returned its id. */
export function ownNotificationRow(ctx: ServiceContext, query: Selection, id: string) {
  const inbox = inboxOf(ctx);
  return inbox.db.notification.findFirstOrThrow({ ...query, where: { id, userId: inbox.userId } });
}

async function ownNotification(inbox: Inbox, id: string) {
  const notification = await inbox.db.notification.findFirst({ where: { id, userId: inbox.userId }, select: { id: true, readAt: true, archivedAt: true } });
  if (!notification) throw notFound("Notification");
  return notification;
}

/**
 * One inbox write in a unit of work: `write` returns how many rows it changed and
 * whether that moved the unread count; if so, the new count is published after commit.
 */
async function inboxWrite(
  ctx: ServiceContext,
  inbox: Inbox,
  write: (tx: Prisma.TransactionClient) => Promise<{ count: number; unreadChanged: boolean }>,
): Promise<number> {
  return inUnitOfWork(inbox.db, ctx.runtime.log, async ({ tx, afterCommit }) => {
    const { count, unreadChanged } = await write(tx);
    if (unreadChanged) afterCommit(async () => ctx.runtime.pubsub.publish("unreadNotificationCountChanged", inbox.userId, { count: await countUnread(ctx) }));
    return count;
  });
}

/** Marks one notification read; reading it again keeps the first readAt. Returns its id. */
export async function markNotificationRead(ctx: ServiceContext, id: string): Promise<string> {
  const inbox = inboxOf(ctx);
  const notification = await ownNotification(inbox, id);
  if (notification.readAt) return notification.id;
  await inboxWrite(ctx, inbox, async (tx) => {
    const { count } = await tx.notification.updateMany({ where: { id, userId: inbox.userId, readAt: null }, data: { readAt: new Date() } });
    return { count, unreadChanged: count > 0 };
  });
  return notification.id;
}

/** Marks every unread (unarchived) notification of the caller read; returns how many this call marked (0 when none were left). */
export function markAllNotificationsRead(ctx: ServiceContext): Promise<number> {
  const inbox = inboxOf(ctx);
  return inboxWrite(ctx, inbox, async (tx) => {
    const { count } = await tx.notification.updateMany({ where: { userId: inbox.userId, readAt: null, archivedAt: null }, data: { readAt: new Date() } });
    return { count, unreadChanged: count > 0 };
  });
}

/** Hides a notification from the inbox (and from the unread count); archiving it again changes nothing. Returns its id. */
export async function archiveNotification(ctx: ServiceContext, id: string): Promise<string> {
  const inbox = inboxOf(ctx);
  const notification = await ownNotification(inbox, id);
  if (notification.archivedAt) return notification.id;
  await inboxWrite(ctx, inbox, async (tx) => {
    const { count } = await tx.notification.updateMany({ where: { id, userId: inbox.userId, archivedAt: null }, data: { archivedAt: new Date() } });
    return { count, unreadChanged: count > 0 && !notification.readAt };
  });
  return notification.id;
}

/** The caller's unread count: the current value first, then every change. */
export async function* unreadCountFeed(ctx: ServiceContext): AsyncGenerator<number> {
  const inbox = inboxOf(ctx);
  // Subscribe before reading, so a change between the two is not missed.
  const changes = await ctx.runtime.pubsub.subscribe("unreadNotificationCountChanged", inbox.userId);
  try {
    yield await countUnread(ctx);
    for await (const change of changes) yield change.count;
  } finally {
    await changes.return?.();
  }
}
