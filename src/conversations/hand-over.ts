import { recordAudit } from "../audit/record.js";
import { Role, type Conversation } from "../db/client.js";
import { inUnitOfWork } from "../db/unit-of-work.js";
import { forbidden, notFound } from "../errors.js";
import { notify } from "../notifications/engine.js";
import type { NotificationEvent } from "../notifications/events.js";
import type { ServiceContext } from "../service-context.js";

const ASSIGNABLE_ROLES = [Role.AGENT, Role.ORG_ADMIN, Role.SUPER_ADMIN];
const ADMIN_ROLES: Role[] = [Role.ORG_ADMIN, Role.SUPER_ADMIN];

/**
 * One hand-over of a conversation:
 * - `assigneeId`: a user id assigns (or re-assigns) to that user; null unassigns.
 * - `queueId`: moves to that queue; the assignee becomes `assigneeId` (who must be a
 *   member of that queue) or, when it is absent, nobody: the conversation waits there.
 */
export interface HandOver {
  conversationId: string;
  assigneeId?: string | null;
  queueId?: string;
}

/**
 * Hands a conversation over, in one unit of work: the change, an audit row
 * (`conversation.assigned`, `conversation.unassigned`, `conversation.transferred`) and
 * the notifications (CONVERSATION_ASSIGNED) — to the new assignee ("assigned to you"),
 * to the previous one ("no longer yours"), and, when it lands in a queue with nobody
 * assigned, to that queue's agents; never to the actor. After commit the notifications
 * and `conversationUpdated` are published.
 *
 * Rules: anyone with the `agent` scope may assign and unassign; an AGENT may move a
 * conversation only into a queue they belong to (FORBIDDEN otherwise), and only to a
 * teammate of that queue. `db` is the caller's tenant-scoped client: another
 * organization's conversation, queue or user is NOT_FOUND.
 */
export async function handOverConversation({ db, runtime, actor }: ServiceContext, input: HandOver): Promise<Conversation> {
  return inUnitOfWork(db, runtime.log, async (unit) => {
    const { tx } = unit;
    const existing = await tx.conversation.findUnique({ where: { id: input.conversationId }, select: { id: true, assigneeId: true, queueId: true } });
    if (!existing) throw notFound("conversation");
    const queueId = input.queueId ?? existing.queueId;
    if (input.queueId !== undefined) {
      const queue = await tx.queue.findUnique({ where: { id: input.queueId }, select: { id: true } });
      if (!queue) throw notFound("queue");
      if (!ADMIN_ROLES.includes(actor.role)) {
        const member = await tx.queueMember.findUnique({
          where: { queueId_userId: { queueId: input.queueId, userId: actor.userId } },
          select: { userId: true },
        });
        if (!member) throw forbidden("you can only transfer conversations into a queue you belong to");
      }
    }
    const moving = input.queueId !== undefined;
    const assigneeId = input.assigneeId !== undefined ? input.assigneeId : moving ? null : existing.assigneeId;
    if (assigneeId) {
      const assignee = await tx.user.findFirst({ where: { id: assigneeId, active: true, role: { in: ASSIGNABLE_ROLES } }, select: { id: true } });
      if (!assignee) throw notFound("user");
      if (input.queueId !== undefined) {
        const teammate = await tx.queueMember.findUnique({
          where: { queueId_userId: { queueId: input.queueId, userId: assigneeId } },
          select: { userId: true },
        });
        if (!teammate) throw notFound("user");
      }
    }
    const changed = existing.assigneeId !== assigneeId || existing.queueId !== queueId;
    // Handing a conversation to where it already is changes nothing: no audit row, no notification.
    if (!changed) return tx.conversation.findUniqueOrThrow({ where: { id: existing.id } });
    const conversation = await tx.conversation.update({ where: { id: existing.id }, data: { assigneeId, queueId } });
    await recordAudit(tx, actor, {
      action: moving ? "conversation.transferred" : assigneeId ? "conversation.assigned" : "conversation.unassigned",
      targetType: "Conversation",
      targetId: conversation.id,
      data: { from: existing.assigneeId, to: assigneeId, fromQueue: existing.queueId, toQueue: queueId },
    });

    const base = { type: "CONVERSATION_ASSIGNED", organizationId: actor.organizationId, conversationId: conversation.id, actorId: actor.userId } as const;
    const events: NotificationEvent[] = [];
    if (assigneeId && assigneeId !== existing.assigneeId) events.push({ ...base, assigneeId, audience: "assignee" });
    if (existing.assigneeId && existing.assigneeId !== assigneeId) events.push({ ...base, assigneeId: existing.assigneeId, audience: "previous" });
    if (!assigneeId && queueId && moving) events.push({ ...base, assigneeId: null, queueId, audience: "queue" });
    for (const event of events) await notify(runtime, event, unit);
    unit.afterCommit(() => runtime.pubsub.publish("conversationUpdated", actor.organizationId, { conversationId: conversation.id }));
    return conversation;
  });
}
