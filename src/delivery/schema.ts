import { NotificationChannel } from "../db/client.js";
import { invalidInput } from "../errors.js";
import { builder } from "../schema/builder.js";
import { serviceContextOf } from "../schema/context.js";
import { databaseId } from "../schema/global-id.js";
import { DeliveryStatusEnum, NotificationChannelEnum } from "../schema/enums.js";
import type { ExternalChannel } from "./channel-types.js";
import { retryDeadDeliveries, retryDelivery } from "./replay.js";
import { deliveryStats, type DeliveryDayCount, type DeliveryFailureReason, type DeliveryStats } from "./stats.js";
import "./types.js";
import { assertIdCursors } from "../schema/cursors.js";

builder.queryField("deliveries", (t) =>
  t.prismaConnection(
    {
      type: "Delivery",
      cursor: "id",
      description:
        "Every delivery of the caller's organization (all users), newest first: the admin's delivery log and dead-letter view. " +
        "Org admins. Errors: UNAUTHENTICATED; FORBIDDEN (agents, viewers); BAD_USER_INPUT (a malformed cursor, a negative page size).",
      authScopes: { orgAdmin: true },
      args: {
        status: t.arg({ type: DeliveryStatusEnum, required: false, description: "Only deliveries in this status, e.g. DEAD; all when omitted." }),
        channel: t.arg({ type: NotificationChannelEnum, required: false, description: "Only deliveries through this channel; all when omitted." }),
      },
      resolve: (query, _root, args, ctx) => {
        assertIdCursors(args);
        return ctx.db.delivery.findMany({
          ...query,
          where: { ...(args.status ? { status: args.status } : {}), ...(args.channel ? { channel: args.channel } : {}) },
          orderBy: { id: "desc" },
        });
      },
    },
    { description: "A page of the organization's deliveries." },
    { description: "One delivery of a page, with its cursor." },
  ),
);

builder.mutationField("retryDelivery", (t) =>
  t.prismaField({
    type: "Delivery",
    description:
      "Puts a FAILED or DEAD email, WhatsApp or Slack delivery back to PENDING and queues it again (recorded in the audit log). " +
      "Org admins. Errors: UNAUTHENTICATED; FORBIDDEN (agents, viewers); NOT_FOUND (no such delivery in the organization); " +
      "BAD_USER_INPUT (not a Delivery id, or a delivery in another status or channel).",
    authScopes: { orgAdmin: true },
    args: { id: t.arg.id({ required: true, description: "The delivery's global id (`Delivery.id`)." }) },
    resolve: async (query, _root, { id }, ctx) => {
      const delivery = await retryDelivery(serviceContextOf(ctx), databaseId(id, "id", "Delivery"));
      return ctx.db.delivery.findUniqueOrThrow({ ...query, where: { id: delivery.id } });
    },
  }),
);

builder.mutationField("retryDeadDeliveries", (t) =>
  t.int({
    description:
      "Replays the dead-letter queue of one channel: puts DEAD deliveries back to PENDING and queues them (a bounded batch per call: call again while it returns more than 0); returns how many. " +
      "Org admins. Errors: UNAUTHENTICATED; FORBIDDEN (agents, viewers); BAD_USER_INPUT (IN_APP, which has no queue).",
    authScopes: { orgAdmin: true },
    args: { channel: t.arg({ type: NotificationChannelEnum, required: true, description: "EMAIL, WHATSAPP or SLACK." }) },
    resolve: (_root, { channel }, ctx) => {
      if (channel === NotificationChannel.IN_APP) throw invalidInput("channel", "in-app notifications are not delivered by a queue");
      return retryDeadDeliveries(serviceContextOf(ctx), channel as ExternalChannel);
    },
  }),
);

const DeliveryDayCountRef = builder.objectRef<DeliveryDayCount>("DeliveryDayCount").implement({
  description: "How many deliveries created on one day, through one channel, are now in one status.",
  fields: (t) => ({
    day: t.exposeString("day", { description: "The organization's local day, YYYY-MM-DD." }),
    channel: t.expose("channel", { type: NotificationChannelEnum, description: "The channel." }),
    status: t.expose("status", { type: DeliveryStatusEnum, description: "The deliveries' current status." }),
    count: t.exposeInt("count", { description: "How many (never 0: empty combinations are left out)." }),
  }),
});

const DeliveryFailureReasonRef = builder.objectRef<DeliveryFailureReason>("DeliveryFailureReason").implement({
  description: "One reason deliveries of a channel failed, and how often.",
  fields: (t) => ({
    channel: t.expose("channel", { type: NotificationChannelEnum, description: "The channel." }),
    reason: t.exposeString("reason", { description: "The deliveries' `lastError`." }),
    count: t.exposeInt("count", { description: "FAILED and DEAD deliveries with this reason in the period." }),
  }),
});

const DeliveryStatsRef = builder.objectRef<DeliveryStats>("DeliveryStats").implement({
  description: "Delivery counts of the organization over a period, for the admin's delivery dashboard.",
  fields: (t) => ({
    from: t.expose("from", { type: "DateTime", description: "Start of the period (inclusive), as applied." }),
    to: t.expose("to", { type: "DateTime", description: "End of the period (exclusive), as applied." }),
    timeZone: t.exposeString("timeZone", { description: "The organization's time zone, in which `days` are counted." }),
    days: t.field({ type: [DeliveryDayCountRef], description: "Counts per local day × channel × status, by day.", resolve: (stats) => stats.days }),
    failureReasons: t.field({
      type: [DeliveryFailureReasonRef],
      description: "The 10 most frequent reasons of FAILED and DEAD deliveries created in the period, most frequent first.",
      resolve: (stats) => stats.failureReasons,
    }),
  }),
});

builder.queryField("deliveryStats", (t) =>
  t.field({
    type: DeliveryStatsRef,
    description:
      "Deliveries per day, channel and status over [from, to) (default: the last 7 days), with the dominant failure reasons. " +
      "Org admins. Errors: UNAUTHENTICATED; FORBIDDEN (agents, viewers); BAD_USER_INPUT (`from` not before `to`, or a period over 366 days).",
    authScopes: { orgAdmin: true },
    args: {
      from: t.arg({ type: "DateTime", required: false, description: "Start (inclusive); default 7 days before `to`." }),
      to: t.arg({ type: "DateTime", required: false, description: "End (exclusive); default now." }),
    },
    resolve: (_root, args, ctx) => deliveryStats(serviceContextOf(ctx), args),
  }),
);
