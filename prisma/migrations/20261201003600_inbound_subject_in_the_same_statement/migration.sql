-- What the notification engine reads about a conversation event (src/notifications/subject.ts): the
-- conversation, its contact, who muted it, the organization's settings and members' version and, for a
-- new message, the message. One definition for both callers below.
CREATE FUNCTION aviso_conversation_subject(p_organization_id uuid, p_conversation_id uuid, p_message_id uuid)
RETURNS TABLE (
  id text, number integer, "assigneeId" text, "queueId" text, "awaitingReplySince" timestamp(3),
  "contactName" text, "contactPhone" text,
  "organizationId" text, locale text, "notifyNewMessage" boolean, "slackWebhookUrl" text, "coalesceWindowSeconds" integer,
  "emailHourlyLimit" integer, "criticalBypassesQuietHours" boolean, "membersVersion" integer,
  "mutedUserIds" text[], "messageId" text, "messageType" text, "messageText" text
)
LANGUAGE sql STABLE AS $$
  SELECT c.id::text, c.number, c."assigneeId"::text, c."queueId"::text, c."awaitingReplySince",
         ct.name, ct.phone,
         o.id::text, o.locale, o."notifyNewMessage", o."slackWebhookUrl", o."coalesceWindowSeconds",
         o."emailHourlyLimit", o."criticalBypassesQuietHours", o."membersVersion",
         ARRAY(SELECT mu."userId"::text FROM "ConversationMute" mu WHERE mu."conversationId" = c.id AND mu.until > now() AT TIME ZONE 'UTC'),
         m.id::text, m.type::text, m.text
  FROM "Conversation" c
  JOIN "Contact" ct ON ct.id = c."contactId"
  JOIN "Organization" o ON o.id = c."organizationId"
  LEFT JOIN "Message" m ON m.id = p_message_id AND m."conversationId" = c.id
  WHERE c.id = p_conversation_id AND c."organizationId" = p_organization_id
$$;

-- aviso_record_inbound, then — when it stored the message — that message's subject, in the same round
-- trip: the webhook's engine then needs no read of its own (src/conversations/record-inbound.ts). Each
-- statement of a plpgsql function sees what the previous ones wrote. The subject's columns are null
-- when nothing was stored.
CREATE FUNCTION aviso_record_inbound_with_subject(
  p_organization_id uuid, p_queue_id uuid, p_whatsapp_number_id uuid,
  p_wa_id text, p_bsuid text, p_profile_name text,
  p_external_id text, p_type text, p_text text, p_payload jsonb, p_errors jsonb, p_sent_at timestamp(3),
  p_new_ids uuid[]
) RETURNS TABLE (
  suspended boolean, members_version integer, stored boolean, message_id text, conversation_id text, contact_id text,
  id text, number integer, "assigneeId" text, "queueId" text, "awaitingReplySince" timestamp(3),
  "contactName" text, "contactPhone" text,
  "organizationId" text, locale text, "notifyNewMessage" boolean, "slackWebhookUrl" text, "coalesceWindowSeconds" integer,
  "emailHourlyLimit" integer, "criticalBypassesQuietHours" boolean, "membersVersion" integer,
  "mutedUserIds" text[], "messageId" text, "messageType" text, "messageText" text
)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  r record;
BEGIN
  SELECT * INTO r FROM aviso_record_inbound(p_organization_id, p_queue_id, p_whatsapp_number_id, p_wa_id, p_bsuid, p_profile_name,
                                            p_external_id, p_type, p_text, p_payload, p_errors, p_sent_at, p_new_ids);
  RETURN QUERY
    SELECT r.suspended, r.members_version, r.stored, r.message_id, r.conversation_id, r.contact_id, s.*
    FROM (SELECT 1) AS one
    LEFT JOIN aviso_conversation_subject(p_organization_id, r.conversation_id::uuid, r.message_id::uuid) AS s ON r.stored;
END $$;
