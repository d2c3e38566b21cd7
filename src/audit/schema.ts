import { encodeGlobalID } from "@pothos/plugin-relay";
import { ApiKeyRef } from "../organizations/api-keys-schema.js";
import { UserRef } from "../organizations/schema.js";
import { invalidInput } from "../errors.js";
import { builder } from "../schema/builder.js";
import { assertIdCursors } from "../schema/cursors.js";

export const AuditLogEntryRef = builder.prismaNode("AuditLog", {
  name: "AuditLogEntry",
  id: { field: "id" },
  // Also through node(id): only admins read the log.
  authScopes: { orgAdmin: true },
  description: "One audited change in the organization: who (a person or an API key), what, when.",
  fields: (t) => ({
    action: t.exposeString("action", { description: 'What happened, e.g. "user.deactivated", "apiKey.revoked", "organization.settings.updated".' }),
    entityType: t.exposeString("entityType", { description: "The kind of thing changed, e.g. User, ApiKey, Organization." }),
    entityId: t.field({
      type: "ID",
      nullable: true,
      description: "The global id of the thing changed, when there is one.",
      select: { entityId: true, entityType: true },
      resolve: (entry) => (entry.entityId ? encodeGlobalID(entry.entityType, entry.entityId) : null),
    }),
    actor: t.relation("actor", { type: UserRef, nullable: true, description: "The person who acted; null for an API key or the system (the admin CLI)." }),
    apiKey: t.relation("apiKey", { type: ApiKeyRef, nullable: true, description: "The API key that acted, when an integrator did." }),
    details: t.string({
      nullable: true,
      description: "What changed, as JSON (secrets appear as \"(set)\", phone numbers masked).",
      select: { data: true },
      resolve: (entry) => (entry.data == null ? null : JSON.stringify(entry.data)),
    }),
    createdAt: t.expose("createdAt", { type: "DateTime", description: "When it happened." }),
  }),
});

builder.queryField("auditLog", (t) =>
  t.prismaConnection({
    type: AuditLogEntryRef,
    cursor: "id",
    description: "The organization's audit log, newest first (admins). Filter by `action` and by who acted (`actorId`: a user's or an API key's id).",
    authScopes: { orgAdmin: true },
    args: {
      action: t.arg.string({ required: false, description: 'An exact action, e.g. "user.created".' }),
      actorId: t.arg.globalID({ for: [UserRef, ApiKeyRef], required: false, description: "Only what this person (User id) or integrator (ApiKey id) did." }),
    },
    resolve: (query, _root, args, ctx) => {
      assertIdCursors(args);
      if (args.action && args.action.length > 100) throw invalidInput("action", "at most 100 characters");
      return ctx.db.auditLog.findMany({
        ...query,
        where: {
          ...(args.action ? { action: args.action } : {}),
          ...(args.actorId ? (args.actorId.typename === "ApiKey" ? { apiKeyId: args.actorId.id } : { actorId: args.actorId.id }) : {}),
        },
        orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      });
    },
  }),
);
