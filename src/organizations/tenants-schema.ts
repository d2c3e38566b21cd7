import { builder } from "../schema/builder.js";
import { serviceContextOf } from "../schema/context.js";
import { databaseId } from "../schema/global-id.js";
import { assertIdCursors } from "../schema/cursors.js";
import { onboardOrganization, type CreateOrganizationInput } from "./create-organization.js";
import { listOrganizations, platformOrganization, platformUser } from "./platform.js";
import { OrganizationRef, UserRef } from "./schema.js";
import { reactivateOrganization, suspendOrganization } from "./suspension.js";

// The platform's own operations, for SUPER_ADMIN only: their services (platform.ts,
// suspension.ts, create-organization.ts) read and write across organizations.

builder.queryField("organizations", (t) =>
  t.prismaConnection({
    type: OrganizationRef,
    cursor: "id",
    description: "Every organization, by name (super admins only). `search` matches the name or slug, case-insensitively.",
    authScopes: { superAdmin: true },
    args: { search: t.arg.string({ required: false, description: "Part of the name or slug (up to 100 characters)." }) },
    resolve: (query, _root, args, ctx) => {
      assertIdCursors(args);
      return listOrganizations(serviceContextOf(ctx), { query, search: args.search });
    },
  }),
);

const CreateOrganizationAdminInput = builder.inputType("CreateOrganizationAdminInput", {
  description: "The new organization's first ORG_ADMIN.",
  fields: (t) => ({
    email: t.string({ required: true, description: "Unique across Aviso; BAD_USER_INPUT when taken." }),
    name: t.string({ required: false, description: "Defaults to the email's local part." }),
  }),
});

const CreateOrganizationInput = builder.inputType("CreateOrganizationInput", {
  description: "A new organization (its slug is made from the name) and its first admin.",
  fields: (t) => ({
    name: t.string({ required: true, description: "1–120 characters; the slug must be new." }),
    timeZone: t.string({ required: false, description: "IANA time zone (default America/Sao_Paulo)." }),
    locale: t.string({ required: false, description: "pt-BR (default) or en." }),
    admin: t.field({ type: CreateOrganizationAdminInput, required: true, description: "Its first ORG_ADMIN." }),
  }),
});

const CreateOrganizationPayload = builder
  .objectRef<{ organization: { id: string }; admin: { id: string } }>("CreateOrganizationPayload")
  .implement({
    description: "The organization created and its first admin (who signs in through the identity provider or `npm run token`).",
    fields: (t) => ({
      // Read with the selection's relations in one query (the caller's tenant-scoped client would not find them).
      organization: t.prismaField({
        type: OrganizationRef,
        description: "The new organization.",
        resolve: (query, payload, _args, ctx) => platformOrganization(serviceContextOf(ctx), payload.organization.id, query),
      }),
      admin: t.prismaField({
        type: UserRef,
        description: "Its first ORG_ADMIN.",
        resolve: (query, payload, _args, ctx) => platformUser(serviceContextOf(ctx), payload.admin.id, query),
      }),
    }),
  });

builder.mutationField("createOrganization", (t) =>
  t.field({
    type: CreateOrganizationPayload,
    description: "Onboards a company: a new organization and its first admin, audited (super admins only). BAD_USER_INPUT when the slug or the email is taken.",
    authScopes: { superAdmin: true },
    args: { input: t.arg({ type: CreateOrganizationInput, required: true, description: "The organization and its admin." }) },
    resolve: async (_root, { input }, ctx) => {
      // Validated there (zod): a locale other than pt-BR or en is BAD_USER_INPUT.
      const { organization, admin } = await onboardOrganization(serviceContextOf(ctx), input as CreateOrganizationInput);
      return { organization, admin };
    },
  }),
);

builder.mutationField("suspendOrganization", (t) =>
  t.prismaField({
    type: OrganizationRef,
    description:
      "Suspends an organization (super admins only; not their own): its tokens and API keys are refused, its sockets closed, its webhooks kept unprocessed until it is reactivated. Idempotent; NOT_FOUND for an unknown id.",
    authScopes: { superAdmin: true },
    args: { id: t.arg.globalID({ for: OrganizationRef, required: true, description: "The organization." }) },
    resolve: async (query, _root, { id }, ctx) => {
      const organization = await suspendOrganization(serviceContextOf(ctx), databaseId(id, "id"));
      return platformOrganization(serviceContextOf(ctx), organization.id, query);
    },
  }),
);

builder.mutationField("reactivateOrganization", (t) =>
  t.prismaField({
    type: OrganizationRef,
    description:
      "Lifts a suspension (super admins only): tokens and keys work again, and every webhook held meanwhile is processed, once each. Idempotent; NOT_FOUND for an unknown id.",
    authScopes: { superAdmin: true },
    args: { id: t.arg.globalID({ for: OrganizationRef, required: true, description: "The organization." }) },
    resolve: async (query, _root, { id }, ctx) => {
      const organization = await reactivateOrganization(serviceContextOf(ctx), databaseId(id, "id"));
      return platformOrganization(serviceContextOf(ctx), organization.id, query);
    },
  }),
);
