import { z } from "zod";
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
  /** Its members' version, read with the subject: which cached copy of them is current (src/organizations/member-directory.ts). */
  membersVersion: number;
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
    /** Who muted it until later than now: NEW_MESSAGE skips them. */
    mutedUserIds: string[];
  };
  message?: { id: string; type: MessageType; text: string | null };
  /** A triggered notification's severity (CRITICAL may bypass quiet hours). */
  severity?: AlertSeverity;
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
  membersVersion: true,
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
      const subject = await loadConversationSubject(tx, organizationId, event.conversationId, event.messageId);
      return subject?.message ? subject : null;
    }
    case "CONVERSATION_ASSIGNED":
    case "SLA_WARNING":
      return loadConversationSubject(tx, organizationId, event.conversationId, null);
    case "CAMPAIGN_FAILED":
    case "CUSTOM": {
      const organization = await tx.organization.findUnique({ where: { id: organizationId }, select: organizationSelect });
      const severity = "trigger" in event ? event.trigger.severity : null;
      return organization ? { organization, ...(severity ? { severity } : {}) } : null;
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

/** A row of `aviso_conversation_subject` (migration inbound_subject_in_the_same_statement). */
export interface ConversationSubjectRow {
  id: string;
  number: number;
  assigneeId: string | null;
  queueId: string | null;
  awaitingReplySince: Date | null;
  contactName: string | null;
  contactPhone: string | null;
  organizationId: string;
  locale: string;
  notifyNewMessage: boolean;
  slackWebhookUrl: string | null;
  coalesceWindowSeconds: number;
  emailHourlyLimit: number;
  criticalBypassesQuietHours: boolean;
  membersVersion: number;
  mutedUserIds: string[];
  messageId: string | null;
  messageType: MessageType | null;
  messageText: string | null;
}

const isUuid = (id: string | null) => id === null || z.string().uuid().safeParse(id).success;

/**
 * A conversation with its contact, its mutes, the organization's settings and members'
 * version and (for NEW_MESSAGE) the message, in one round trip. An inbound message's
 * webhook reads it in the statement that records the message (src/conversations/record-inbound.ts).
 */
async function loadConversationSubject(
  tx: Prisma.TransactionClient,
  organizationId: string,
  conversationId: string,
  messageId: string | null,
): Promise<Subject | null> {
  if (![organizationId, conversationId, messageId].every(isUuid)) return null;
  const [row] = await tx.$queryRaw<ConversationSubjectRow[]>`
    SELECT * FROM aviso_conversation_subject(${organizationId}::uuid, ${conversationId}::uuid, ${messageId}::uuid)`;
  return row ? subjectOfRow(row) : null;
}

/** The subject a row of `aviso_conversation_subject` describes. */
export function subjectOfRow(row: ConversationSubjectRow): Subject {
  // A contact without a name is shown by its number, as WhatsApp itself does.
  const contactName = row.contactName?.trim() || (row.contactPhone ? `+${row.contactPhone.replace(/^\+/, "")}` : "?");
  return {
    organization: {
      id: row.organizationId,
      locale: row.locale,
      notifyNewMessage: row.notifyNewMessage,
      slackWebhookUrl: row.slackWebhookUrl,
      coalesceWindowSeconds: row.coalesceWindowSeconds,
      emailHourlyLimit: row.emailHourlyLimit,
      criticalBypassesQuietHours: row.criticalBypassesQuietHours,
      membersVersion: row.membersVersion,
    },
    conversation: {
      id: row.id,
      number: row.number,
      assigneeId: row.assigneeId,
      queueId: row.queueId,
      awaitingReplySince: row.awaitingReplySince,
      contactName,
      mutedUserIds: row.mutedUserIds,
    },
    ...(row.messageId && row.messageType ? { message: { id: row.messageId, type: row.messageType, text: row.messageText } } : {}),
  };
}
