import { decodeGlobalID } from "@pothos/plugin-relay";
import { z } from "zod";
import { NotificationChannel } from "../db/client.js";
import { invalidInput } from "../errors.js";
import { builder } from "../schema/builder.js";
import { viewerOf } from "../schema/context.js";
import { DeliveryStatusEnum, NotificationChannelEnum } from "../schema/enums.js";
import type { ExternalChannel } from "./jobs.js";
import { retryDeadDeliveries, retryDelivery } from "./replay.js";
import { deliveryStats, type DeliveryDayCount, type DeliveryFailureReason, type DeliveryStats } from "./stats.js";
import { sendTestNotification } from "./test-notification.js";
import "./types.js";
import { assertIdCursors } from "../schema/cursors.js";

/** A Delivery's relay id → its database id; anything else is BAD_USER_INPUT. */
function deliveryIdOf(globalId: string): string {
  try {
    const { typename, id } = decodeGlobalID(globalId);
    if (typename === "Delivery" && z.string().uuid().safeParse(id).success) return id;
  } catch {
    // fall through
  }
  throw invalidInput("id", "not a Delivery id");
}

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
      const delivery = await retryDelivery(ctx.db, ctx.runtime.jobs, viewerOf(ctx), deliveryIdOf(id));
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
      return retryDeadDeliveries(ctx.db, ctx.runtime.jobs, viewerOf(ctx), channel as ExternalChannel);
    },
  }),
);

builder.mutationField("sendTestNotification", (t) =>
  t.prismaField({
    type: "Delivery",
    description: "Sends the caller a test notification through one channel.",
    authScopes: { loggedIn: true },
    args: { channel: t.arg({ type: NotificationChannelEnum, required: true }) },
    resolve: async (query, _root, { channel }, ctx) => {
      const delivery = await sendTestNotification(ctx.db, ctx.runtime, viewerOf(ctx).userId, channel);
      return ctx.db.delivery.findUniqueOrThrow({ ...query, where: { id: delivery.id } });
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
    failureReasons: t.field({
      type: [DeliveryFailureReasonRef],
      description: "FAILED and DEAD reasons, most frequent first.",
      resolve: (stats) => stats.failureReasons,
    }),
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
    resolve: (_root, args, ctx) => deliveryStats(ctx.db, viewerOf(ctx).organizationId, args),
  }),
);
