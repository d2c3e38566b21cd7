import { timingSafeEqual } from "node:crypto";
import { Role } from "../db/client.js";
import { z } from "zod";
import { TransientDeliveryError } from "../delivery/channel.js";
import { sendWhatsAppText } from "../delivery/whatsapp.js";
import { defineJob } from "../jobs/define.js";
import { DomainError, invalidInput, notFound } from "../errors.js";
import { maskPhone } from "../observability/log.js";
import type { Runtime } from "../runtime.js";
import { keyringFor } from "../secrets/encryption.js";
import type { ServiceContext } from "../service-context.js";

/**
 * A notification number takes effect (WhatsApp notifications, the anti-loop rule) only
 * once its owner proves they hold it — a code sent to it over WhatsApp, confirmed with
 * `confirmWhatsAppNumber` — or an ORG_ADMIN sets it. Otherwise anyone could claim a
 * customer's number and silence that customer's notifications.
 *
 * The code is not stored: it is an HMAC of (user, number, expiry) under a key derived
 * from AVISO_ENCRYPTION_KEY, so a database read does not reveal it.
 */
export const CODE_TTL_MS = 10 * 60 * 1000;
export const MAX_CODE_ATTEMPTS = 5;
export const MAX_CODES_PER_HOUR = 5;

const AUDIT_CODE_SENT = "whatsapp_number.code_sent";

export function verificationCode(runtime: Runtime, userId: string, number: string, expiresAt: Date): string {
  const mac = keyringFor(runtime.config).mac("whatsapp-number-verification", `${userId}|${number}|${expiresAt.getTime()}`);
  return String(mac.readUInt32BE(0) % 1_000_000).padStart(6, "0");
}

/**
 * Starts the verification of the caller's pending number (set by
 * updateNotificationPreferences): a new expiry, a reset attempt count, and a job that
 * sends the code over WhatsApp — so the mutation never waits on the Graph API.
 */
export async function sendNumberVerificationCode({ db, runtime, actor }: ServiceContext): Promise<void> {
  const user = await db.user.findFirst({ where: { id: actor.userId }, select: { whatsappPendingNumber: true } });
  if (!user?.whatsappPendingNumber) return;
  const hourAgo = new Date(Date.now() - 3600_000);
  const sent = await db.auditLog.count({ where: { actorId: actor.userId, action: AUDIT_CODE_SENT, createdAt: { gte: hourAgo } } });
  if (sent >= MAX_CODES_PER_HOUR) throw new DomainError("RATE_LIMITED", `at most ${MAX_CODES_PER_HOUR} verification codes per hour`);
  const expiresAt = new Date(Date.now() + CODE_TTL_MS);
  await db.$transaction(async (tx) => {
    await tx.user.update({ where: { id: actor.userId }, data: { whatsappVerificationExpiresAt: expiresAt, whatsappVerificationAttempts: 0 } });
    await tx.auditLog.create({
      data: { organizationId: actor.organizationId, actorId: actor.userId, action: AUDIT_CODE_SENT, entityType: "User", entityId: actor.userId, data: { to: maskPhone(user.whatsappPendingNumber) ?? null } },
    });
    await runtime.jobs.send(numberVerificationJob, { userId: actor.userId }, { tx });
  });
}

/** Sends the code for the user's pending number, if it is still pending and unexpired. */
async function deliverVerificationCode(runtime: Runtime, userId: string): Promise<void> {
  const user = await runtime.prisma.user.findUnique({
    where: { id: userId },
    select: { organizationId: true, whatsappPendingNumber: true, whatsappVerificationExpiresAt: true, locale: true },
  });
  if (!user?.whatsappPendingNumber || !user.whatsappVerificationExpiresAt || user.whatsappVerificationExpiresAt.getTime() < Date.now()) return;
  const code = verificationCode(runtime, userId, user.whatsappPendingNumber, user.whatsappVerificationExpiresAt);
  const text =
    user.locale === "en"
      ? `Your Aviso verification code: ${code} (valid 10 minutes). If you did not ask for it, ignore this message.`
      : `Seu código de verificação do Aviso: ${code} (válido por 10 minutos). Se não foi você, ignore esta mensagem.`;
  try {
    await sendWhatsAppText(runtime, user.organizationId, user.whatsappPendingNumber, text);
  } catch (error) {
    runtime.log.warn({ userId, to: maskPhone(user.whatsappPendingNumber), err: (error as Error).message }, "verification code not sent");
    // Network trouble and throttling retry; a refused number does not.
    if (error instanceof TransientDeliveryError) throw error;
  }
}

