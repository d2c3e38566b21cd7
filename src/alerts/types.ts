import { builder } from "../schema/builder.js";
import { AlertSeverityEnum, AlertStatusEnum } from "../schema/enums.js";

export const AlertRef = builder.prismaNode("Alert", {
  id: { field: "id" },
  fields: (t) => ({
    title: t.exposeString("title"),
    description: t.exposeString("description", { nullable: true }),
    severity: t.expose("severity", { type: AlertSeverityEnum }),
    category: t.exposeString("category", { nullable: true }),
    status: t.expose("status", { type: AlertStatusEnum }),
    occurrences: t.exposeInt("occurrences"),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    acknowledgedAt: t.expose("acknowledgedAt", { type: "DateTime", nullable: true }),
    escalatedAt: t.expose("escalatedAt", { type: "DateTime", nullable: true }),
    escalationLevel: t.exposeInt("escalationLevel"),
    resolvedAt: t.expose("resolvedAt", { type: "DateTime", nullable: true }),
    resolution: t.exposeString("resolution", { nullable: true }),
    assignee: t.relation("assignee", { nullable: true }),
    dedupeKey: t.exposeString("dedupeKey", { nullable: true, description: "Alerts created with the key of this unresolved alert count as occurrences of it." }),
    lastActivityAt: t.expose("lastActivityAt", { type: "DateTime", description: "Last creation, occurrence or transition; staleness counts from here." }),
    staleNotifiedAt: t.expose("staleNotifiedAt", { type: "DateTime", nullable: true, description: "When ALERT_STALE was raised (once per alert)." }),
    updatedAt: t.expose("updatedAt", { type: "DateTime" }),
  }),
});
