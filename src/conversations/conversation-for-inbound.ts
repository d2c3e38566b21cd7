import { ConversationStatus, type Conversation, type Prisma } from "../db/client.js";

/**
 * The conversation a new inbound message from `contactId` belongs to: the open (or
 * pending) one; else the most recent resolved one, reopened; else a new one with the
 * organization's next number. Call with the contact's row locked (contactForInbound),
 * so two webhooks cannot both open one; a partial unique index backs that up.
 */
export async function conversationForInbound(
  tx: Prisma.TransactionClient,
  organizationId: string,
  contactId: string,
  queueId: string | null,
): Promise<{ conversation: Conversation; opened: boolean; reopened: boolean }> {
  const latest = await tx.conversation.findFirst({
    where: { organizationId, contactId },
    // Unresolved first (there is at most one), then the newest resolved.
    orderBy: [{ resolvedAt: { sort: "desc", nulls: "first" } }, { createdAt: "desc" }],
  });
  if (latest && latest.status !== ConversationStatus.RESOLVED) return { conversation: latest, opened: false, reopened: false };
  if (latest) {
    const conversation = await tx.conversation.update({
      where: { id: latest.id },
      data: { status: ConversationStatus.OPEN, resolvedAt: null, unreadCount: 0, awaitingReplySince: null, slaWarnedAt: null },
    });
    return { conversation, opened: false, reopened: true };
  }
  const number = await nextConversationNumber(tx, organizationId);
  const conversation = await tx.conversation.create({ data: { organizationId, contactId, queueId, number, status: ConversationStatus.OPEN } });
  return { conversation, opened: true, reopened: false };
}

/** Hands out the organization's next ticket number; the row lock makes it gapless and unique. */
async function nextConversationNumber(tx: Prisma.TransactionClient, organizationId: string): Promise<number> {
  const rows = await tx.$queryRaw<Array<{ conversationSeq: number }>>`
    UPDATE "Organization" SET "conversationSeq" = "conversationSeq" + 1 WHERE "id" = ${organizationId}::uuid RETURNING "conversationSeq"`;
  const row = rows[0];
  if (!row) throw new Error(`organization ${organizationId} not found`);
  return row.conversationSeq;
}
