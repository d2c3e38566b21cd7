import { MessageDirection, MessageStatus, type MessageType, type Prisma } from "../db/client.js";
import { contactForInbound, type SenderIdentity } from "./contact-for-inbound.js";
import { conversationForInbound } from "./conversation-for-inbound.js";

export interface InboundMessageInput {
  /** The WhatsApp message id (wamid). */
  externalId: string;
  type: MessageType;
  text: string | null;
  /** The raw message object as Meta sent it. */
  payload: Prisma.InputJsonValue;
  errors?: Prisma.InputJsonValue;
  /** Meta's timestamp of the message. */
  sentAt: Date;
}

export type InboundOutcome =
  | { stored: true; messageId: string; conversationId: string; contactId: string }
  /** This wamid is already stored: Meta redelivered it. Nothing changed. */
  | { stored: false };

/**
 * Stores one customer message in its conversation, once per wamid: upserts the
 * contact, finds/reopens/opens the conversation, inserts the message and keeps the
 * counters (unread, message count, last message time, awaiting reply since).
 * Runs inside the caller's transaction; the contact's row lock orders concurrent
 * deliveries of the same customer, so a redelivery sees the first one's message.
 */
export async function recordInboundMessage(
  tx: Prisma.TransactionClient,
  input: { organizationId: string; queueId: string | null; whatsAppNumberId?: string; sender: SenderIdentity; message: InboundMessageInput },
): Promise<InboundOutcome> {
  const { organizationId, message } = input;
  const contact = await contactForInbound(tx, organizationId, input.sender);
  const existing = await tx.message.findUnique({
    where: { organizationId_externalId: { organizationId, externalId: message.externalId } },
    select: { id: true },
  });
  if (existing) return { stored: false };

  const { conversation } = await conversationForInbound(tx, organizationId, contact.id, input.queueId);
  // ON CONFLICT DO NOTHING: even a race the lock did not order stores the message once.
  const [inserted] = await tx.message.createManyAndReturn({
    data: [
      {
        organizationId,
        conversationId: conversation.id,
        direction: MessageDirection.INBOUND,
        type: message.type,
        text: message.text,
        externalId: message.externalId,
        status: MessageStatus.RECEIVED,
        payload: message.payload,
        ...(message.errors !== undefined ? { errors: message.errors } : {}),
        sentAt: message.sentAt,
      },
    ],
    skipDuplicates: true,
    select: { id: true },
  });
  if (!inserted) return { stored: false };

  await tx.conversation.update({
    where: { id: conversation.id },
    data: {
      unreadCount: { increment: 1 },
      lastMessageAt: latest(conversation.lastMessageAt, message.sentAt),
      // Opens (or extends) WhatsApp's 24-hour window for the agents' answers, which leave from this number.
      lastInboundAt: latest(conversation.lastInboundAt, message.sentAt),
      ...(input.whatsAppNumberId ? { whatsAppNumberId: input.whatsAppNumberId } : {}),
      ...(conversation.awaitingReplySince ? {} : { awaitingReplySince: message.sentAt }),
    },
  });
  await tx.contact.update({
    where: { id: contact.id },
    data: { messageCount: { increment: 1 }, lastMessageAt: latest(contact.lastMessageAt, message.sentAt) },
  });
  return { stored: true, messageId: inserted.id, conversationId: conversation.id, contactId: contact.id };
}

// Meta delivers out of order: an older message must not move "last message" back.
function latest(current: Date | null, candidate: Date): Date {
  return current && current > candidate ? current : candidate;
}
