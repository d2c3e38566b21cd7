import { DeliveryStatus, NotificationChannel, type Prisma } from "../db/client.js";
import { SENDABLE } from "./outcome.js";

/** What a provider reported about a message it carried for a delivery. */
export interface ProviderStatusReport {
  /** The id the provider gave the sent message (stored as the delivery's providerMessageId). */
  providerMessageId: string;
  /** `sent`, `delivered`, `read` or `failed`; any other word changes nothing. */
  status: string;
  at: Date;
  /** Why it failed, in words an admin can act on (kept as lastError). */
  errorText: string;
}

/**
 * The delivery state machine's provider-driven edges: which states each report may move
 * a delivery from. The job's own edges (claim, sent, failed, dead) start from the same
 * SENDABLE states (outcome.ts). Reports only move forward (SENT < DELIVERED < READ),
 * because providers send them unordered; FAILED ends any state that is not final.
 */
const FROM: Record<string, DeliveryStatus[]> = {
  sent: [...SENDABLE],
  delivered: [...SENDABLE, DeliveryStatus.SENT],
  read: [...SENDABLE, DeliveryStatus.SENT, DeliveryStatus.DELIVERED],
  failed: [...SENDABLE, DeliveryStatus.SENT, DeliveryStatus.DELIVERED],
};

/**
 * Applies a WhatsApp status report to the organization's delivery whose provider id
 * it is, forward only. Returns how many deliveries moved (0 or 1).
 */
export async function applyProviderStatus(tx: Prisma.TransactionClient, organizationId: string, report: ProviderStatusReport): Promise<number> {
  const from = FROM[report.status];
  if (!from) return 0;
  const { at } = report;
  const timestamps: Prisma.DeliveryUpdateManyMutationInput = {
    sent: { sentAt: at },
    delivered: { deliveredAt: at },
    read: { readAt: at },
    failed: { failedAt: at, lastError: report.errorText },
  }[report.status as "sent" | "delivered" | "read" | "failed"];
  const { count } = await tx.delivery.updateMany({
    where: { organizationId, channel: NotificationChannel.WHATSAPP, providerMessageId: report.providerMessageId, status: { in: from } },
    data: { status: report.status.toUpperCase() as DeliveryStatus, ...timestamps },
  });
  return count;
}
