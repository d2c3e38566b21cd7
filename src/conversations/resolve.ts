import { ConversationStatus, type Conversation } from "../db/client.js";
import { inUnitOfWork } from "../db/unit-of-work.js";
import { notFound } from "../errors.js";
import type { ServiceContext } from "../service-context.js";

/**
 * Closes a conversation. Idempotent: resolving a resolved conversation changes
 * nothing and publishes nothing. The customer's next message reopens it.
 */
export async function resolveConversation({ db, runtime, actor }: ServiceContext, conversationId: string): Promise<Conversation> {
  return inUnitOfWork(db, runtime.log, async ({ tx, afterCommit }) => {
    const existing = await tx.conversation.findUnique({ where: { id: conversationId } });
    if (!existing) throw notFound("conversation");
    if (existing.status === ConversationStatus.RESOLVED) return existing;
    const conversation = await tx.conversation.update({
      where: { id: existing.id },
      // Nobody waits for a reply on a closed conversation: no SLA warning either.
      data: { status: ConversationStatus.RESOLVED, resolvedAt: new Date(), awaitingReplySince: null },
    });
    await tx.auditLog.create({
      data: { organizationId: actor.organizationId, actorId: actor.userId, action: "conversation.resolved", entityType: "Conversation", entityId: conversation.id },
    });
    afterCommit(() => runtime.pubsub.publish("conversationUpdated", actor.organizationId, { conversationId }));
    return conversation;
  });
}
