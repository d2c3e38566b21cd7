import { parsePhoneNumberFromString } from "libphonenumber-js";
import { z } from "zod";
import { NotificationChannel, NotificationType } from "../db/client.js";
import type { ServiceContext } from "../service-context.js";
import { parseInput } from "../validation.js";
import { isTimeZone, minutesOfDay } from "../notifications/quiet-hours.js";
import { maskPhone } from "../observability/log.js";

const time = z.string().refine((t) => minutesOfDay(t) !== undefined, "expected a 24h time HH:MM, e.g. 22:00");

/** Absent fields stay as they are; `null` clears the number or the quiet hours. */
export const preferencesInputSchema = z.object({
  whatsappNumber: z
    .string()
    .trim()
    .transform((raw, ctx) => {
      if (raw === "") return null;
      // Brazilian numbers may be typed without +55, as users write them locally.
      const phone = parsePhoneNumberFromString(raw, "BR");
      if (!phone?.isValid()) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: "not a valid phone number" });
        return z.NEVER;
      }
      return phone.number;
    })
    .nullish(),
  notifyOnNewMessage: z.boolean().nullish(),
  quietHours: z
    .object({
      start: time,
      end: time,
      timeZone: z.string().refine(isTimeZone, "not an IANA time zone, e.g. America/Sao_Paulo"),
    })
    .refine((q) => q.start !== q.end, { message: "must differ from start", path: ["end"] })
    .nullish(),
  channels: z
    .array(
      z
        .object({ type: z.nativeEnum(NotificationType), channel: z.nativeEnum(NotificationChannel), enabled: z.boolean() })
        .refine((c) => c.channel !== "IN_APP" || c.enabled, { message: "in-app notifications cannot be turned off", path: ["enabled"] }),
    )
    .max(64)
    .nullish(),
});

export type UpdateNotificationPreferencesInput = z.input<typeof preferencesInputSchema>;

/**
 * Validates and applies the caller's own preference changes in one transaction,
 * with an audit log row (the phone masked). A bad field is BAD_USER_INPUT naming
 * it: "whatsappNumber", "quietHours.start", "channels.2.enabled"…
 */
export async function updateNotificationPreferences({ db, actor }: ServiceContext, input: UpdateNotificationPreferencesInput): Promise<{ verificationPending: boolean }> {
  const { whatsappNumber, notifyOnNewMessage, quietHours, channels } = parseInput(preferencesInputSchema, input);
  // A new number takes effect only once verified (src/preferences/verify-number.ts) —
  // unless an ORG_ADMIN sets it. Clearing it takes effect at once.
  const direct = actor.role === "ORG_ADMIN" || actor.role === "SUPER_ADMIN";
  const current = whatsappNumber ? await db.user.findFirst({ where: { id: actor.userId }, select: { whatsappNotificationNumber: true } }) : null;
  const unchanged = !!whatsappNumber && current?.whatsappNotificationNumber === whatsappNumber;
  const verificationPending = !!whatsappNumber && !direct && !unchanged;
  const numberChanges =
    whatsappNumber === undefined || unchanged
      ? {}
      : whatsappNumber === null
        ? { whatsappNotificationNumber: null, whatsappNumberVerifiedAt: null, whatsappPendingNumber: null, whatsappVerificationExpiresAt: null }
        : direct
          ? { whatsappNotificationNumber: whatsappNumber, whatsappNumberVerifiedAt: new Date(), whatsappPendingNumber: null, whatsappVerificationExpiresAt: null }
          : { whatsappPendingNumber: whatsappNumber, whatsappVerificationExpiresAt: null, whatsappVerificationAttempts: 0 };
  const userChanges = {
    ...numberChanges,
    ...(notifyOnNewMessage != null ? { notifyOnNewMessage } : {}),
    ...(quietHours !== undefined
      ? { quietHoursStart: quietHours?.start ?? null, quietHoursEnd: quietHours?.end ?? null, quietHoursTimeZone: quietHours?.timeZone ?? null }
      : {}),
  };
  // The last entry for a type × channel wins.
  const choices = [...new Map((channels ?? []).map((c) => [`${c.type}:${c.channel}`, c])).values()];
  await db.$transaction(async (tx) => {
    if (Object.keys(userChanges).length > 0) await tx.user.update({ where: { id: actor.userId }, data: userChanges });
    for (const choice of choices) {
      await tx.notificationPreference.upsert({
        where: { userId_type_channel: { userId: actor.userId, type: choice.type, channel: choice.channel } },
        create: { organizationId: actor.organizationId, userId: actor.userId, ...choice },
        update: { enabled: choice.enabled },
      });
    }
    await tx.auditLog.create({
      data: {
        organizationId: actor.organizationId,
        actorId: actor.userId,
        action: "notification.preferences.updated",
        entityType: "User",
        entityId: actor.userId,
        data: {
          ...(whatsappNumber !== undefined ? { whatsappNumber: maskPhone(whatsappNumber) ?? null, ...(verificationPending ? { verification: "pending" } : {}) } : {}),
          ...(notifyOnNewMessage != null ? { notifyOnNewMessage } : {}),
          ...(quietHours !== undefined ? { quietHours } : {}),
          ...(choices.length > 0 ? { channels: choices } : {}),
        },
      },
    });
  });
  return { verificationPending };
}
