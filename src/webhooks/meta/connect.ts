import { z } from "zod";
import type { WhatsAppNumber } from "../../db/client.js";
import { invalidInput } from "../../errors.js";
import { keyringFor } from "../../secrets/encryption.js";
import type { ServiceContext } from "../../service-context.js";
import { parseInput } from "../../validation.js";
import { isRaceLost } from "../../db/transaction-retry.js";

export const connectWhatsAppNumberSchema = z.object({
  phoneNumberId: z.string().trim().regex(/^\d{5,30}$/, "must be Meta's numeric phone number id"),
  displayPhoneNumber: z.string().trim().min(3).max(40),
  accessToken: z.string().trim().min(10, "looks too short for a Meta access token").max(4096),
  /** The WhatsApp Business Account id: templates are listed under it. */
  businessAccountId: z.string().trim().regex(/^\d{5,30}$/, "must be Meta's numeric WhatsApp Business Account id").nullish(),
});

export type ConnectWhatsAppNumberInput = z.input<typeof connectWhatsAppNumberSchema>;

const DEFAULT_QUEUE = "Atendimento";

/**
 * Connects (or reconnects, with a new token) a business number to the caller's
 * organization, so webhooks for it route there. A number another organization has
 * connected is refused: the upsert through the tenant-scoped `db` cannot see it, so
 * its create hits the unique phoneNumberId and the whole transaction rolls back.
 * New numbers land in the organization's first queue (or a new "Atendimento").
 */
export async function connectWhatsAppNumber({ db, actor, runtime }: ServiceContext, input: ConnectWhatsAppNumberInput): Promise<WhatsAppNumber> {
  const parsed = parseInput(connectWhatsAppNumberSchema, input);
  const { phoneNumberId, displayPhoneNumber } = parsed;
  const businessAccountId = parsed.businessAccountId ? { businessAccountId: parsed.businessAccountId } : {};
  // Stored encrypted (AES-256-GCM); only the code that calls the Graph API decrypts it.
  const accessToken = keyringFor(runtime.config).encrypt(parsed.accessToken);
  try {
    return await db.$transaction(async (tx) => {
      const queue =
        (await tx.queue.findFirst({ orderBy: { createdAt: "asc" }, select: { id: true } })) ??
        (await tx.queue.create({ data: { organizationId: actor.organizationId, name: DEFAULT_QUEUE }, select: { id: true } }));
      const number = await tx.whatsAppNumber.upsert({
        where: { phoneNumberId },
        create: { organizationId: actor.organizationId, phoneNumberId, displayPhoneNumber, accessToken, defaultQueueId: queue.id, ...businessAccountId },
        update: { displayPhoneNumber, accessToken, ...businessAccountId },
      });
      await tx.auditLog.create({
        data: {
          organizationId: actor.organizationId,
          actorId: actor.userId,
          action: "whatsapp_number.connected",
          entityType: "WhatsAppNumber",
          entityId: number.id,
          // The token is a secret: never in the audit log.
          data: { phoneNumberId, displayPhoneNumber, ...businessAccountId },
        },
      });
      return number;
    });
  } catch (error) {
    if (isRaceLost(error)) throw invalidInput("phoneNumberId", "this WhatsApp number is already connected to another organization");
    throw error;
  }
}
