import { builder } from "../schema/builder.js";
import { viewerOf, type Context } from "../schema/context.js";
import { NotificationTypeEnum } from "../schema/enums.js";
import { notificationFeed } from "./feed.js";
import { loadNotificationFrame } from "./frame-loader.js";
import { archiveNotification, countUnread, markAllNotificationsRead, markNotificationRead, type Inbox } from "./inbox.js";
import { NotificationRef } from "./types.js";
import { assertIdCursors } from "../schema/cursors.js";

/**
 * The caller's own notifications. Super admins receive escalations of every
 * organization (the row carries the alert's organization so its links resolve), so
 * their inbox is read across organizations — still only their own rows.
 */
function inboxOf(ctx: Context): Inbox {
  const viewer = viewerOf(ctx);
  return { db: viewer.role === "SUPER_ADMIN" ? ctx.runtime.prisma : ctx.db, userId: viewer.userId };
}

builder.queryField("unreadNotificationCount", (t) =>
  t.int({
    authScopes: { loggedIn: true },
    resolve: (_root, _args, ctx) => {
      const inbox = inboxOf(ctx);
      return countUnread(inbox.db, inbox.userId);
    },
  }),
);

builder.queryField("notifications", (t) =>
  t.prismaConnection(
    {
      type: NotificationRef,
      cursor: "id",
      description: "The caller's notifications, newest first; archived ones are left out.",
      authScopes: { loggedIn: true },
      args: {
        unreadOnly: t.arg.boolean({ required: false }),
        type: t.arg({ type: NotificationTypeEnum, required: false }),
      },
      resolve: (query, _root, args, ctx) => {
        assertIdCursors(args);
        const inbox = inboxOf(ctx);
        return inbox.db.notification.findMany({
          ...query,
          where: {
            userId: inbox.userId,
            archivedAt: null,
            ...(args.unreadOnly ? { readAt: null } : {}),
            ...(args.type ? { type: args.type } : {}),
          },
          orderBy: { seq: "desc" },
        });
      },
    },
    { name: "NotificationConnection" },
    { name: "NotificationEdge" },
  ),
);

builder.mutationField("markNotificationRead", (t) =>
  t.prismaField({
    type: NotificationRef,
    description: "Idempotent: reading a read notification keeps its first readAt.",
    authScopes: { loggedIn: true },
    args: { id: t.arg.globalID({ for: NotificationRef, required: true }) },
    resolve: async (query, _root, { id }, ctx) => {
      const inbox = inboxOf(ctx);
      const marked = await markNotificationRead(ctx.runtime, inbox, id.id);
      return inbox.db.notification.findUniqueOrThrow({ ...query, where: { id: marked } });
    },
  }),
);

builder.mutationField("markAllNotificationsRead", (t) =>
  t.int({
    description: "Marks every unread notification of the caller read; returns how many this call marked (0 when none were unread).",
    authScopes: { loggedIn: true },
    resolve: (_root, _args, ctx) => markAllNotificationsRead(ctx.runtime, inboxOf(ctx)),
  }),
);

builder.mutationField("archiveNotification", (t) =>
  t.prismaField({
    type: NotificationRef,
    description: "Hides the notification from `notifications` and the unread count. Idempotent.",
    authScopes: { loggedIn: true },
    args: { id: t.arg.globalID({ for: NotificationRef, required: true }) },
    resolve: async (query, _root, { id }, ctx) => {
      const inbox = inboxOf(ctx);
      const archived = await archiveNotification(ctx.runtime, inbox, id.id);
      return inbox.db.notification.findUniqueOrThrow({ ...query, where: { id: archived } });
    },
  }),
);

builder.subscriptionField("notificationAdded", (t) =>
  t.prismaField({
    type: NotificationRef,
    description:
      "The caller's notifications. With `after` (a notification id), first replays every later one in order, then goes live. " +
      "A coalesced notification is sent again (same id, higher count) when it changes: upsert by id.",
    authScopes: { loggedIn: true },
    args: { after: t.arg.globalID({ for: NotificationRef, required: false }) },
    subscribe: (_root, args, ctx) => notificationFeed(ctx.runtime, inboxOf(ctx), args.after?.id),
    // Batched across subscribers (an alert to every admin wakes them all at once).
    resolve: (query, item: { id: string }, _args, ctx) => loadNotificationFrame(ctx.runtime.prisma, item.id, viewerOf(ctx).userId, query),
  }),
);

builder.subscriptionField("unreadNotificationCountChanged", (t) =>
  t.int({
    description: "The caller's unread count: the current value first, then every change.",
    authScopes: { loggedIn: true },
    subscribe: async function* (_root, _args, ctx) {
      const inbox = inboxOf(ctx);
      // Subscribe before reading, so a change between the two is not missed.
      const changes = await ctx.runtime.pubsub.subscribe("unreadNotificationCountChanged", inbox.userId);
      try {
        yield await countUnread(inbox.db, inbox.userId);
        for await (const change of changes) yield change.count;
      } finally {
        await changes.return?.();
      }
    },
    resolve: (count: number) => count,
  }),
);
