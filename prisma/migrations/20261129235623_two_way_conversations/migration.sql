-- AlterTable
ALTER TABLE "Organization" ADD COLUMN     "assignOnReply" BOOLEAN NOT NULL DEFAULT true,
ADD COLUMN     "sendReadReceipts" BOOLEAN NOT NULL DEFAULT true;

-- AlterTable
ALTER TABLE "WhatsAppNumber" ADD COLUMN     "businessAccountId" TEXT;

-- AlterTable
ALTER TABLE "Conversation" ADD COLUMN     "firstResponseAt" TIMESTAMP(3),
ADD COLUMN     "lastInboundAt" TIMESTAMP(3),
ADD COLUMN     "whatsAppNumberId" UUID;

-- AlterTable
ALTER TABLE "Message" ADD COLUMN     "clientMessageId" TEXT,
ADD COLUMN     "error" TEXT,
ADD COLUMN     "errorCode" INTEGER,
ADD COLUMN     "outbound" JSONB,
ADD COLUMN     "replyToId" UUID,
ADD COLUMN     "sendAttempts" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "sendClaimedAt" TIMESTAMP(3),
ADD COLUMN     "sentById" UUID;

-- CreateTable
CREATE TABLE "MessageTemplate" (
    "id" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "businessAccountId" TEXT NOT NULL,
    "externalId" TEXT,
    "name" TEXT NOT NULL,
    "language" TEXT NOT NULL,
    "category" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "bodyText" TEXT,
    "parameterCount" INTEGER NOT NULL DEFAULT 0,
    "components" JSONB,
    "syncedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "MessageTemplate_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "MediaUpload" (
    "id" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "whatsAppNumberId" UUID NOT NULL,
    "mediaId" TEXT NOT NULL,
    "mimeType" TEXT NOT NULL,
    "fileSize" INTEGER NOT NULL,
    "fileName" TEXT,
    "uploadedById" UUID,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "MediaUpload_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "MessageTemplate_organizationId_name_language_key" ON "MessageTemplate"("organizationId", "name", "language");

-- CreateIndex
CREATE INDEX "MediaUpload_organizationId_createdAt_idx" ON "MediaUpload"("organizationId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "Message_conversationId_clientMessageId_key" ON "Message"("conversationId", "clientMessageId");

-- AddForeignKey
ALTER TABLE "Conversation" ADD CONSTRAINT "Conversation_whatsAppNumberId_fkey" FOREIGN KEY ("whatsAppNumberId") REFERENCES "WhatsAppNumber"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Message" ADD CONSTRAINT "Message_sentById_fkey" FOREIGN KEY ("sentById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Message" ADD CONSTRAINT "Message_replyToId_fkey" FOREIGN KEY ("replyToId") REFERENCES "Message"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "MessageTemplate" ADD CONSTRAINT "MessageTemplate_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "MediaUpload" ADD CONSTRAINT "MediaUpload_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Existing conversations: the customer's last message opens the 24-hour window, and
-- answers leave from the organization's first connected number.
UPDATE "Conversation" c SET "lastInboundAt" = m.last
FROM (SELECT "conversationId", max(coalesce("sentAt", "createdAt")) AS last FROM "Message" WHERE direction = 'INBOUND' GROUP BY "conversationId") m
WHERE m."conversationId" = c.id;
UPDATE "Conversation" c SET "whatsAppNumberId" = (
  SELECT n.id FROM "WhatsAppNumber" n WHERE n."organizationId" = c."organizationId" ORDER BY n."createdAt", n.id LIMIT 1
);
