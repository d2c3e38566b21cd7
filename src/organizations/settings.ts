import { z } from "zod";
import { checkTargetUrl, targetPolicy } from "../delivery/safe-target.js";
import { invalidInput } from "../errors.js";
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
  const parsed = parseInput(organizationSettingsSchema, input);
  const changes: Record<string, unknown> = Object.fromEntries(Object.entries(parsed).filter(([, v]) => v !== undefined));
  if (typeof parsed.slackWebhookUrl === "string") {
    const refused = checkTargetUrl(parsed.slackWebhookUrl, targetPolicy(runtime.config, runtime.config.SLACK_WEBHOOK_HOSTS));
    if (refused) throw invalidInput("slackWebhookUrl", refused);
    changes.slackWebhookUrl = keyringFor(runtime.config).encrypt(parsed.slackWebhookUrl);
  }
  return db.$transaction(async (tx) => {
    const organization = await tx.organization.update({ where: { id: actor.organizationId }, data: changes });
    await tx.auditLog.create({
      data: {
        organizationId: actor.organizationId,
        actorId: actor.userId,
        action: "organization.settings.updated",
        entityType: "Organization",
        entityId: actor.organizationId,
        // The Slack URL is a secret: record that it changed, not its value.
        data: { ...changes, ...("slackWebhookUrl" in changes ? { slackWebhookUrl: changes.slackWebhookUrl ? "(set)" : null } : {}) },
      },
    });
    return organization;
  });
}
