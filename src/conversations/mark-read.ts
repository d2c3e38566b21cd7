import type { Viewer } from "../auth/jwt.js";
import type { Conversation, PrismaClient } from "../db/client.js";
import { notFound } from "../errors.js";
import type { Runtime } from "../runtime.js";
import { queueReadReceipt } from "./outbound/read-receipt.js";

/**
 * The agent has read the conversation: its unread count goes back to zero, and (with
 * the organization's `sendReadReceipts`) WhatsApp is told, so the customer sees blue ticks.
 */
export async function markConversationRead(runtime: Runtime, db: PrismaClient, actor: Viewer, conversationId: string): Promise<Conversation> {
  const existing = await db.conversation.findUnique({ where: { id: conversationId }, select: { id: true, unreadCount: true } });
  if (!existing) throw notFound("conversation");
  const conversation = await db.conversation.update({ where: { id: existing.id }, data: { unreadCount: 0 } });
  if (existing.unreadCount !== 0) {
    await queueReadReceipt(runtime, db, conversationId);
    await runtime.pubsub.publish("conversationUpdated", actor.organizationId, { conversationId });
  }
  return conversation;
}