/** Sends a verification code (ids only in the payload: the code is derived, never stored). */
export const numberVerificationJob = defineJob({
  name: "whatsapp-number-verification",
  schema: z.object({ userId: z.string().uuid() }),
  queue: { retryLimit: 3, retryDelay: 5, retryBackoff: true, expireInSeconds: 60 },
  handler: async ({ userId }, runtime) => deliverVerificationCode(runtime, userId),
});

/** Confirms the caller's pending number with the code it received; it then takes effect. */
export async function confirmNumberVerification({ db, runtime, actor }: ServiceContext, code: string): Promise<void> {
  const user = await db.user.findFirst({
    where: { id: actor.userId },
    select: { whatsappPendingNumber: true, whatsappVerificationExpiresAt: true, whatsappVerificationAttempts: true },
  });
  if (!user?.whatsappPendingNumber || !user.whatsappVerificationExpiresAt) throw invalidInput("code", "no number is waiting for verification");
  if (user.whatsappVerificationExpiresAt.getTime() < Date.now()) throw invalidInput("code", "the code expired: set the number again for a new one");
  if (user.whatsappVerificationAttempts >= MAX_CODE_ATTEMPTS) throw invalidInput("code", "too many wrong codes: set the number again for a new one");
  const expected = Buffer.from(verificationCode(runtime, actor.userId, user.whatsappPendingNumber, user.whatsappVerificationExpiresAt));
  const given = Buffer.from(code.trim().slice(0, 6).padEnd(6, " "));
  if (!timingSafeEqual(expected, given)) {
    await db.user.update({ where: { id: actor.userId }, data: { whatsappVerificationAttempts: { increment: 1 } } });
    throw invalidInput("code", "wrong code");
  }
  await db.$transaction([
    db.user.update({
      where: { id: actor.userId },
      data: {
        whatsappNotificationNumber: user.whatsappPendingNumber,
        whatsappNumberVerifiedAt: new Date(),
        whatsappPendingNumber: null,
        whatsappVerificationExpiresAt: null,
        whatsappVerificationAttempts: 0,
      },
    }),
    db.auditLog.create({
      data: { organizationId: actor.organizationId, actorId: actor.userId, action: "whatsapp_number.verified", entityType: "User", entityId: actor.userId, data: { number: maskPhone(user.whatsappPendingNumber) ?? null } },
    }),
  ]);
}

/** An ORG_ADMIN sets a user's number of their organization; it takes effect at once. */
export async function setUserWhatsAppNumber({ db, actor }: ServiceContext, userId: string, number: string | null): Promise<void> {
  const target = await db.user.findFirst({ where: { id: userId }, select: { id: true, role: true } });
  if (!target || target.role === Role.SUPER_ADMIN) throw notFound("User");
  await db.$transaction([
    db.user.update({
      where: { id: userId },
      data: { whatsappNotificationNumber: number, whatsappNumberVerifiedAt: number ? new Date() : null, whatsappPendingNumber: null, whatsappVerificationExpiresAt: null, whatsappVerificationAttempts: 0 },
    }),
    db.auditLog.create({
      data: { organizationId: actor.organizationId, actorId: actor.userId, action: "whatsapp_number.set_by_admin", entityType: "User", entityId: userId, data: { number: maskPhone(number) ?? null } },
    }),
  ]);
}
