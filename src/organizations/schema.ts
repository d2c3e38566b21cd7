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
    sendReadReceipts: t.exposeBoolean("sendReadReceipts", { description: "Whether WhatsApp is told when an agent reads a conversation (the customer sees blue ticks)." }),
    assignOnReply: t.exposeBoolean("assignOnReply", { description: "Whether an agent who answers an unassigned conversation becomes its assignee." }),
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
    email: t.exposeString("email"),
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
    sendReadReceipts: t.boolean({ required: false, description: "Tell WhatsApp when an agent reads a conversation (default on)." }),
    assignOnReply: t.boolean({ required: false, description: "An agent answering an unassigned conversation becomes its assignee (default on)." }),
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
        ...(input.sendReadReceipts != null ? { sendReadReceipts: input.sendReadReceipts } : {}),
        ...(input.assignOnReply != null ? { assignOnReply: input.assignOnReply } : {}),
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
