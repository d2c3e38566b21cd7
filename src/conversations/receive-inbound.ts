import type { UnitOfWork } from "../db/unit-of-work.js";
import { notify } from "../notifications/engine.js";
import type { Subject } from "../notifications/subject.js";
import { maskPhone, type Logger } from "../observability/log.js";
import type { Runtime } from "../runtime.js";
import { memberDirectoryOf } from "../organizations/member-directory.js";
import { OrganizationSuspended } from "../organizations/held-webhooks.js";
import { noteAgentInbound, notificationNumberOwners, ownerOfNumber } from "./anti-loop.js";
import { applyMessageStatus, type MovedMessage, type StatusReport } from "./message-status.js";
import { recordInboundMessage, type InboundMessageInput, type SenderIdentity } from "./record-inbound.js";

/** One customer message as the provider's webhook carried it, already read into our terms. */
export interface InboundMessage extends InboundMessageInput {
  sender: SenderIdentity;
}

/** What one organization's business number received in one webhook change. */
export interface InboundChange {
  organizationId: string;
  /** Where a conversation this change opens is queued (the number's default queue). */
  queueId: string | null;
  /** The business number that received it: conversations remember it, answers leave from it. */
  whatsAppNumberId?: string;
  messages: InboundMessage[];
  /** Reports on messages the organization sent. */
  statuses: StatusReport[];
}

/** Everything one provider webhook brought, routed to organizations, in the provider's order. */
export interface InboundBatch {
  /** When the webhook arrived (for the webhook-to-notification latency metric). */
  receivedAt: Date;
  changes: InboundChange[];
}

export interface InboundOutcome {
  messagesStored: number;
  duplicates: number;
  agentMessages: number;
  messageStatusesApplied: number;
}

interface NewMessage {
  organizationId: string;
  conversationId: string;
  messageId: string;
  /** What the engine reads about it, read by the statement that recorded it. */
  subject: Subject;
  /** From an agent's verified notification number: stored and published, never notified (anti-loop). */
  fromAgentNumber?: boolean;
}

/**
 * The conversation side of inbound traffic, inside the caller's transaction: each message
 * is recorded in one statement (contact, conversation and the message once per provider
 * id; nothing for a suspended organization, which throws OrganizationSuspended so the
 * caller holds the webhook), then the anti-loop rule (a message from an agent's verified
 * notification number is stored but raises no notification — a customer's message is
 * never dropped) over the organization's members as of this transaction; status reports
 * move the organization's outbound messages; once every message is recorded, one
 * NEW_MESSAGE per new message goes to the notification engine — its locks (email limits)
 * are then always taken last, after the contact and conversation-number rows, so two
 * webhooks can never hold them in opposite orders and deadlock. After commit the unit
 * publishes the recipients' notifications, then each new message (`messageAdded`) and its
 * conversation (`conversationUpdated`).
 */
export async function receiveInbound(runtime: Runtime, unit: UnitOfWork, batch: InboundBatch, log: Logger = runtime.log): Promise<InboundOutcome> {
  const { tx } = unit;
  const outcome: InboundOutcome = { messagesStored: 0, duplicates: 0, agentMessages: 0, messageStatusesApplied: 0 };
  const newMessages: NewMessage[] = [];
  const movedMessages: MovedMessage[] = [];
  for (const change of batch.changes) {
    const { organizationId } = change;
    for (const message of change.messages) {
      const { sender, ...input } = message;
      const recorded = await recordInboundMessage(tx, {
        organizationId,
        queueId: change.queueId,
        ...(change.whatsAppNumberId ? { whatsAppNumberId: change.whatsAppNumberId } : {}),
        sender,
        message: input,
      });
      // Nothing was written for it: the caller rolls the whole webhook back and holds it.
      if (recorded.suspended) throw new OrganizationSuspended(organizationId);
      // The members as of this transaction (cached per version): who owns a notification number.
      const directory = await memberDirectoryOf(runtime, tx, organizationId, recorded.membersVersion);
      const agent = ownerOfNumber(notificationNumberOwners(directory), sender.waId);
      if (agent) {
        outcome.agentMessages += 1;
        await noteAgentInbound(tx, agent.id, message.sentAt);
        log.info(
          { organizationId, userId: agent.id, from: maskPhone(sender.waId) },
          "message from an agent's notification number: stored without notification",
        );
      }
      if (!recorded.stored) {
        outcome.duplicates += 1;
        continue;
      }
      outcome.messagesStored += 1;
      log.info(
        { organizationId, conversationId: recorded.conversationId, messageId: recorded.messageId, from: maskPhone(sender.waId) },
        "inbound message stored",
      );
      newMessages.push({
        organizationId,
        conversationId: recorded.conversationId,
        messageId: recorded.messageId,
        subject: recorded.subject,
        ...(agent ? { fromAgentNumber: true } : {}),
      });
    }
    for (const status of change.statuses) {
      const moved = await applyMessageStatus(tx, organizationId, status);
      outcome.messageStatusesApplied += moved.length;
      movedMessages.push(...moved);
    }
  }
  // Each outbound message a status moved, to the agents watching its ticks.
  if (movedMessages.length > 0) {
    unit.afterCommit(async () => {
      for (const message of movedMessages)
        await runtime.pubsub.publish("messageUpdated", message.organizationId, { messageId: message.id, conversationId: message.conversationId });
    });
  }
  // Each subject is as its message's statement left it: later messages of the batch leave an
  // open conversation's number, assignee, queue and waiting time as they are (a new profile
  // name shows from their own notifications on), and status reports move outbound messages only.
  for (const { fromAgentNumber, subject, organizationId, conversationId, messageId } of newMessages) {
    if (!fromAgentNumber)
      await notify(runtime, { type: "NEW_MESSAGE", organizationId, conversationId, messageId, receivedAt: batch.receivedAt }, unit, { subject });
  }
  if (newMessages.length > 0) unit.afterCommit(() => publishNewMessages(runtime, newMessages));
  return outcome;
}

async function publishNewMessages(runtime: Runtime, newMessages: NewMessage[]): Promise<void> {
  const conversations = new Map<string, string>();
  for (const message of newMessages) {
    await runtime.pubsub.publish("messageAdded", message.organizationId, { messageId: message.messageId, conversationId: message.conversationId });
    conversations.set(message.conversationId, message.organizationId);
  }
  for (const [conversationId, organizationId] of conversations) {
    await runtime.pubsub.publish("conversationUpdated", organizationId, { conversationId });
  }
}
