import { builder } from "../schema/builder.js";
import { serviceContextOf, viewerOf } from "../schema/context.js";
import { RoleEnum } from "../schema/enums.js";
import { updateOrganizationSettings } from "./settings.js";

export const OrganizationRef = builder.prismaNode("Organization", {
  id: { field: "id" },
  description: "A company using Aviso (a tenant). Every row belongs to one; a caller sees only their own organization's data.",
  fields: (t) => ({
    slug: t.exposeString("slug", { description: "Short unique name, e.g. `demo`." }),
    name: t.exposeString("name", { description: "Display name." }),
    notifyNewMessage: t.exposeBoolean("notifyNewMessage", {
      description: "Whether new customer messages notify agents outside the app (email, WhatsApp). Also needs NOTIFY_NEW_MESSAGE_ENABLED on the server and the user's own `notifyOnNewMessage`.",
    }),
    coalesceWindowSeconds: t.exposeInt("coalesceWindowSeconds", {
      description: "Bursts of new messages in one conversation within this many seconds update one notification (its `count` grows) instead of creating many. 0–3600.",
    }),
    timeZone: t.exposeString("timeZone", { description: "The organization's IANA time zone, e.g. America/Sao_Paulo; `deliveryStats` counts days in it." }),
    locale: t.exposeString("locale", { description: "Language of notification texts: `pt-BR` or `en`." }),
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
  description: "A person who signs in to Aviso: an agent, an admin or a viewer of one organization.",
  fields: (t) => ({
    email: t.exposeString("email", { description: "Sign-in and email-notification address." }),
    name: t.exposeString("name", { description: "Display name." }),
    role: t.expose("role", { type: RoleEnum, description: "What the user may do." }),
    organization: t.relation("organization", { description: "The organization the user belongs to." }),
  }),
});

builder.queryField("me", (t) =>
  t.prismaField({
    type: "User",
    description: "The caller, as their token names them. Any signed-in user. Errors: UNAUTHENTICATED (missing, bad or expired token).",
    authScopes: { loggedIn: true },
    resolve: (query, _root, _args, ctx) => ctx.db.user.findUniqueOrThrow({ ...query, where: { id: viewerOf(ctx).userId } }),
  }),
);

const UpdateOrganizationSettingsInput = builder.inputType("UpdateOrganizationSettingsInput", {
  description: "The organization settings to change; fields left out stay as they are.",
  fields: (t) => ({
    notifyNewMessage: t.boolean({ required: false, description: "Turns new-message notifications outside the app on or off for the whole organization." }),
    slackWebhookUrl: t.string({ required: false, description: "Slack incoming webhook URL (http or https); null removes it. Write-only: read `slackWebhookConfigured`." }),
    coalesceWindowSeconds: t.int({ required: false, description: "Seconds (0–3600) within which new messages of one conversation update one notification; 0 turns coalescing off." }),
    timeZone: t.string({ required: false, description: "IANA time zone, e.g. America/Sao_Paulo" }),
    locale: t.string({ required: false, description: "`pt-BR` or `en`: the language of notification texts." }),
    sendReadReceipts: t.boolean({ required: false, description: "Tell WhatsApp when an agent reads a conversation (default on)." }),
    assignOnReply: t.boolean({ required: false, description: "An agent answering an unassigned conversation becomes its assignee (default on)." }),
  }),
});

builder.mutationField("updateOrganizationSettings", (t) =>
  t.prismaField({
    type: "Organization",
    description:
      "Changes the caller's organization's settings and records the change in the audit log (the Slack URL as `(set)`). " +
      "Org admins. Errors: UNAUTHENTICATED; FORBIDDEN (not an org admin); BAD_USER_INPUT (`extensions.field` names the bad one: " +
      "a non-http(s) Slack URL, a window outside 0–3600, an unknown time zone or locale).",
    authScopes: { orgAdmin: true },
    args: { input: t.arg({ type: UpdateOrganizationSettingsInput, required: true, description: "The settings to change." }) },
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
    description: "The caller's organization. Any signed-in user. Errors: UNAUTHENTICATED.",
    authScopes: { loggedIn: true },
    resolve: (query, _root, _args, ctx) => ctx.db.organization.findUniqueOrThrow({ ...query, where: { id: viewerOf(ctx).organizationId } }),
  }),
);
