import type { Viewer } from "../auth/jwt.js";
import { Role, type Conversation, type PrismaClient } from "../db/client.js";
import { notFound } from "../errors.js";
import { notify } from "../notifications/engine.js";
import type { Runtime } from "../runtime.js";

const ASSIGNABLE_ROLES = [Role.AGENT, Role.ORG_ADMIN, Role.SUPER_ADMIN];

/**
 * Gives a conversation to an active agent (or admin) of the caller's organization,
 * records who did it, tells the notification engine (CONVERSATION_ASSIGNED) in the
 * same transaction, and after commit publishes the change. `db` is the caller's
 * tenant-scoped client: another organization's conversation or user is NOT_FOUND.
 */
export async function assignConversation(
  runtime: Runtime,
  db: PrismaClient,
  actor: Viewer,
  input: { conversationId: string; userId: string },
): Promise<Conversation> {
  const { conversation, notified } = await db.$transaction(async (tx) => {
    const existing = await tx.conversation.findUnique({ where: { id: input.conversationId }, select: { id: true, assigneeId: true } });
    if (!existing) throw notFound("conversation");
    const assignee = await tx.user.findFirst({ where: { id: input.userId, active: true, role: { in: ASSIGNABLE_ROLES } }, select: { id: true } });
    if (!assignee) throw notFound("user");
    const conversation = await tx.conversation.update({ where: { id: existing.id }, data: { assigneeId: assignee.id } });
    await tx.auditLog.create({
      data: {
        organizationId: actor.organizationId,
        actorId: actor.userId,
        action: "conversation.assigned",
        entityType: "Conversation",
        entityId: conversation.id,
        data: { from: existing.assigneeId, to: assignee.id },
      },
    });
    if (existing.assigneeId === assignee.id) return { conversation, notified: undefined };
    const notified = await notify(
      runtime,
      { type: "CONVERSATION_ASSIGNED", organizationId: actor.organizationId, conversationId: conversation.id, assigneeId: assignee.id, actorId: actor.userId },
      { tx },
    );
    return { conversation, notified };
  });
  await notified?.publish().catch((error: unknown) => runtime.log.warn({ err: (error as Error).message }, "notification publish failed"));
  await runtime.pubsub.publish("conversationUpdated", actor.organizationId, { conversationId: conversation.id });
  return conversation;
}
