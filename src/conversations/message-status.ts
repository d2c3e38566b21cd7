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
  /** The errors in words, for an admin (kept on a failed delivery and as a failed message's `error`). */
  errorText: string;
  /** The provider's first error code, kept on a failed message. */
  errorCode?: number;
}

/** An outbound message a report moved, for `messageUpdated` after commit. */
export interface MovedMessage {
  id: string;
  organizationId: string;
  conversationId: string;
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
 * Moves the organization's outbound message with this provider id forward (only); a
 * failure keeps the provider's errors, their words (`error`) and first code. Unknown
 * statuses and unknown ids change nothing. Returns the messages that moved.
 */
export async function applyMessageStatus(tx: Prisma.TransactionClient, organizationId: string, report: StatusReport): Promise<MovedMessage[]> {
  const from = MESSAGE_FROM[report.status];
  if (!from) return [];
  const failed = report.status === "failed";
  return tx.message.updateManyAndReturn({
    where: { organizationId, externalId: report.providerMessageId, direction: MessageDirection.OUTBOUND, status: { in: from } },
    data: {
      status: report.status.toUpperCase() as MessageStatus,
      ...(failed ? { error: report.errorText.slice(0, 500), errorCode: report.errorCode ?? null, sendClaimedAt: null } : {}),
      ...(failed && report.errors !== undefined ? { errors: report.errors } : {}),
    },
    select: { id: true, organizationId: true, conversationId: true },
  });
}
