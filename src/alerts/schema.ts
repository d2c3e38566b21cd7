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
  description: "A new alert. Text fields are trimmed; an empty optional one counts as absent.",
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
  t.prismaConnection(
    {
      type: "Alert",
      cursor: "id",
      description:
        "The organization's alerts, newest first. Any signed-in user, viewers included. " +
        "Errors: UNAUTHENTICATED; BAD_USER_INPUT (a malformed cursor, a negative page size).",
      authScopes: { loggedIn: true },
      args: {
        status: t.arg({ type: AlertStatusEnum, description: "Only alerts in this status; all when omitted." }),
        severity: t.arg({ type: AlertSeverityEnum, description: "Only alerts of this severity; all when omitted." }),
      },
      resolve: (query, _root, args, ctx) => {
        assertIdCursors(args);
        return ctx.db.alert.findMany({
          ...query,
          where: { ...(args.status ? { status: args.status } : {}), ...(args.severity ? { severity: args.severity } : {}) },
          orderBy: [{ createdAt: "desc" }, { id: "desc" }],
        });
      },
    },
    { description: "A page of the organization's alerts." },
    { description: "One alert of a page, with its cursor." },
  ),
);

builder.queryField("alert", (t) =>
  t.prismaField({
    type: "Alert",
    description:
      "One alert of the caller's organization — the alert screen, and the target of `/alerts/:id` links in emails and Slack. " +
      "Any signed-in user. Errors: UNAUTHENTICATED; NOT_FOUND (no such alert in the caller's organization); BAD_USER_INPUT (not an Alert id).",
    authScopes: { loggedIn: true },
    args: { id: t.arg.globalID({ required: true, for: AlertRef, description: "The alert's global id (`Alert.id`)." }) },
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
      "Opens an alert and notifies the organization's admins (ALERT_CREATED) — or, when `dedupeKey` matches an unresolved alert, counts one more occurrence of that alert and returns it. " +
      "Org admins. Errors: UNAUTHENTICATED; FORBIDDEN (agents, viewers); BAD_USER_INPUT (`extensions.field` names the field: empty title, a text over its limit). API keys with ALERTS_WRITE may call it too.",
    authScopes: { orgAdmin: true, apiKey: "ALERTS_WRITE" },
    args: { input: t.arg({ type: CreateAlertInput, required: true, description: "The alert to open." }) },
    resolve: async (_root, { input }, ctx) => {
      const { alert } = await createAlert(actorContextOf(ctx), input);
      return alert;
    },
  }),
);

builder.mutationField("acknowledgeAlert", (t) =>
  t.field({
    type: AlertRef,
    description:
      "Someone is on it: status ACKNOWLEDGED, automatic escalation stops, `alertChanged` fires. " +
      "Agents and admins. Errors: UNAUTHENTICATED; FORBIDDEN (viewers); NOT_FOUND; BAD_USER_INPUT (not an Alert id; already acknowledged; resolved).",
    authScopes: { agent: true },
    args: { id: t.arg.globalID({ required: true, for: AlertRef, description: "The alert to acknowledge." }) },
    resolve: (_root, args, ctx) => acknowledgeAlert(serviceContextOf(ctx), databaseId(args.id, "id")),
  }),
);

builder.mutationField("escalateAlert", (t) =>
  t.field({
    type: AlertRef,
    description:
      "Escalates one level now (1: the organization's admins, 2: Aviso's super admins) and notifies them (ALERT_ESCALATED); an unacknowledged alert keeps escalating on schedule from there. " +
      "Agents and admins. Errors: UNAUTHENTICATED; FORBIDDEN (viewers); NOT_FOUND; BAD_USER_INPUT (not an Alert id; resolved; already at level 2; reason over 1000 characters).",
    authScopes: { agent: true },
    args: {
      id: t.arg.globalID({ required: true, for: AlertRef, description: "The alert to escalate." }),
      reason: t.arg.string({ description: "Why, for the audit log (up to 1000 characters); optional." }),
    },
    resolve: (_root, args, ctx) => escalateAlert(serviceContextOf(ctx), { alertId: databaseId(args.id, "id"), reason: args.reason }),
  }),
);

