import { builder } from "../schema/builder.js";
import { serviceContextOf, viewerOf } from "../schema/context.js";
import { RoleEnum } from "../schema/enums.js";
import { updateOrganizationSettings } from "./settings.js";

export const OrganizationRef = builder.prismaNode("Organization", {
  id: { field: "id" },
  fields: (t) => ({
    slug: t.exposeString("slug"),
    name: t.exposeString("name"),
    notifyNewMessage: t.exposeBoolean("notifyNewMessage"),
    coalesceWindowSeconds: t.exposeInt("coalesceWindowSeconds"),
    timeZone: t.exposeString("timeZone"),
    locale: t.exposeString("locale"),
    slackWebhookConfigured: t.boolean({
      description: "Whether a Slack incoming webhook is set; the URL itself is a secret.",
      select: { slackWebhookUrl: true },
      resolve: (org) => !!org.slackWebhookUrl,
    }),
  }),
});

export const UserRef = builder.prismaNode("User", {
  id: { field: "id" },
  fields: (t) => ({
    email: t.string({
      nullable: true,
      description: "Sign-in email. Only admins, and the user themselves, see it; null for other teammates.",
      select: { email: true },
      resolve: (user, _args, ctx) => {
        const viewer = ctx.viewer;
        return viewer && (viewer.userId === user.id || viewer.role === "ORG_ADMIN" || viewer.role === "SUPER_ADMIN") ? user.email : null;
      },
    }),
    name: t.exposeString("name"),
    role: t.expose("role", { type: RoleEnum }),
    organization: t.relation("organization"),
  }),
});

builder.queryField("me", (t) =>
  t.prismaField({
    type: "User",
    description: "The caller, as their token names them.",
    authScopes: { loggedIn: true },
    resolve: (query, _root, _args, ctx) => ctx.db.user.findUniqueOrThrow({ ...query, where: { id: viewerOf(ctx).userId } }),
  }),
);

const UpdateOrganizationSettingsInput = builder.inputType("UpdateOrganizationSettingsInput", {
  fields: (t) => ({
    notifyNewMessage: t.boolean({ required: false }),
    slackWebhookUrl: t.string({ required: false, description: "Slack incoming webhook; null removes it." }),
    coalesceWindowSeconds: t.int({ required: false }),
    timeZone: t.string({ required: false, description: "IANA time zone, e.g. America/Sao_Paulo" }),
    locale: t.string({ required: false, description: "pt-BR or en" }),
  }),
});

builder.mutationField("updateOrganizationSettings", (t) =>
  t.prismaField({
    type: "Organization",
    authScopes: { orgAdmin: true },
    args: { input: t.arg({ type: UpdateOrganizationSettingsInput, required: true }) },
    resolve: async (query, _root, { input }, ctx) => {
      const organization = await updateOrganizationSettings(serviceContextOf(ctx), {
        ...(input.notifyNewMessage != null ? { notifyNewMessage: input.notifyNewMessage } : {}),
        ...(input.slackWebhookUrl !== undefined ? { slackWebhookUrl: input.slackWebhookUrl } : {}),
        ...(input.coalesceWindowSeconds != null ? { coalesceWindowSeconds: input.coalesceWindowSeconds } : {}),
        ...(input.timeZone != null ? { timeZone: input.timeZone } : {}),
        ...(input.locale != null ? { locale: input.locale as "pt-BR" | "en" } : {}),
      });
      return ctx.db.organization.findUniqueOrThrow({ ...query, where: { id: organization.id } });
    },
  }),
);

builder.queryField("organization", (t) =>
  t.prismaField({
    type: "Organization",
    description: "The caller's organization.",
    authScopes: { loggedIn: true },
    resolve: (query, _root, _args, ctx) => ctx.db.organization.findUniqueOrThrow({ ...query, where: { id: viewerOf(ctx).organizationId } }),
  }),
);
