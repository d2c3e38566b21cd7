import { builder } from "../schema/builder.js";
import { serviceContextOf } from "../schema/context.js";
import { databaseId } from "../schema/global-id.js";
import { NotificationChannelEnum, NotificationTypeEnum } from "../schema/enums.js";
import { sendTestNotification } from "./test-notification.js";
import { notificationFeed, type FeedItem } from "./feed.js";
import { notificationFrame } from "./frame-loader.js";
import {
  archiveNotification,
  countUnread,
  listNotifications,
  markAllNotificationsRead,
  markNotificationRead,
  ownNotificationRow,
  unreadCountFeed,
} from "./inbox.js";
import { frameQuery } from "./frame-query.js";
import { NotificationRef } from "./types.js";
import { assertIdCursors } from "../schema/cursors.js";

// The caller's own notifications, read through their inbox (src/notifications/inbox.ts).

builder.queryField("unreadNotificationCount", (t) =>
  t.int({
    description:
      "How many of the caller's notifications are unread and not archived (the badge). Follow it live with `unreadNotificationCountChanged`. " +
      "Any signed-in user. Errors: UNAUTHENTICATED.",
    authScopes: { loggedIn: true },
    resolve: (_root, _args, ctx) => countUnread(serviceContextOf(ctx)),
  }),
);

builder.queryField("notifications", (t) =>
  t.prismaConnection(
    {
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
        return listNotifications(serviceContextOf(ctx), query, args);
      },
    },
    { name: "NotificationConnection", description: "A page of the caller's notifications." },
    { name: "NotificationEdge", description: "One notification of a page, with its cursor." },
  ),
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
      const marked = await markNotificationRead(serviceContextOf(ctx), databaseId(id, "id"));
      return ownNotificationRow(serviceContextOf(ctx), query, marked);
    },
  }),
);

builder.mutationField("markAllNotificationsRead", (t) =>
  t.int({
    description:
      "Marks every unread notification of the caller read; returns how many this call marked (0 when none were unread). " +
      "Any signed-in user. Errors: UNAUTHENTICATED.",
    authScopes: { loggedIn: true },
    resolve: (_root, _args, ctx) => markAllNotificationsRead(serviceContextOf(ctx)),
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
      const archived = await archiveNotification(serviceContextOf(ctx), databaseId(id, "id"));
      return ownNotificationRow(serviceContextOf(ctx), query, archived);
    },
  }),
);

builder.subscriptionField("notificationAdded", (t) =>
  t.field({
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
    subscribe: (_root, args, ctx) => notificationFeed(serviceContextOf(ctx), args.after ? databaseId(args.after, "after") : null),
    // The row comes with the event; only relations are read, batched across subscribers.
    resolve: (item: FeedItem, _args, ctx, info) => notificationFrame(serviceContextOf(ctx), item, frameQuery(ctx, info)),
  }),
);

builder.subscriptionField("unreadNotificationCountChanged", (t) =>
  t.int({
    description:
      "The caller's unread count (as `unreadNotificationCount`): the current value first, then every change. Any signed-in user. Errors: UNAUTHENTICATED (the socket is closed at connect).",
    authScopes: { loggedIn: true },
    subscribe: (_root, _args, ctx) => unreadCountFeed(serviceContextOf(ctx)),
    resolve: (count: number) => count,
  }),
);

builder.mutationField("sendTestNotification", (t) =>
  t.prismaField({
    type: "Delivery",
    description:
      "Sends the caller a test notification through one channel, only to themself (their email, their verified WhatsApp number, in-app); the test also lands in their inbox and on `notificationAdded`. " +
      "Returns its delivery: refetch it with `node(id:)` to see it SENT, FAILED or SKIPPED. Any signed-in user; SLACK is for ORG_ADMINs. " +
      "Errors: UNAUTHENTICATED; FORBIDDEN (SLACK by a non-admin); RATE_LIMITED past the hourly limit; BAD_USER_INPUT when the caller has nowhere to receive on that channel.",
    authScopes: { loggedIn: true },
    args: { channel: t.arg({ type: NotificationChannelEnum, required: true, description: "The channel to test." }) },
    resolve: async (query, _root, { channel }, ctx) => {
      const deliveryId = await sendTestNotification(serviceContextOf(ctx), channel);
      return ctx.db.delivery.findUniqueOrThrow({ ...query, where: { id: deliveryId } });
    },
  }),
);
