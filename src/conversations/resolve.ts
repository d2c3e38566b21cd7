import type { Viewer } from "../auth/jwt.js";
import { ConversationStatus, type Conversation, type PrismaClient } from "../db/client.js";
import { notFound } from "../errors.js";
import type { Runtime } from "../runtime.js";

/**
 * Closes a conversation. Idempotent: resolving a resolved conversation changes
 * nothing and publishes nothing. The customer's next message reopens it.
 */
export async function resolveConversation(runtime: Runtime, db: PrismaClient, actor: Viewer, conversationId: string): Promise<Conversation> {
  const result = await db.$transaction(async (tx) => {
    const existing = await tx.conversation.findUnique({ where: { id: conversationId } });
    if (!existing) throw notFound("conversation");
    if (existing.status === ConversationStatus.RESOLVED) return { conversation: existing, changed: false };
    const conversation = await tx.conversation.update({
      where: { id: existing.id },
      // Nobody waits for a reply on a closed conversation: no SLA warning either.
      data: { status: ConversationStatus.RESOLVED, resolvedAt: new Date(), awaitingReplySince: null },
    });
    await tx.auditLog.create({
      data: {
        organizationId: actor.organizationId,
        actorId: actor.userId,
        action: "conversation.resolved",
        entityType: "Conversation",
        entityId: conversation.id,
      },
    });
    return { conversation, changed: true };
  });
  if (result.changed) await runtime.pubsub.publish("conversationUpdated", actor.organizationId, { conversationId });
  return result.conversation;
}
