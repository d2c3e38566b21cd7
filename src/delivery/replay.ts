import { DeliveryStatus, type Delivery, type Prisma } from "../db/client.js";
import { invalidInput, notFound } from "../errors.js";
import type { JobQueue } from "../jobs/queue.js";
import type { ServiceContext } from "../service-context.js";
import type { ExternalChannel } from "./channel-types.js";
import { deliveryQueues } from "./queues.js";

const REPLAYABLE: DeliveryStatus[] = [DeliveryStatus.FAILED, DeliveryStatus.DEAD];

/** How many dead deliveries one `retryDeadDeliveries` call replays. */
export const REPLAY_BATCH = 1000;

/**
 * Puts a FAILED or DEAD delivery back to PENDING and enqueues it again, in one
 * transaction. `db` is the caller's tenant-scoped client: another organization's
 * delivery is NOT_FOUND.
 */
export async function retryDelivery({ db, runtime, actor }: ServiceContext, deliveryId: string): Promise<Delivery> {
  const { jobs } = runtime;
  return db.$transaction(async (tx) => {
    const delivery = await tx.delivery.findUnique({ where: { id: deliveryId } });
    if (!delivery) throw notFound("Delivery");
    if (delivery.channel === "IN_APP" || !REPLAYABLE.includes(delivery.status)) {
      throw invalidInput("id", `only FAILED or DEAD external deliveries (email, WhatsApp, Slack, web push, SMS) can be retried (this one is ${delivery.channel} ${delivery.status})`);
    }
    const replayed = await replay(tx, jobs, [delivery]);
    await tx.auditLog.create({
      data: { organizationId: actor.organizationId, actorId: actor.userId, action: "delivery.retried", entityType: "Delivery", entityId: delivery.id },
    });
    return replayed[0]!;
  });
}

/** Replays every DEAD delivery of a channel (up to REPLAY_BATCH per call); returns how many. */
export async function retryDeadDeliveries({ db, runtime, actor }: ServiceContext, channel: ExternalChannel): Promise<number> {
  const { jobs } = runtime;
  return db.$transaction(async (tx) => {
    const dead = await tx.delivery.findMany({ where: { status: DeliveryStatus.DEAD, channel }, orderBy: { id: "asc" }, take: REPLAY_BATCH });
    if (dead.length === 0) return 0;
    const replayed = await replay(tx, jobs, dead);
    await tx.auditLog.create({
      data: { organizationId: actor.organizationId, actorId: actor.userId, action: "delivery.dead_retried", entityType: "Delivery", data: { channel, count: replayed.length } },
    });
    return replayed.length;
  });
}

async function replay(tx: Prisma.TransactionClient, jobs: JobQueue, deliveries: Delivery[]): Promise<Delivery[]> {
  const replayed: Delivery[] = [];
  for (const delivery of deliveries) {
    const { count } = await tx.delivery.updateMany({
      where: { id: delivery.id, status: { in: REPLAYABLE } },
      // lastError stays set: a pending delivery with no error reads as "being sent" (outcome.ts).
      data: { status: DeliveryStatus.PENDING, failedAt: null, lastError: delivery.lastError ?? `retried after ${delivery.status}` },
    });
    if (count !== 1) continue;
    await jobs.send(deliveryQueues[delivery.channel as ExternalChannel], { deliveryId: delivery.id }, { tx });
    replayed.push(await tx.delivery.findUniqueOrThrow({ where: { id: delivery.id } }));
  }
  return replayed;
}
