import { builder } from "../schema/builder.js";
import { AlertSeverityEnum, AlertStatusEnum } from "../schema/enums.js";

export const AlertRef = builder.prismaNode("Alert", {
  id: { field: "id" },
  description:
    "An operations alert of the organization, opened through `createAlert` (by an admin or an integration) or by Aviso itself. " +
    "Its transitions notify the organization's admins; unacknowledged ones escalate on a schedule by severity. The target of `/alerts/:id` links.",
  fields: (t) => ({
    title: t.exposeString("title", { description: "Short summary (1–200 characters)." }),
    description: t.exposeString("description", { nullable: true, description: "Details (up to 5000 characters); null when none were given." }),
    severity: t.expose("severity", { type: AlertSeverityEnum, description: "How urgent it is." }),
    category: t.exposeString("category", { nullable: true, description: "Free-text grouping, e.g. `delivery` or `whatsapp`; null when none." }),
    status: t.expose("status", { type: AlertStatusEnum, description: "Where it stands in its lifecycle." }),
    occurrences: t.exposeInt("occurrences", {
      description: "How many times it was raised: 1, plus one per `createAlert` with its `dedupeKey` while unresolved.",
    }),
    createdAt: t.expose("createdAt", { type: "DateTime", description: "When it was opened." }),
    acknowledgedAt: t.expose("acknowledgedAt", { type: "DateTime", nullable: true, description: "When someone acknowledged it; null until then." }),
    escalatedAt: t.expose("escalatedAt", { type: "DateTime", nullable: true, description: "When it was last escalated; null if never." }),
    escalationLevel: t.exposeInt("escalationLevel", {
      description: "0: not escalated; 1: escalated to the organization's admins; 2: to Aviso's super admins (the top).",
    }),
    resolvedAt: t.expose("resolvedAt", { type: "DateTime", nullable: true, description: "When it was resolved; null while unresolved." }),
    resolution: t.exposeString("resolution", { nullable: true, description: "The note given on resolving; null when none." }),
    assignee: t.relation("assignee", { nullable: true, description: "The user responsible for it, when one is set; null otherwise." }),
    dedupeKey: t.exposeString("dedupeKey", { nullable: true, description: "Alerts created with the key of this unresolved alert count as occurrences of it." }),
    lastActivityAt: t.expose("lastActivityAt", { type: "DateTime", description: "Last creation, occurrence or transition; staleness counts from here." }),
    staleNotifiedAt: t.expose("staleNotifiedAt", { type: "DateTime", nullable: true, description: "When ALERT_STALE was raised (once per alert)." }),
    updatedAt: t.expose("updatedAt", { type: "DateTime", description: "When the row last changed." }),
  }),
});
