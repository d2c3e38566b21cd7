import type { Conversation } from "../db/client.js";
import { inUnitOfWork } from "../db/unit-of-work.js";
import { notFound } from "../errors.js";
import type { ServiceContext } from "../service-context.js";
import { queueReadReceipt } from "./outbound/read-receipt.js";

/**
 * The agent has read the conversation: its unread count goes back to zero, and (with
 * the organization's `sendReadReceipts`) WhatsApp is told, so the customer sees blue ticks.
 */
export async function markConversationRead({ db, runtime, actor }: ServiceContext, conversationId: string): Promise<Conversation> {
  return inUnitOfWork(db, runtime.log, async ({ tx, afterCommit }) => {
    const existing = await tx.conversation.findUnique({ where: { id: conversationId }, select: { id: true, unreadCount: true } });
    if (!existing) throw notFound("conversation");
    const conversation = await tx.conversation.update({ where: { id: existing.id }, data: { unreadCount: 0 } });
    // The caller's own read marker: their unreadCount counts from here (src/conversations/unread.ts).
    const now = new Date();
    await tx.conversationRead.upsert({
      where: { userId_conversationId: { userId: actor.userId, conversationId: existing.id } },
      create: { userId: actor.userId, conversationId: existing.id, organizationId: actor.organizationId, lastReadAt: now },
      update: { lastReadAt: now },
    });
    if (existing.unreadCount !== 0) {
      await queueReadReceipt(runtime, tx, conversationId);
      afterCommit(() => runtime.pubsub.publish("conversationUpdated", actor.organizationId, { conversationId }));
    }
    return conversation;
  });
}
