import { Prisma, type PrismaClient } from "../db/client.js";

/**
 * How many customer messages each conversation holds that `userId` has not read: the
 * INBOUND messages after their last read (ConversationRead, written by
 * markConversationRead). A user who never opened a conversation sees the team's count
 * (the conversation's own counter, reset by anyone's read). One query for a page.
 */
export async function unreadCountsFor(db: PrismaClient, userId: string, conversationIds: string[]): Promise<Map<string, number>> {
  if (conversationIds.length === 0) return new Map();
  const rows = await db.$queryRaw<Array<{ id: string; unread: number }>>(Prisma.sql`
    SELECT c."id"::text AS id,
      CASE WHEN r."lastReadAt" IS NULL THEN c."unreadCount"
           ELSE (SELECT count(*)::int FROM "Message" m
                 WHERE m."conversationId" = c."id" AND m."direction" = 'INBOUND' AND m."createdAt" > r."lastReadAt") END AS unread
    FROM "Conversation" c
    LEFT JOIN "ConversationRead" r ON r."conversationId" = c."id" AND r."userId" = ${userId}::uuid
    WHERE c."id" IN (${Prisma.join(conversationIds.map((id) => Prisma.sql`${id}::uuid`))})`);
  return new Map(rows.map((r) => [r.id, r.unread]));
}
