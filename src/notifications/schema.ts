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
    description:
      "How many of the caller's notifications are unread and not archived (the badge). Follow it live with `unreadNotificationCountChanged`. " +
      "Any signed-in user. Errors: UNAUTHENTICATED.",
    authScopes: { loggedIn: true },
    resolve: (_root, _args, ctx) => {
      const inbox = inboxOf(ctx);
      return countUnread(inbox.db, inbox.userId);
    },
  }),
);

builder.queryField("notifications", (t) =>
  t.prismaConnection({
    type: NotificationRef,
    cursor: "id",
    description:
      "The caller's own notifications (the inbox), newest first; archived ones are left out. Any signed-in user; super admins also see escalations of other organizations. " +
      "Errors: UNAUTHENTICATED; BAD_USER_INPUT (a malformed cursor, a negative page size).",
    authScopes: { loggedIn: true },
    args: {
      unreadOnly: t.arg.boolean({ required: false, description: "true: only unread ones. false or omitted: read and unread." }),
      type: t.arg({ type: NotificationTypeEnum, required: false, description: "Only notifications of this type; all types when omitted." }),
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
  }, { name: "NotificationConnection", description: "A page of the caller's notifications." }, { name: "NotificationEdge", description: "One notification of a page, with its cursor." }),
);

builder.mutationField("markNotificationRead", (t) =>
  t.prismaField({
    type: NotificationRef,
    description:
      "Marks one of the caller's notifications read and publishes the new unread count. Idempotent: reading a read notification keeps its first `readAt`. " +
      "Any signed-in user, for their own notifications. Errors: UNAUTHENTICATED; NOT_FOUND (not one of the caller's notifications); BAD_USER_INPUT (not a Notification id).",
    authScopes: { loggedIn: true },
    args: { id: t.arg.globalID({ for: NotificationRef, required: true, description: "The notification to mark read." }) },
    resolve: async (query, _root, { id }, ctx) => {
      const inbox = inboxOf(ctx);
      const marked = await markNotificationRead(ctx.runtime, inbox, id.id);
      return inbox.db.notification.findUniqueOrThrow({ ...query, where: { id: marked } });
    },
  }),
);

builder.mutationField("markAllNotificationsRead", (t) =>
  t.int({
    description:
      "Marks every unread notification of the caller read; returns how many this call marked (0 when none were unread). " +
      "Any signed-in user. Errors: UNAUTHENTICATED.",
    authScopes: { loggedIn: true },
    resolve: (_root, _args, ctx) => markAllNotificationsRead(ctx.runtime, inboxOf(ctx)),
  }),
);

builder.mutationField("archiveNotification", (t) =>
  t.prismaField({
    type: NotificationRef,
    description:
      "Hides one of the caller's notifications from `notifications` and the unread count. Idempotent. " +
      "Any signed-in user, for their own notifications. Errors: UNAUTHENTICATED; NOT_FOUND (not one of the caller's notifications); BAD_USER_INPUT (not a Notification id).",
    authScopes: { loggedIn: true },
    args: { id: t.arg.globalID({ for: NotificationRef, required: true, description: "The notification to archive." }) },
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
      "A coalesced notification is sent again (same id, higher count) when it changes: upsert by id. " +
      "Any signed-in user, for their own notifications. Errors, before the first event: NOT_FOUND (`after` is not one of the caller's notifications); BAD_USER_INPUT (not a Notification id).",
    authScopes: { loggedIn: true },
    args: {
      after: t.arg.globalID({
        for: NotificationRef,
        required: false,
        description: "The id of the last notification the client has; omit it to receive only new ones. Reconnecting clients pass it to miss nothing.",
      }),
    },
    subscribe: (_root, args, ctx) => notificationFeed(ctx.runtime, inboxOf(ctx), args.after?.id),
    // Batched across subscribers (an alert to every admin wakes them all at once).
    resolve: (query, item: { id: string }, _args, ctx) => loadNotificationFrame(ctx.runtime.prisma, item.id, viewerOf(ctx).userId, query),
  }),
);

builder.subscriptionField("unreadNotificationCountChanged", (t) =>
  t.int({
    description: "The caller's unread count (as `unreadNotificationCount`): the current value first, then every change. Any signed-in user. Errors: UNAUTHENTICATED (the socket is closed at connect).",
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
