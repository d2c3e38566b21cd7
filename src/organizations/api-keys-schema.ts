import { ApiKeyScope } from "../db/client.js";
import { builder } from "../schema/builder.js";
import { serviceContextOf } from "../schema/context.js";
import { databaseId } from "../schema/global-id.js";
import { assertIdCursors } from "../schema/cursors.js";
import { createApiKey, revokeApiKey } from "./api-keys.js";
import { UserRef } from "./schema.js";

export const ApiKeyScopeEnum = builder.enumType("ApiKeyScope", {
  description: "What an integrator's API key may do; outside its scopes a key is FORBIDDEN.",
  values: {
    [ApiKeyScope.ALERTS_WRITE]: { description: "createAlert." },
    [ApiKeyScope.NOTIFICATIONS_TRIGGER]: { description: "triggerNotification." },
    [ApiKeyScope.CONVERSATIONS_READ]: { description: "conversations and conversation." },
    [ApiKeyScope.MESSAGES_SEND]: { description: "sending messages to customers in conversations." },
  } as const,
});

export const ApiKeyRef = builder.prismaNode("ApiKey", {
  id: { field: "id" },
  // Also through node(id): only admins see the organization's keys.
  authScopes: { orgAdmin: true },
  description:
    "An integrator's credential (`Authorization: Bearer aviso_…`): acts for its organization within its scopes, never as a person. Its secret is shown once, at creation.",
  fields: (t) => ({
    name: t.exposeString("name", { description: "What the admin called it, e.g. the system that uses it." }),
    prefix: t.exposeString("prefix", { description: "The secret's first characters, to recognise the key; not enough to use it." }),
    scopes: t.field({ type: [ApiKeyScopeEnum], description: "What the key may do.", select: { scopes: true }, resolve: (key) => key.scopes }),
    createdAt: t.expose("createdAt", { type: "DateTime", description: "When it was created." }),
    lastUsedAt: t.expose("lastUsedAt", { type: "DateTime", nullable: true, description: "When it was last accepted (to the minute); null if never." }),
    revokedAt: t.expose("revokedAt", { type: "DateTime", nullable: true, description: "When it was revoked; a revoked key is refused everywhere at once." }),
    createdBy: t.relation("createdBy", { type: UserRef, nullable: true, description: "The admin who created it." }),
  }),
});

const CreatedApiKeyRef = builder.objectRef<{ apiKey: { id: string }; secret: string }>("CreatedApiKey").implement({
  description: "A new API key and its secret — shown this once; Aviso keeps only a hash of it.",
  fields: (t) => ({
    apiKey: t.prismaField({
      type: ApiKeyRef,
      description: "The key.",
      resolve: (query, created, _args, ctx) => ctx.db.apiKey.findUniqueOrThrow({ ...query, where: { id: created.apiKey.id } }),
    }),
    secret: t.exposeString("secret", { description: "Send it as `Authorization: Bearer <secret>`; starts with `aviso_`." }),
  }),
});

const CreateApiKeyInput = builder.inputType("CreateApiKeyInput", {
  description: "A new API key for the caller's organization.",
  fields: (t) => ({
    name: t.string({ required: true, description: "1–100 characters." }),
    scopes: t.field({ type: [ApiKeyScopeEnum], required: true, description: "At least one." }),
  }),
});

builder.queryField("apiKeys", (t) =>
  t.prismaConnection({
    type: ApiKeyRef,
    cursor: "id",
    description: "The organization's API keys, newest first (admins). Revoked ones only with `includeRevoked`.",
    authScopes: { orgAdmin: true },
    args: { includeRevoked: t.arg.boolean({ required: false, description: "Also list revoked keys." }) },
    resolve: (query, _root, args, ctx) => {
      assertIdCursors(args);
      return ctx.db.apiKey.findMany({ ...query, where: args.includeRevoked ? {} : { revokedAt: null }, orderBy: [{ createdAt: "desc" }, { id: "desc" }] });
    },
  }),
);

builder.mutationField("createApiKey", (t) =>
  t.field({
    type: CreatedApiKeyRef,
    description: "Creates an API key for an integrator (admins); returns its secret once. BAD_USER_INPUT names the field at fault.",
    authScopes: { orgAdmin: true },
    args: { input: t.arg({ type: CreateApiKeyInput, required: true, description: "Its name and scopes." }) },
    resolve: (_root, { input }, ctx) => createApiKey(serviceContextOf(ctx), input),
  }),
);

builder.mutationField("revokeApiKey", (t) =>
  t.prismaField({
    type: ApiKeyRef,
    description: "Revokes an API key (admins): refused from the next request on, on every instance. Idempotent; NOT_FOUND for another organization's key.",
    authScopes: { orgAdmin: true },
    args: { id: t.arg.globalID({ for: ApiKeyRef, required: true, description: "The key." }) },
    resolve: async (query, _root, { id }, ctx) => {
      const key = await revokeApiKey(serviceContextOf(ctx), databaseId(id, "id"));
      return ctx.db.apiKey.findUniqueOrThrow({ ...query, where: { id: key.id } });
    },
  }),
);
