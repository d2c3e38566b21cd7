import { z } from "zod";
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
    slackWebhookUrl: z
      .string()
      .url()
      .refine((u) => /^https?:\/\//.test(u), "must be an http(s) URL")
      .nullable(),
    coalesceWindowSeconds: z.number().int().min(0).max(3600),
    timeZone,
    locale: z.enum(["pt-BR", "en"]),
  })
  .partial();

export type OrganizationSettingsInput = z.input<typeof organizationSettingsSchema>;

/** Validates and applies an admin's settings change, and records it in the audit log. */
export async function updateOrganizationSettings({ db, actor }: ServiceContext, input: OrganizationSettingsInput) {
  const changes = Object.fromEntries(Object.entries(parseInput(organizationSettingsSchema, input)).filter(([, v]) => v !== undefined));
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