builder.mutationField("resolveAlert", (t) =>
  t.field({
    type: AlertRef,
    description:
      "Closes the alert (RESOLVED, final), cancels its pending escalation and staleness checks, and notifies the admins (ALERT_RESOLVED). Its `dedupeKey` then opens a new alert. " +
      "Agents and admins. Errors: UNAUTHENTICATED; FORBIDDEN (viewers); NOT_FOUND; BAD_USER_INPUT (not an Alert id; already resolved; resolution over 5000 characters).",
    authScopes: { agent: true },
    args: {
      id: t.arg.globalID({ required: true, for: AlertRef, description: "The alert to resolve." }),
      resolution: t.arg.string({ description: "What was done (up to 5000 characters); optional, shown as `Alert.resolution`." }),
    },
    resolve: (_root, args, ctx) => resolveAlert(serviceContextOf(ctx), { alertId: databaseId(args.id, "id"), resolution: args.resolution }),
  }),
);

builder.subscriptionField("alertChanged", (t) =>
  t.field({
    type: AlertRef,
    description:
      "Every change to an alert of the caller's organization: opened, new occurrence, acknowledged, escalated, resolved, gone stale; the alert as it now is. " +
      "Any signed-in user. Errors: UNAUTHENTICATED (the socket is closed at connect).",
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
  description: "How many alerts of the period have one severity.",
  fields: (t) => ({
    severity: t.expose("severity", { type: AlertSeverityEnum, description: "The severity." }),
    count: t.exposeInt("count", { description: "How many (0 included)." }),
  }),
});

const AlertStatusCountRef = builder.objectRef<{ status: AlertStatus; count: number }>("AlertStatusCount").implement({
  description: "How many alerts of the period are now in one status.",
  fields: (t) => ({
    status: t.expose("status", { type: AlertStatusEnum, description: "The status." }),
    count: t.exposeInt("count", { description: "How many (0 included)." }),
  }),
});

const AlertSummaryRef = builder.objectRef<AlertSummary>("AlertSummary").implement({
  description: "The alerts opened in a period (createdAt in [from, to)).",
  fields: (t) => ({
    from: t.expose("from", { type: "DateTime", nullable: true, description: "Start (inclusive) as asked; null when open." }),
    to: t.expose("to", { type: "DateTime", nullable: true, description: "End (exclusive) as asked; null when open." }),
    total: t.exposeInt("total", { description: "Alerts opened in the period." }),
    bySeverity: t.expose("bySeverity", { type: [AlertSeverityCountRef], description: "Every severity, zeros included." }),
    byStatus: t.expose("byStatus", { type: [AlertStatusCountRef], description: "Every status, zeros included." }),
    meanSecondsToAcknowledge: t.exposeFloat("meanSecondsToAcknowledge", { nullable: true, description: "Over those acknowledged; null when none was." }),
    meanSecondsToResolve: t.exposeFloat("meanSecondsToResolve", { nullable: true, description: "Over those resolved; null when none was." }),
  }),
});

builder.queryField("alertSummary", (t) =>
  t.field({
    type: AlertSummaryRef,
    description:
      "Counts by severity and status and mean times to acknowledge and resolve, for alerts opened from `from` (inclusive) to `to` (exclusive); either bound may be left open. " +
      "Any signed-in user. Errors: UNAUTHENTICATED; BAD_USER_INPUT (`to` not after `from`).",
    authScopes: { loggedIn: true },
    args: {
      from: t.arg({ type: "DateTime", description: "Start (inclusive); omit for no lower bound." }),
      to: t.arg({ type: "DateTime", description: "End (exclusive); omit for no upper bound." }),
    },
    resolve: (_root, args, ctx) => summarizeAlerts(serviceContextOf(ctx), { from: args.from, to: args.to }),
  }),
);
