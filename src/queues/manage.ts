import { z } from "zod";
import { Prisma } from "../db/client.js";
import { invalidInput, notFound } from "../errors.js";
import { parseInput } from "../validation.js";
import type { PersonActor, ServiceContext } from "../service-context.js";

/**
 * Queues (the users' "setores"): conversations belong to one, agents are members of
 * several. Every function takes the caller's tenant-scoped client, so ids of another
 * organization are simply NOT_FOUND, and records what it changed in the audit log.
 */

const queueName = z.string().trim().min(1, "must not be empty").max(80, "at most 80 characters");

async function existing<T>(what: string, id: string, find: (id: string) => Promise<T | null>): Promise<T> {
  const row = await find(id);
  if (!row) throw notFound(what);
  return row;
}

function audit(db: Prisma.TransactionClient, actor: PersonActor, action: string, entityType: string, entityId: string, data: Prisma.InputJsonObject) {
  return db.auditLog.create({ data: { organizationId: actor.organizationId, actorId: actor.userId, action, entityType, entityId, data } });
}

export async function createQueue({ db, actor }: ServiceContext, input: { name: string }): Promise<{ id: string }> {
  const name = parseInput(queueName, input.name, "name");
  try {
    return await db.$transaction(async (tx) => {
      const queue = await tx.queue.create({ data: { organizationId: actor.organizationId, name }, select: { id: true } });
      await audit(tx, actor, "queue.created", "Queue", queue.id, { name });
      return queue;
    });
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") throw invalidInput("name", "a queue with this name already exists");
    throw error;
  }
}

/** Adds an active user of the organization to a queue; adding a member again changes nothing. */
export async function addQueueMember({ db, actor }: ServiceContext, { queueId, userId }: { queueId: string; userId: string }): Promise<{ id: string }> {
  const queue = await existing("Queue", queueId, (id) => db.queue.findFirst({ where: { id }, select: { id: true } }));
  await existing("User", userId, (id) => db.user.findFirst({ where: { id, active: true }, select: { id: true } }));
  await db.$transaction(async (tx) => {
    const added = await tx.queueMember.createMany({ data: [{ organizationId: actor.organizationId, queueId, userId }], skipDuplicates: true });
    if (added.count > 0) await audit(tx, actor, "queue.member.added", "Queue", queueId, { userId });
  });
  return queue;
}

/** Removes a member; removing a non-member changes nothing. */
export async function removeQueueMember({ db, actor }: ServiceContext, { queueId, userId }: { queueId: string; userId: string }): Promise<{ id: string }> {
  const queue = await existing("Queue", queueId, (id) => db.queue.findFirst({ where: { id }, select: { id: true } }));
  await db.$transaction(async (tx) => {
    const removed = await tx.queueMember.deleteMany({ where: { queueId, userId } });
    if (removed.count > 0) await audit(tx, actor, "queue.member.removed", "Queue", queueId, { userId });
  });
  return queue;
}
