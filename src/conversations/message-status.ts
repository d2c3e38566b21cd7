import { MessageDirection, MessageStatus, type Prisma } from "../db/client.js";

/** A provider's report on a message the organization sent, already read out of its webhook. */
export interface StatusReport {
  /** The provider's id of the sent message (WhatsApp's wamid). */
  providerMessageId: string;
  /** The provider's status word: `sent`, `delivered`, `read`, `failed`; others are ignored. */
  status: string;
  at: Date;
  /** The provider's errors, as it sent them (kept on a failed message). */
  errors?: Prisma.InputJsonValue;
  /** The errors in words, for an admin (kept on a failed delivery). */
  errorText: string;
}

/**
 * Which earlier states each status report may move an outbound message from. Statuses
 * only move forward (SENT < DELIVERED < READ), because providers report them unordered:
 * a late `delivered` after `read` changes nothing. FAILED ends any state that is not final.
 */
const MESSAGE_FROM: Record<string, MessageStatus[]> = {
  sent: [MessageStatus.PENDING],
  delivered: [MessageStatus.PENDING, MessageStatus.SENT],
  read: [MessageStatus.PENDING, MessageStatus.SENT, MessageStatus.DELIVERED],
  failed: [MessageStatus.PENDING, MessageStatus.SENT, MessageStatus.DELIVERED],
};

/**
 * Moves the organization's outbound message with this provider id forward (only).
 * Unknown statuses and unknown ids change nothing. Returns how many messages moved.
 */
export async function applyMessageStatus(tx: Prisma.TransactionClient, organizationId: string, report: StatusReport): Promise<number> {
  const from = MESSAGE_FROM[report.status];
  if (!from) return 0;
  const failed = report.status === "failed";
  const { count } = await tx.message.updateMany({
    where: { organizationId, externalId: report.providerMessageId, direction: MessageDirection.OUTBOUND, status: { in: from } },
    data: { status: report.status.toUpperCase() as MessageStatus, ...(failed && report.errors !== undefined ? { errors: report.errors } : {}) },
  });
  return count;
}
