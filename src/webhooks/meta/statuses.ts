import { DeliveryStatus, MessageDirection, MessageStatus, NotificationChannel, type Prisma } from "../../db/client.js";
import type { MetaError, MessageStatusUpdate } from "./payload.js";

/**
 * Which earlier states each status report may move a row from. Statuses only move
 * forward (SENT < DELIVERED < READ), because Meta delivers them unordered: a late
 * `delivered` after `read` changes nothing. FAILED ends any state that is not final.
 */
const MESSAGE_FROM: Record<string, MessageStatus[]> = {
  sent: [MessageStatus.PENDING],
  delivered: [MessageStatus.PENDING, MessageStatus.SENT],
  read: [MessageStatus.PENDING, MessageStatus.SENT, MessageStatus.DELIVERED],
  failed: [MessageStatus.PENDING, MessageStatus.SENT, MessageStatus.DELIVERED],
};

const DELIVERY_FROM: Record<string, DeliveryStatus[]> = {
  sent: [DeliveryStatus.PENDING, DeliveryStatus.SCHEDULED],
  delivered: [DeliveryStatus.PENDING, DeliveryStatus.SCHEDULED, DeliveryStatus.SENT],
  read: [DeliveryStatus.PENDING, DeliveryStatus.SCHEDULED, DeliveryStatus.SENT, DeliveryStatus.DELIVERED],
  failed: [DeliveryStatus.PENDING, DeliveryStatus.SCHEDULED, DeliveryStatus.SENT, DeliveryStatus.DELIVERED],
};

export interface StatusOutcome {
  messagesUpdated: number;
  /** The outbound messages that moved, for `messageUpdated` after commit. */
  updatedMessages: Array<{ id: string; organizationId: string; conversationId: string }>;
  deliveriesUpdated: number;
}

/**
 * Applies one status report of a message the organization sent: moves the outbound
 * Message with that wamid and the WhatsApp Delivery whose provider id it is, forward
 * only. Unknown statuses (Meta's `deleted`, `warning`…) and unknown ids change nothing.
 */
export async function applyStatusUpdate(tx: Prisma.TransactionClient, organizationId: string, update: MessageStatusUpdate): Promise<StatusOutcome> {
  const messageFrom = MESSAGE_FROM[update.status];
  const deliveryFrom = DELIVERY_FROM[update.status];
  if (!messageFrom || !deliveryFrom) return { messagesUpdated: 0, updatedMessages: [], deliveriesUpdated: 0 };
  const at = new Date(update.timestamp * 1000);
  const failed = update.status === "failed";
  const errors = update.errors?.length ? (update.errors as Prisma.InputJsonValue) : undefined;

  const messages = await tx.message.updateManyAndReturn({
    where: { organizationId, externalId: update.id, direction: MessageDirection.OUTBOUND, status: { in: messageFrom } },
    data: {
      status: update.status.toUpperCase() as MessageStatus,
      ...(failed ? { error: describeErrors(update.errors).slice(0, 500), errorCode: update.errors?.[0]?.code ?? null, sendClaimedAt: null } : {}),
      ...(failed && errors ? { errors } : {}),
    },
    select: { id: true, organizationId: true, conversationId: true },
  });

  const timestamps: Prisma.DeliveryUpdateManyMutationInput = {
    sent: { sentAt: at },
    delivered: { deliveredAt: at },
    read: { readAt: at },
    failed: { failedAt: at, lastError: describeErrors(update.errors) },
  }[update.status as "sent" | "delivered" | "read" | "failed"];
  const deliveries = await tx.delivery.updateMany({
    where: { organizationId, channel: NotificationChannel.WHATSAPP, providerMessageId: update.id, status: { in: deliveryFrom } },
    data: { status: update.status.toUpperCase() as DeliveryStatus, ...timestamps },
  });
  return { messagesUpdated: messages.length, updatedMessages: messages, deliveriesUpdated: deliveries.count };
}

/** "131047 Re-engagement message: More than 24 hours have passed…" — what an admin needs to act. */
export function describeErrors(errors: MetaError[] | undefined): string {
  if (!errors?.length) return "failed (Meta gave no reason)";
  return errors
    .map((e) => {
      const details = e.error_data?.details ?? (e.message !== e.title ? e.message : undefined);
      return [`${e.code} ${e.title ?? e.message ?? ""}`.trim(), details].filter(Boolean).join(": ");
    })
    .join("; ");
}
