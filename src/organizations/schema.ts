import { builder } from "../schema/builder.js";
import { serviceContextOf, viewerOf } from "../schema/context.js";
import { databaseId } from "../schema/global-id.js";
import { WhatsAppNumberRef } from "../webhooks/meta/types.js";
import { RoleEnum } from "../schema/enums.js";
import { updateOrganizationSettings } from "./settings.js";

export const OrganizationRef = builder.prismaNode("Organization", {
  id: { field: "id" },
  description: "A company using Aviso (a tenant). Every row belongs to one; a caller sees only their own organization's data.",
  fields: (t) => ({
    slug: t.exposeString("slug", { description: "Short unique name, e.g. `demo`." }),
    name: t.exposeString("name", { description: "Display name." }),
    notifyNewMessage: t.exposeBoolean("notifyNewMessage", {
      description:
        "Whether new customer messages notify agents outside the app (email, WhatsApp). Also needs NOTIFY_NEW_MESSAGE_ENABLED on the server and the user's own `notifyOnNewMessage`.",
    }),
    coalesceWindowSeconds: t.exposeInt("coalesceWindowSeconds", {
      description:
        "Bursts of new messages in one conversation within this many seconds update one notification (its `count` grows) instead of creating many. 0–3600.",
    }),
    timeZone: t.exposeString("timeZone", { description: "The organization's IANA time zone, e.g. America/Sao_Paulo; `deliveryStats` counts days in it." }),
    locale: t.exposeString("locale", { description: "Language of notification texts: `pt-BR` or `en`." }),
    sendReadReceipts: t.exposeBoolean("sendReadReceipts", {
      description: "Whether WhatsApp is told when an agent reads a conversation (the customer sees blue ticks).",
    }),
    assignOnReply: t.exposeBoolean("assignOnReply", { description: "Whether an agent who answers an unassigned conversation becomes its assignee." }),
    messageRetentionDays: t.exposeInt("messageRetentionDays", {
      nullable: true,
      description: "Days customer messages are kept before being anonymized by the retention job; null keeps them.",
    }),
    slackWebhookConfigured: t.boolean({
      description: "Whether a Slack incoming webhook is set; the URL itself is a secret.",
      select: { slackWebhookUrl: true },
      resolve: (org) => !!org.slackWebhookUrl,
    }),
    emailHourlyLimit: t.exposeInt("emailHourlyLimit", { description: "Emails one user may receive per hour; the rest are SKIPPED with the reason." }),
    slaWarningSeconds: t.exposeInt("slaFirstReplySeconds", { description: "Seconds a conversation may wait for a first reply before SLA_WARNING." }),
    criticalBypassesQuietHours: t.exposeBoolean("criticalBypassesQuietHours", {
      description: "Whether CRITICAL alerts and triggered notifications reach people inside their quiet hours.",
    }),
    whatsappTemplateName: t.exposeString("whatsappTemplateName", {
      description: "The approved template sent to an agent's phone outside Meta's 24-hour window.",
    }),
    whatsappTemplateLanguage: t.exposeString("whatsappTemplateLanguage", { description: "That template's language code, e.g. pt_BR." }),
    notificationSenderNumber: t.relation("notificationSenderNumber", {
      nullable: true,
      description: "The connected number that sends WhatsApp notifications to agents; null means the first one connected.",
    }),
    suspendedAt: t.expose("suspendedAt", {
      type: "DateTime",
      nullable: true,
      description: "When a super admin suspended the organization; null while it is active.",
    }),
    createdAt: t.expose("createdAt", { type: "DateTime", description: "When the organization was created." }),
  }),
});

