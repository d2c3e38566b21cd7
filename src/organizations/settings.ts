import { z } from "zod";
import { recordAudit } from "../audit/record.js";
import { invalidInput } from "../errors.js";
import { checkTargetUrl, targetPolicy } from "../delivery/safe-target.js";
import { keyringFor } from "../secrets/encryption.js";
import type { ServiceContext } from "../service-context.js";
import { parseInput } from "../validation.js";

const timeZone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, "not an IANA time zone");

export const organizationSettingsSchema = z
  .object({
    notifyNewMessage: z.boolean(),
    slackWebhookUrl: z.string().max(2048).nullable(),
    coalesceWindowSeconds: z.number().int().min(0).max(3600),
    timeZone,
    locale: z.enum(["pt-BR", "en"]),
    sendReadReceipts: z.boolean(),
    assignOnReply: z.boolean(),
    emailHourlyLimit: z.number().int().min(0, "must be 0 or more").max(1000, "at most 1000"),
    /** Stored as slaFirstReplySeconds. */
    slaWarningSeconds: z.number().int().min(60, "at least 60").max(7 * 24 * 3600, "at most 7 days"),
    criticalBypassesQuietHours: z.boolean(),
    // Meta's template names: lower-case letters, digits and underscores, up to 512.
    whatsappTemplateName: z.string().regex(/^[a-z0-9_]{1,512}$/, "lower-case letters, digits and underscores, as Meta names templates"),
    // Meta's language codes: "pt_BR", "en_US", "es".
    whatsappTemplateLanguage: z.string().regex(/^[a-z]{2,3}(_[A-Z]{2})?$/, "a WhatsApp language code such as pt_BR or en_US"),
    /** A WhatsAppNumber id of the organization; null goes back to the first one connected. */
    notificationSenderNumberId: z.string().uuid("not a WhatsApp number id").nullable(),
    /** Messages older than this many days are anonymized by the retention job; null keeps them. */
    messageRetentionDays: z.number().int().min(1).max(3650).nullable(),
  })
  .partial();

export type OrganizationSettingsInput = z.input<typeof organizationSettingsSchema>;

/**
 * Validates and applies an admin's settings change, and records it in the audit log.
 * A Slack webhook URL must pass safe-target's checks (https, allow-listed host, no
 * literal private address) and is stored encrypted.
 */
export async function updateOrganizationSettings({ db, actor, runtime }: ServiceContext, input: OrganizationSettingsInput) {
  const { slaWarningSeconds, ...rest } = parseInput(organizationSettingsSchema, input);
  const changes: Record<string, unknown> = Object.fromEntries(
    Object.entries({ ...rest, ...(slaWarningSeconds !== undefined ? { slaFirstReplySeconds: slaWarningSeconds } : {}) }).filter(([, v]) => v !== undefined),
  );
  if (typeof rest.slackWebhookUrl === "string") {
    const refused = checkTargetUrl(rest.slackWebhookUrl, targetPolicy(runtime.config, runtime.config.SLACK_WEBHOOK_HOSTS));
    if (refused) throw invalidInput("slackWebhookUrl", refused);
    changes.slackWebhookUrl = keyringFor(runtime.config).encrypt(rest.slackWebhookUrl);
  }
  return db.$transaction(async (tx) => {
    // Through the tenant-scoped client: another organization's number is simply not there.
    if (changes.notificationSenderNumberId && !(await tx.whatsAppNumber.findUnique({ where: { id: changes.notificationSenderNumberId as string }, select: { id: true } }))) {
      throw invalidInput("notificationSenderNumberId", "not a WhatsApp number of this organization");
    }
    const organization = await tx.organization.update({ where: { id: actor.organizationId }, data: changes });
    await recordAudit(tx, {
      organizationId: actor.organizationId,
      actor,
      action: "organization.settings.updated",
      entityType: "Organization",
      entityId: actor.organizationId,
      // The Slack URL is a secret: record that it changed, not its value.
      data: { ...changes, ...("slackWebhookUrl" in changes ? { slackWebhookUrl: changes.slackWebhookUrl ? "(set)" : null } : {}) },
    });
    return organization;
  });
}
