-- CreateTable
CREATE TABLE "PendingFanOut" (
    "id" UUID NOT NULL,
    "organizationId" UUID NOT NULL,
    "plannedAt" TIMESTAMP(3) NOT NULL,
    "deliveries" JSON NOT NULL,
    "emailUserIds" UUID[],
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PendingFanOut_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "PendingFanOut_createdAt_idx" ON "PendingFanOut"("createdAt");

-- AddForeignKey
ALTER TABLE "PendingFanOut" ADD CONSTRAINT "PendingFanOut_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;
