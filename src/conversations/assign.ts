import { Role, type Conversation } from "../db/client.js";
import { inUnitOfWork } from "../db/unit-of-work.js";
import { notFound } from "../errors.js";
import { notify } from "../notifications/engine.js";
import type { ServiceContext } from "../service-context.js";

const ASSIGNABLE_ROLES = [Role.AGENT, Role.ORG_ADMIN, Role.SUPER_ADMIN];

/**
 * Gives a conversation to an active agent (or admin) of the caller's organization,
 * records who did it, tells the notification engine (CONVERSATION_ASSIGNED) in the
 * same unit of work, and after commit publishes the change. `db` is the caller's
 * tenant-scoped client: another organization's conversation or user is NOT_FOUND.
 */
export async function assignConversation({ db, runtime, actor }: ServiceContext, input: { conversationId: string; userId: string }): Promise<Conversation> {
  return inUnitOfWork(db, runtime.log, async (unit) => {
    const { tx } = unit;
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
    if (existing.assigneeId !== assignee.id) {
      await notify(
        runtime,
        {
          type: "CONVERSATION_ASSIGNED",
          organizationId: actor.organizationId,
          conversationId: conversation.id,
          assigneeId: assignee.id,
          actorId: actor.userId,
        },
        unit,
      );
    }
    unit.afterCommit(() => runtime.pubsub.publish("conversationUpdated", actor.organizationId, { conversationId: conversation.id }));
    return conversation;
  });
}
