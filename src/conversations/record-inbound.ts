import { v7 as uuidv7 } from "uuid";
import type { MessageType, Prisma } from "../db/client.js";
import { subjectOfRow, type ConversationSubjectRow, type Subject } from "../notifications/subject.js";

/** Who wrote, as the webhook names them: the phone's digits and/or the business-scoped user id. */
export interface SenderIdentity {
  waId?: string;
  bsuid?: string;
  profileName?: string;
}

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

/** What the organization's row said when the message was recorded. */
interface OrganizationStanding {
  /** Its members' version (src/organizations/member-directory.ts), read in this transaction. */
  membersVersion: number;
}

export type InboundOutcome =
  | ({
      stored: true;
      suspended?: false;
      messageId: string;
      conversationId: string;
      contactId: string;
      /** What the notification engine reads about this message, as this transaction sees it right after recording it. */
      subject: Subject;
    } & OrganizationStanding)
  /** This wamid is already stored: Meta redelivered it. Nothing changed but the contact's profile. */
  | ({ stored: false; suspended?: false } & OrganizationStanding)
  /** The organization is suspended: nothing was written; the caller holds the webhook. */
  | ({ stored: false; suspended: true } & OrganizationStanding);

type RecordedRow = {
  suspended: boolean;
  members_version: number;
  stored: boolean;
  message_id: string | null;
  conversation_id: string | null;
  contact_id: string | null;
  // The subject's columns: null when nothing was stored.
} & { [K in keyof ConversationSubjectRow]: ConversationSubjectRow[K] | null };

/**
 * Stores one customer message in its conversation, once per wamid, in ONE round trip
 * (`aviso_record_inbound_with_subject`: the SQL function `aviso_record_inbound`,
 * prisma/migrations/*_inbound_in_one_statement, then the new message's notification
 * subject, so the engine reads none of its own): upserts the contact — its row lock
 * orders concurrent deliveries of the same customer, so a redelivery sees the first
 * one's message — finds/reopens/opens the conversation, inserts the message and keeps
 * the counters (unread, message count, last message time, awaiting reply since). Runs
 * inside the caller's transaction. Writes nothing for a suspended organization.
 */
export async function recordInboundMessage(
  tx: Prisma.TransactionClient,
  input: { organizationId: string; queueId: string | null; whatsAppNumberId?: string; sender: SenderIdentity; message: InboundMessageInput },
): Promise<InboundOutcome> {
  const { organizationId, message, sender } = input;
  if (!sender.waId && !sender.bsuid) throw new Error("an inbound message needs a wa_id or a user_id");
  const newIds = [uuidv7(), uuidv7(), uuidv7()];
  const [row] = await tx.$queryRaw<RecordedRow[]>`
    SELECT * FROM aviso_record_inbound_with_subject(
      ${organizationId}::uuid, ${input.queueId}::uuid, ${input.whatsAppNumberId ?? null}::uuid,
      ${sender.waId ?? null}::text, ${sender.bsuid ?? null}::text, ${sender.profileName || null}::text,
      ${message.externalId}::text, ${message.type}::text, ${message.text}::text,
      ${JSON.stringify(message.payload)}::jsonb, ${message.errors === undefined ? null : JSON.stringify(message.errors)}::jsonb,
      ${message.sentAt.toISOString()}::timestamptz AT TIME ZONE 'UTC', ${newIds}::uuid[])`;
  if (!row) throw new Error("aviso_record_inbound_with_subject returned no row");
  const standing = { membersVersion: row.members_version };
  if (row.suspended) return { stored: false, suspended: true, ...standing };
  if (!row.stored || !row.message_id || !row.conversation_id || !row.contact_id) return { stored: false, ...standing };
  if (row.id === null) throw new Error("aviso_record_inbound_with_subject stored a message but found no conversation for it");
  // Every subject column is as the subject's own read returns it once its conversation exists.
  const subject = subjectOfRow(row as ConversationSubjectRow);
  return { stored: true, messageId: row.message_id, conversationId: row.conversation_id, contactId: row.contact_id, subject, ...standing };
}
