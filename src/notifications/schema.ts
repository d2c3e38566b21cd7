import { builder } from "../schema/builder.js";
import { serviceContextOf } from "../schema/context.js";
import { databaseId } from "../schema/global-id.js";
import { NotificationChannelEnum, NotificationTypeEnum } from "../schema/enums.js";
import { sendTestNotification } from "./test-notification.js";
import { notificationFeed } from "./feed.js";
import { loadNotificationFrame } from "./frame-loader.js";
import {
  archiveNotification,
  countUnread,
  inboxOf,
  listNotifications,
  markAllNotificationsRead,
  markNotificationRead,
  ownNotificationRow,
  unreadCountFeed,
} from "./inbox.js";
import { NotificationRef } from "./types.js";
import { assertIdCursors } from "../schema/cursors.js";

// The caller's own notifications, read through their inbox (src/notifications/inbox.ts).

builder.queryField("unreadNotificationCount", (t) =>
  t.int({
    authScopes: { loggedIn: true },
    resolve: (_root, _args, ctx) => countUnread(inboxOf(serviceContextOf(ctx))),
  }),
);

builder.queryField("notifications", (t) =>
  t.prismaConnection({
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
      return listNotifications(serviceContextOf(ctx), query, args);
    },
  }, { name: "NotificationConnection" }, { name: "NotificationEdge" }),
);

builder.mutationField("markNotificationRead", (t) =>
  t.prismaField({
    type: NotificationRef,
    description: "Idempotent: reading a read notification keeps its first readAt.",
    authScopes: { loggedIn: true },
    args: { id: t.arg.globalID({ for: NotificationRef, required: true }) },
    resolve: async (query, _root, { id }, ctx) => {
      const marked = await markNotificationRead(serviceContextOf(ctx), databaseId(id, "id"));
      return ownNotificationRow(serviceContextOf(ctx), query, marked);
    },
  }),
);

builder.mutationField("markAllNotificationsRead", (t) =>
  t.int({
    description: "Marks every unread notification of the caller read; returns how many this call marked (0 when none were unread).",
    authScopes: { loggedIn: true },
    resolve: (_root, _args, ctx) => markAllNotificationsRead(serviceContextOf(ctx)),
  }),
);

builder.mutationField("archiveNotification", (t) =>
  t.prismaField({
    type: NotificationRef,
    description: "Hides the notification from `notifications` and the unread count. Idempotent.",
    authScopes: { loggedIn: true },
    args: { id: t.arg.globalID({ for: NotificationRef, required: true }) },
    resolve: async (query, _root, { id }, ctx) => {
      const archived = await archiveNotification(serviceContextOf(ctx), databaseId(id, "id"));
      return ownNotificationRow(serviceContextOf(ctx), query, archived);
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
    subscribe: (_root, args, ctx) => notificationFeed(serviceContextOf(ctx), args.after ? databaseId(args.after, "after") : null),
    // Batched across subscribers (an alert to every admin wakes them all at once).
    resolve: (query, item: { id: string }, _args, ctx) => loadNotificationFrame(serviceContextOf(ctx), item.id, query),
  }),
);

builder.subscriptionField("unreadNotificationCountChanged", (t) =>
  t.int({
    description: "The caller's unread count: the current value first, then every change.",
    authScopes: { loggedIn: true },
    subscribe: (_root, _args, ctx) => unreadCountFeed(serviceContextOf(ctx)),
    resolve: (count: number) => count,
  }),
);

builder.mutationField("sendTestNotification", (t) =>
  t.prismaField({
    type: "Delivery",
    description:
      "Sends the caller a test notification through one channel, only to themself (their email, their verified WhatsApp number, in-app). SLACK is for ORG_ADMINs (FORBIDDEN otherwise); RATE_LIMITED past the hourly limit; BAD_USER_INPUT when the caller has nowhere to receive on that channel.",
    authScopes: { loggedIn: true },
    args: { channel: t.arg({ type: NotificationChannelEnum, required: true }) },
    resolve: async (query, _root, { channel }, ctx) => {
      const deliveryId = await sendTestNotification(serviceContextOf(ctx), channel);
      return ctx.db.delivery.findUniqueOrThrow({ ...query, where: { id: deliveryId } });
    },
  }),
);
