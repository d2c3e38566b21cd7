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
  t.prismaConnection({
    type: "Delivery",
    cursor: "id",
    description: "The organization's deliveries, newest first (admins).",
    authScopes: { orgAdmin: true },
    args: {
      status: t.arg({ type: DeliveryStatusEnum, required: false }),
      channel: t.arg({ type: NotificationChannelEnum, required: false }),
    },
    resolve: (query, _root, args, ctx) => {
      assertIdCursors(args);
      return ctx.db.delivery.findMany({
        ...query,
        where: { ...(args.status ? { status: args.status } : {}), ...(args.channel ? { channel: args.channel } : {}) },
        orderBy: { id: "desc" },
      });
    },
  }),
);

builder.mutationField("retryDelivery", (t) =>
  t.prismaField({
    type: "Delivery",
    description: "Sends a FAILED or DEAD delivery again (admins).",
    authScopes: { orgAdmin: true },
    args: { id: t.arg.id({ required: true }) },
    resolve: async (query, _root, { id }, ctx) => {
      const delivery = await retryDelivery(serviceContextOf(ctx), databaseId(id, "id", "Delivery"));
      return ctx.db.delivery.findUniqueOrThrow({ ...query, where: { id: delivery.id } });
    },
  }),
);

builder.mutationField("retryDeadDeliveries", (t) =>
  t.int({
    description: "Sends every DEAD delivery of a channel again (admins); returns how many.",
    authScopes: { orgAdmin: true },
    args: { channel: t.arg({ type: NotificationChannelEnum, required: true }) },
    resolve: (_root, { channel }, ctx) => {
      if (channel === NotificationChannel.IN_APP) throw invalidInput("channel", "in-app notifications are not delivered by a queue");
      return retryDeadDeliveries(serviceContextOf(ctx), channel as ExternalChannel);
    },
  }),
);

const DeliveryDayCountRef = builder.objectRef<DeliveryDayCount>("DeliveryDayCount").implement({
  fields: (t) => ({
    day: t.exposeString("day", { description: "The organization's local day, YYYY-MM-DD." }),
    channel: t.expose("channel", { type: NotificationChannelEnum }),
    status: t.expose("status", { type: DeliveryStatusEnum }),
    count: t.exposeInt("count"),
  }),
});

const DeliveryFailureReasonRef = builder.objectRef<DeliveryFailureReason>("DeliveryFailureReason").implement({
  fields: (t) => ({
    channel: t.expose("channel", { type: NotificationChannelEnum }),
    reason: t.exposeString("reason"),
    count: t.exposeInt("count"),
  }),
});

const DeliveryStatsRef = builder.objectRef<DeliveryStats>("DeliveryStats").implement({
  fields: (t) => ({
    from: t.expose("from", { type: "DateTime" }),
    to: t.expose("to", { type: "DateTime" }),
    timeZone: t.exposeString("timeZone"),
    days: t.field({ type: [DeliveryDayCountRef], resolve: (stats) => stats.days }),
    failureReasons: t.field({ type: [DeliveryFailureReasonRef], description: "FAILED and DEAD reasons, most frequent first.", resolve: (stats) => stats.failureReasons }),
  }),
});

builder.queryField("deliveryStats", (t) =>
  t.field({
    type: DeliveryStatsRef,
    description: "Deliveries per day, channel and status over [from, to) (default: the last 7 days), with the dominant failure reasons (admins).",
    authScopes: { orgAdmin: true },
    args: {
      from: t.arg({ type: "DateTime", required: false }),
      to: t.arg({ type: "DateTime", required: false }),
    },
    resolve: (_root, args, ctx) => deliveryStats(serviceContextOf(ctx), args),
  }),
);