export const UserRef = builder.prismaNode("User", {
  id: { field: "id" },
  description: "A person who signs in to Aviso: an agent, an admin or a viewer of one organization.",
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
    name: t.exposeString("name", { description: "Display name." }),
    role: t.expose("role", { type: RoleEnum, description: "What the user may do." }),
    organization: t.relation("organization", { description: "The organization the user belongs to." }),
    active: t.exposeBoolean("active", { description: "False once an admin deactivated the user: their tokens are refused." }),
    locale: t.exposeString("locale", { nullable: true, description: "The user's own language (pt-BR or en); null follows the organization's." }),
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
    slackWebhookUrl: t.string({
      required: false,
      description: "Slack incoming webhook URL (http or https); null removes it. Write-only: read `slackWebhookConfigured`.",
    }),
    coalesceWindowSeconds: t.int({
      required: false,
      description: "Seconds (0–3600) within which new messages of one conversation update one notification; 0 turns coalescing off.",
    }),
    timeZone: t.string({ required: false, description: "IANA time zone, e.g. America/Sao_Paulo" }),
    locale: t.string({ required: false, description: "`pt-BR` or `en`: the language of notification texts." }),
    sendReadReceipts: t.boolean({ required: false, description: "Tell WhatsApp when an agent reads a conversation (default on)." }),
    assignOnReply: t.boolean({ required: false, description: "An agent answering an unassigned conversation becomes its assignee (default on)." }),
    emailHourlyLimit: t.int({ required: false, description: "Emails per user per hour before the rest are SKIPPED (0–1000)." }),
    slaWarningSeconds: t.int({ required: false, description: "Seconds a conversation may wait for a first reply before SLA_WARNING (60 s – 7 days)." }),
    criticalBypassesQuietHours: t.boolean({ required: false, description: "Whether CRITICAL alerts reach people inside their quiet hours." }),
    whatsappTemplateName: t.string({
      required: false,
      description: "Approved template name for agents outside the 24-hour window (lower-case, digits, underscores).",
    }),
    whatsappTemplateLanguage: t.string({ required: false, description: "That template's language code, e.g. pt_BR or en_US." }),
    notificationSenderNumberId: t.globalID({
      required: false,
      for: WhatsAppNumberRef,
      description: "The organization's connected number that sends WhatsApp notifications to agents; null goes back to the first one connected.",
    }),
    messageRetentionDays: t.int({
      required: false,
      description: "Days customer messages are kept before the retention job anonymizes them (1–3650); null keeps them. BAD_USER_INPUT outside the range.",
    }),
  }),
});

builder.mutationField("updateOrganizationSettings", (t) =>
  t.prismaField({
    type: "Organization",
    description:
      "Changes the caller's organization's settings and records the change in the audit log (the Slack URL as `(set)`). " +
      "Org admins; fields left out stay as they are. Errors: UNAUTHENTICATED; FORBIDDEN (not an org admin); BAD_USER_INPUT (`extensions.field` names the bad one: " +
      "a non-http(s) Slack URL, a window outside 0–3600, an unknown time zone or locale).",
    authScopes: { orgAdmin: true },
    args: { input: t.arg({ type: UpdateOrganizationSettingsInput, required: true, description: "The settings to change." }) },
    resolve: async (query, _root, { input }, ctx) => {
      const organization = await updateOrganizationSettings(serviceContextOf(ctx), {
        ...(input.emailHourlyLimit != null ? { emailHourlyLimit: input.emailHourlyLimit } : {}),
        ...(input.slaWarningSeconds != null ? { slaWarningSeconds: input.slaWarningSeconds } : {}),
        ...(input.criticalBypassesQuietHours != null ? { criticalBypassesQuietHours: input.criticalBypassesQuietHours } : {}),
        ...(input.whatsappTemplateName != null ? { whatsappTemplateName: input.whatsappTemplateName } : {}),
        ...(input.whatsappTemplateLanguage != null ? { whatsappTemplateLanguage: input.whatsappTemplateLanguage } : {}),
        ...(input.notificationSenderNumberId !== undefined
          ? { notificationSenderNumberId: input.notificationSenderNumberId ? databaseId(input.notificationSenderNumberId, "notificationSenderNumberId") : null }
          : {}),
        ...(input.notifyNewMessage != null ? { notifyNewMessage: input.notifyNewMessage } : {}),
        ...(input.slackWebhookUrl !== undefined ? { slackWebhookUrl: input.slackWebhookUrl } : {}),
        ...(input.coalesceWindowSeconds != null ? { coalesceWindowSeconds: input.coalesceWindowSeconds } : {}),
        ...(input.timeZone != null ? { timeZone: input.timeZone } : {}),
        ...(input.locale != null ? { locale: input.locale as "pt-BR" | "en" } : {}),
        ...(input.sendReadReceipts != null ? { sendReadReceipts: input.sendReadReceipts } : {}),
        ...(input.assignOnReply != null ? { assignOnReply: input.assignOnReply } : {}),
        ...(input.messageRetentionDays !== undefined ? { messageRetentionDays: input.messageRetentionDays } : {}),
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
