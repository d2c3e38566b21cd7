-- AlterTable
ALTER TABLE "Organization" ADD COLUMN     "membersVersion" INTEGER NOT NULL DEFAULT 0;

-- Who hears of an organization's conversations is cached per process (src/organizations/member-directory.ts)
-- and checked against "membersVersion", read with every inbound message. These triggers bump it on every
-- change that can alter recipients, their preferences or the anti-loop numbers, whichever code path writes.
CREATE FUNCTION aviso_bump_members_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_LEVEL = 'ROW' THEN
    UPDATE "Organization" SET "membersVersion" = "membersVersion" + 1
    WHERE id IN (NEW."organizationId", OLD."organizationId");
  ELSIF TG_OP = 'DELETE' THEN
    UPDATE "Organization" SET "membersVersion" = "membersVersion" + 1 WHERE id IN (SELECT DISTINCT "organizationId" FROM gone);
  ELSE
    UPDATE "Organization" SET "membersVersion" = "membersVersion" + 1 WHERE id IN (SELECT DISTINCT "organizationId" FROM added);
  END IF;
  RETURN NULL;
END $$;

-- Bulk inserts and deletes (createMany, cascades) bump once per statement.
CREATE TRIGGER "User_members_added" AFTER INSERT ON "User" REFERENCING NEW TABLE AS added
  FOR EACH STATEMENT EXECUTE FUNCTION aviso_bump_members_version();
CREATE TRIGGER "User_members_gone" AFTER DELETE ON "User" REFERENCING OLD TABLE AS gone
  FOR EACH STATEMENT EXECUTE FUNCTION aviso_bump_members_version();
-- Only the columns recipients depend on: presence, logins and last-inbound times change often and do not.
CREATE TRIGGER "User_members_changed" AFTER UPDATE ON "User" FOR EACH ROW
  WHEN (OLD."organizationId" IS DISTINCT FROM NEW."organizationId" OR OLD.role IS DISTINCT FROM NEW.role
        OR OLD.active IS DISTINCT FROM NEW.active OR OLD.locale IS DISTINCT FROM NEW.locale
        OR OLD."notifyOnNewMessage" IS DISTINCT FROM NEW."notifyOnNewMessage"
        OR OLD."whatsappNotificationNumber" IS DISTINCT FROM NEW."whatsappNotificationNumber"
        OR OLD."whatsappNumberVerifiedAt" IS DISTINCT FROM NEW."whatsappNumberVerifiedAt"
        OR OLD."quietHoursStart" IS DISTINCT FROM NEW."quietHoursStart" OR OLD."quietHoursEnd" IS DISTINCT FROM NEW."quietHoursEnd"
        OR OLD."quietHoursTimeZone" IS DISTINCT FROM NEW."quietHoursTimeZone")
  EXECUTE FUNCTION aviso_bump_members_version();

CREATE TRIGGER "QueueMember_members_added" AFTER INSERT ON "QueueMember" REFERENCING NEW TABLE AS added
  FOR EACH STATEMENT EXECUTE FUNCTION aviso_bump_members_version();
CREATE TRIGGER "QueueMember_members_gone" AFTER DELETE ON "QueueMember" REFERENCING OLD TABLE AS gone
  FOR EACH STATEMENT EXECUTE FUNCTION aviso_bump_members_version();
CREATE TRIGGER "QueueMember_members_changed" AFTER UPDATE ON "QueueMember" FOR EACH ROW
  EXECUTE FUNCTION aviso_bump_members_version();

CREATE TRIGGER "NotificationPreference_members_added" AFTER INSERT ON "NotificationPreference" REFERENCING NEW TABLE AS added
  FOR EACH STATEMENT EXECUTE FUNCTION aviso_bump_members_version();
CREATE TRIGGER "NotificationPreference_members_gone" AFTER DELETE ON "NotificationPreference" REFERENCING OLD TABLE AS gone
  FOR EACH STATEMENT EXECUTE FUNCTION aviso_bump_members_version();
CREATE TRIGGER "NotificationPreference_members_changed" AFTER UPDATE ON "NotificationPreference" FOR EACH ROW
  WHEN (OLD.* IS DISTINCT FROM NEW.*)
  EXECUTE FUNCTION aviso_bump_members_version();

