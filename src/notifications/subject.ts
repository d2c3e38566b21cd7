import type { AlertSeverity, MessageType, Prisma } from "../db/client.js";
import type { NotificationEvent } from "./events.js";

/** The organization settings the engine applies. */
export interface EngineOrganization {
  id: string;
  locale: string;
  notifyNewMessage: boolean;
  slackWebhookUrl: string | null;
  coalesceWindowSeconds: number;
  emailHourlyLimit: number;
  criticalBypassesQuietHours: boolean;
}

/** What an event is about, read once per event (not per recipient). */
export interface Subject {
  organization: EngineOrganization;
  conversation?: {
    id: string;
    number: number;
    assigneeId: string | null;
    queueId: string | null;
    awaitingReplySince: Date | null;
    contactName: string;
  };
  message?: { id: string; type: MessageType; text: string | null };
  alert?: {
    id: string;
    title: string;
    description: string | null;
    severity: AlertSeverity;
    escalationLevel: number;
    createdAt: Date;
    resolvedAt: Date | null;
  };
}

const organizationSelect = {
  id: true,
  locale: true,
  notifyNewMessage: true,
  slackWebhookUrl: true,
  coalesceWindowSeconds: true,
  emailHourlyLimit: true,
  criticalBypassesQuietHours: true,
} as const;

const conversationSelect = {
  id: true,
  number: true,
  assigneeId: true,
  queueId: true,
  awaitingReplySince: true,
  contact: { select: { name: true, phone: true } },
  organization: { select: organizationSelect },
} as const;

/**
 * Reads the event's subject inside the engine's transaction (so a message the
 * caller has just written in its own transaction is seen). Null when the subject
 * is gone or belongs to another organization: there is nothing to notify.
 */
export async function loadSubject(tx: Prisma.TransactionClient, event: NotificationEvent): Promise<Subject | null> {
  const organizationId = event.organizationId;
  switch (event.type) {
    case "NEW_MESSAGE": {
      const [conversation, message] = await Promise.all([
        tx.conversation.findFirst({ where: { id: event.conversationId, organizationId }, select: conversationSelect }),
        tx.message.findFirst({ where: { id: event.messageId, organizationId }, select: { id: true, type: true, text: true } }),
      ]);
      if (!conversation || !message) return null;
      return { organization: conversation.organization, conversation: flattenConversation(conversation), message };
    }
    case "CONVERSATION_ASSIGNED":
    case "SLA_WARNING": {
      const conversation = await tx.conversation.findFirst({ where: { id: event.conversationId, organizationId }, select: conversationSelect });
      if (!conversation) return null;
      return { organization: conversation.organization, conversation: flattenConversation(conversation) };
    }
    case "CAMPAIGN_FAILED": {
      const organization = await tx.organization.findUnique({ where: { id: organizationId }, select: organizationSelect });
      return organization ? { organization } : null;
    }
    default: {
      const alert = await tx.alert.findFirst({
        where: { id: event.alertId, organizationId },
        select: {
          id: true,
          title: true,
          description: true,
          severity: true,
          escalationLevel: true,
          createdAt: true,
          resolvedAt: true,
          organization: { select: organizationSelect },
        },
      });
      if (!alert) return null;
      const { organization, ...rest } = alert;
      return { organization, alert: rest };
    }
  }
}

function flattenConversation(row: {
  id: string;
  number: number;
  assigneeId: string | null;
  queueId: string | null;
  awaitingReplySince: Date | null;
  contact: { name: string | null; phone: string | null };
}): NonNullable<Subject["conversation"]> {
  // A contact without a name is shown by its number, as WhatsApp itself does.
  const contactName = row.contact.name?.trim() || (row.contact.phone ? `+${row.contact.phone.replace(/^\+/, "")}` : "?");
  return {
    id: row.id,
    number: row.number,
    assigneeId: row.assigneeId,
    queueId: row.queueId,
    awaitingReplySince: row.awaitingReplySince,
    contactName,
  };
}
