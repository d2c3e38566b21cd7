-- AlterTable
ALTER TABLE "Organization" ADD COLUMN     "messageRetentionDays" INTEGER;

-- AlterTable
ALTER TABLE "User" ADD COLUMN     "whatsappNumberVerifiedAt" TIMESTAMP(3),
ADD COLUMN     "whatsappPendingNumber" TEXT,
ADD COLUMN     "whatsappVerificationAttempts" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "whatsappVerificationExpiresAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "Contact" ADD COLUMN     "erasedAt" TIMESTAMP(3);

-- Numbers set before verification existed were in use: they stay in effect (verified as of this migration).
UPDATE "User" SET "whatsappNumberVerifiedAt" = CURRENT_TIMESTAMP WHERE "whatsappNotificationNumber" IS NOT NULL;
-- Secrets (WhatsApp access tokens, Slack webhook URLs) are encrypted by the application at
-- start-up (src/secrets/reencrypt.ts): the key is not available to SQL.