-- One inbound customer message in one round trip (src/conversations/record-inbound.ts): the organization's
-- standing, the contact (upserted: its row lock orders concurrent deliveries of one customer), the wamid
-- duplicate check, the conversation (open one; else the latest resolved, reopened; else a new one with the
-- organization's next number), the message and the counters. Ids of rows it may create come from the caller
-- (uuid v7, as Prisma makes them). A suspended organization gets nothing written: suspended is true.
CREATE FUNCTION aviso_record_inbound(
  p_organization_id uuid, p_queue_id uuid, p_whatsapp_number_id uuid,
  p_wa_id text, p_bsuid text, p_profile_name text,
  p_external_id text, p_type text, p_text text, p_payload jsonb, p_errors jsonb, p_sent_at timestamp(3),
  p_new_ids uuid[]
) RETURNS TABLE (suspended boolean, members_version integer, stored boolean, message_id text, conversation_id text, contact_id text)
LANGUAGE plpgsql AS $$
DECLARE
  v_suspended boolean;
  v_version integer;
  v_now timestamp(3) := now() AT TIME ZONE 'UTC';
  v_contact_id uuid;
  v_conversation_id uuid;
  v_status "ConversationStatus";
  v_number integer;
  v_message_id uuid;
BEGIN
  SELECT o."suspendedAt" IS NOT NULL, o."membersVersion" INTO v_suspended, v_version FROM "Organization" o WHERE o.id = p_organization_id;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'organization % not found', p_organization_id;
  END IF;
  IF v_suspended THEN
    RETURN QUERY SELECT true, v_version, false, NULL::text, NULL::text, NULL::text;
    RETURN;
  END IF;

  IF p_wa_id IS NOT NULL THEN
    INSERT INTO "Contact" AS c (id, "organizationId", "waId", phone, bsuid, name, "updatedAt")
    VALUES (p_new_ids[1], p_organization_id, p_wa_id, '+' || p_wa_id, p_bsuid, p_profile_name, v_now)
    ON CONFLICT ("organizationId", "waId") DO UPDATE
      SET name = COALESCE(EXCLUDED.name, c.name), bsuid = COALESCE(EXCLUDED.bsuid, c.bsuid), "updatedAt" = v_now
    RETURNING c.id INTO v_contact_id;
  ELSIF p_bsuid IS NOT NULL THEN
    -- Only the BSUID: the customer hid their number behind a username.
    INSERT INTO "Contact" AS c (id, "organizationId", bsuid, name, "updatedAt")
    VALUES (p_new_ids[1], p_organization_id, p_bsuid, p_profile_name, v_now)
    ON CONFLICT ("organizationId", bsuid) DO UPDATE SET name = COALESCE(EXCLUDED.name, c.name), "updatedAt" = v_now
    RETURNING c.id INTO v_contact_id;
  ELSE
    RAISE EXCEPTION 'an inbound message needs a wa_id or a user_id';
  END IF;

  -- Meta delivers at least once: a wamid already stored changes nothing.
  IF EXISTS (SELECT 1 FROM "Message" m WHERE m."organizationId" = p_organization_id AND m."externalId" = p_external_id) THEN
    RETURN QUERY SELECT false, v_version, false, NULL::text, NULL::text, NULL::text;
    RETURN;
  END IF;

  -- Unresolved first (there is at most one), then the newest resolved.
  SELECT cv.id, cv.status INTO v_conversation_id, v_status FROM "Conversation" cv
  WHERE cv."organizationId" = p_organization_id AND cv."contactId" = v_contact_id
  ORDER BY cv."resolvedAt" DESC NULLS FIRST, cv."createdAt" DESC LIMIT 1;
  IF v_conversation_id IS NULL THEN
    -- The organization row lock makes the numbers gapless and unique.
    UPDATE "Organization" o SET "conversationSeq" = o."conversationSeq" + 1 WHERE o.id = p_organization_id RETURNING o."conversationSeq" INTO v_number;
    v_conversation_id := p_new_ids[2];
    INSERT INTO "Conversation" (id, "organizationId", "contactId", "queueId", number, status, "updatedAt")
    VALUES (v_conversation_id, p_organization_id, v_contact_id, p_queue_id, v_number, 'OPEN', v_now);
  ELSIF v_status = 'RESOLVED' THEN
    UPDATE "Conversation" SET status = 'OPEN', "resolvedAt" = NULL, "unreadCount" = 0, "awaitingReplySince" = NULL, "slaWarnedAt" = NULL, "updatedAt" = v_now
    WHERE id = v_conversation_id;
  END IF;

  -- ON CONFLICT DO NOTHING: even a race the contact lock did not order stores the message once.
  INSERT INTO "Message" (id, "organizationId", "conversationId", direction, type, text, "externalId", status, payload, errors, "sentAt", "updatedAt")
  VALUES (p_new_ids[3], p_organization_id, v_conversation_id, 'INBOUND', p_type::"MessageType", p_text, p_external_id, 'RECEIVED', p_payload, p_errors, p_sent_at, v_now)
  ON CONFLICT ("organizationId", "externalId") DO NOTHING
  RETURNING id INTO v_message_id;
  IF v_message_id IS NULL THEN
    RETURN QUERY SELECT false, v_version, false, NULL::text, NULL::text, NULL::text;
    RETURN;
  END IF;

  -- Meta delivers out of order: an older message never moves "last message" back (GREATEST skips NULLs).
  -- lastInboundAt opens (or extends) WhatsApp's 24-hour window for answers, which leave from this number.
  UPDATE "Conversation" cv SET
    "unreadCount" = cv."unreadCount" + 1,
    "lastMessageAt" = GREATEST(cv."lastMessageAt", p_sent_at),
    "lastInboundAt" = GREATEST(cv."lastInboundAt", p_sent_at),
    "whatsAppNumberId" = COALESCE(p_whatsapp_number_id, cv."whatsAppNumberId"),
    "awaitingReplySince" = COALESCE(cv."awaitingReplySince", p_sent_at),
    "updatedAt" = v_now
  WHERE cv.id = v_conversation_id;
  UPDATE "Contact" c SET "messageCount" = c."messageCount" + 1, "lastMessageAt" = GREATEST(c."lastMessageAt", p_sent_at), "updatedAt" = v_now
  WHERE c.id = v_contact_id;

  RETURN QUERY SELECT false, v_version, true, v_message_id::text, v_conversation_id::text, v_contact_id::text;
END $$;
