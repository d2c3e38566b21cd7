import type { Alert, AlertSeverity, AlertStatus } from "../db/client.js";
import { notFound } from "../errors.js";
import { builder } from "../schema/builder.js";
import { actorContextOf, serviceContextOf, viewerOf } from "../schema/context.js";
import { databaseId } from "../schema/global-id.js";
import { AlertSeverityEnum, AlertStatusEnum } from "../schema/enums.js";
import { acknowledgeAlert } from "./acknowledge-alert.js";
import { createAlert } from "./create-alert.js";
import { escalateAlert } from "./escalate-alert.js";
import { resolveAlert } from "./resolve-alert.js";
import { summarizeAlerts, type AlertSummary } from "./summarize-alerts.js";
import { AlertRef } from "./types.js";
import { assertIdCursors } from "../schema/cursors.js";

// Roles: everyone in the organization reads alerts (viewers included); agents and
// admins acknowledge, escalate and resolve them; only admins open them by hand.


const CreateAlertInput = builder.inputType("CreateAlertInput", {
  fields: (t) => ({
    title: t.string({ required: true, description: "1–200 characters." }),
    description: t.string({ description: "Up to 5000 characters." }),
    severity: t.field({ type: AlertSeverityEnum, description: "MEDIUM when omitted." }),
    category: t.string({ description: "Free text, e.g. `delivery` or `whatsapp`; up to 100 characters." }),
    dedupeKey: t.string({
      description: "While an alert with this key is unresolved, creating another adds an occurrence to it instead (up to 200 characters).",
    }),
  }),
});

builder.queryField("alerts", (t) =>
  t.prismaConnection({
    type: "Alert",
    cursor: "id",
    description: "The organization's alerts, newest first.",
    authScopes: { loggedIn: true },
    args: {
      status: t.arg({ type: AlertStatusEnum }),
      severity: t.arg({ type: AlertSeverityEnum }),
    },
    resolve: (query, _root, args, ctx) => {
      assertIdCursors(args);
      return ctx.db.alert.findMany({
        ...query,
        where: { ...(args.status ? { status: args.status } : {}), ...(args.severity ? { severity: args.severity } : {}) },
        orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      });
    },
  }),
);

builder.queryField("alert", (t) =>
  t.prismaField({
    type: "Alert",
    authScopes: { loggedIn: true },
    args: { id: t.arg.globalID({ required: true, for: AlertRef }) },
    resolve: async (query, _root, args, ctx) => {
      const alert = await ctx.db.alert.findUnique({ ...query, where: { id: databaseId(args.id, "id") } });
      if (!alert) throw notFound("alert");
      return alert;
    },
  }),
);

builder.mutationField("createAlert", (t) =>
  t.field({
    type: AlertRef,
    description:
      "Opens an alert and notifies the organization's admins — or, when `dedupeKey` matches an unresolved alert, counts one more occurrence of that alert and returns it. Admins, and API keys with ALERTS_WRITE.",
    authScopes: { orgAdmin: true, apiKey: "ALERTS_WRITE" },
    args: { input: t.arg({ type: CreateAlertInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const { alert } = await createAlert(actorContextOf(ctx), input);
      return alert;
    },
  }),
);

builder.mutationField("acknowledgeAlert", (t) =>
  t.field({
    type: AlertRef,
    description: "Someone is on it: stops the automatic escalation.",
    authScopes: { agent: true },
    args: { id: t.arg.globalID({ required: true, for: AlertRef }) },
    resolve: (_root, args, ctx) => acknowledgeAlert(serviceContextOf(ctx), databaseId(args.id, "id")),
  }),
);

builder.mutationField("escalateAlert", (t) =>
  t.field({
    type: AlertRef,
    description: "Escalates one level now (1: the organization's admins, 2: Aviso's super admins).",
    authScopes: { agent: true },
    args: { id: t.arg.globalID({ required: true, for: AlertRef }), reason: t.arg.string() },
    resolve: (_root, args, ctx) => escalateAlert(serviceContextOf(ctx), { alertId: databaseId(args.id, "id"), reason: args.reason }),
  }),
);

builder.mutationField("resolveAlert", (t) =>
  t.field({
    type: AlertRef,
    authScopes: { agent: true },
    args: { id: t.arg.globalID({ required: true, for: AlertRef }), resolution: t.arg.string() },
    resolve: (_root, args, ctx) => resolveAlert(serviceContextOf(ctx), { alertId: databaseId(args.id, "id"), resolution: args.resolution }),
  }),
);

builder.subscriptionField("alertChanged", (t) =>
  t.field({
    type: AlertRef,
    description: "Every change to an alert of the caller's organization: opened, new occurrence, acknowledged, escalated, resolved, gone stale.",
    authScopes: { loggedIn: true },
    subscribe: async function* (_root, _args, ctx) {
      const changes = await ctx.runtime.pubsub.subscribe("alertChanged", viewerOf(ctx).organizationId);
      try {
        for await (const { alertId } of changes) {
          // Re-read through the caller's scoped client: the payload is an id, never a row.
          const alert = await ctx.db.alert.findUnique({ where: { id: alertId } });
          if (alert) yield alert;
        }
      } finally {
        await changes.return?.();
      }
    },
    resolve: (alert: Alert) => alert,
  }),
);

const AlertSeverityCountRef = builder.objectRef<{ severity: AlertSeverity; count: number }>("AlertSeverityCount").implement({
  fields: (t) => ({ severity: t.expose("severity", { type: AlertSeverityEnum }), count: t.exposeInt("count") }),
});

const AlertStatusCountRef = builder.objectRef<{ status: AlertStatus; count: number }>("AlertStatusCount").implement({
  fields: (t) => ({ status: t.expose("status", { type: AlertStatusEnum }), count: t.exposeInt("count") }),
});

const AlertSummaryRef = builder.objectRef<AlertSummary>("AlertSummary").implement({
  description: "The alerts opened in a period (createdAt in [from, to)).",
  fields: (t) => ({
    from: t.expose("from", { type: "DateTime", nullable: true }),
    to: t.expose("to", { type: "DateTime", nullable: true }),
    total: t.exposeInt("total"),
    bySeverity: t.expose("bySeverity", { type: [AlertSeverityCountRef], description: "Every severity, zeros included." }),
    byStatus: t.expose("byStatus", { type: [AlertStatusCountRef], description: "Every status, zeros included." }),
    meanSecondsToAcknowledge: t.exposeFloat("meanSecondsToAcknowledge", { nullable: true, description: "Over those acknowledged; null when none was." }),
    meanSecondsToResolve: t.exposeFloat("meanSecondsToResolve", { nullable: true, description: "Over those resolved; null when none was." }),
  }),
});

builder.queryField("alertSummary", (t) =>
  t.field({
    type: AlertSummaryRef,
    description: "Counts by severity and status and mean times to acknowledge and resolve, for alerts opened from `from` (inclusive) to `to` (exclusive); either bound may be left open.",
    authScopes: { loggedIn: true },
    args: { from: t.arg({ type: "DateTime" }), to: t.arg({ type: "DateTime" }) },
    resolve: (_root, args, ctx) => summarizeAlerts(serviceContextOf(ctx), { from: args.from, to: args.to }),
  }),
);
