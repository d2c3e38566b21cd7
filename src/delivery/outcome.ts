import { DeliveryStatus, type Delivery } from "../db/client.js";
import type { Runtime } from "../runtime.js";

/** States a delivery can still be sent from; every other state is final for the job. */
export const SENDABLE: DeliveryStatus[] = [DeliveryStatus.PENDING, DeliveryStatus.SCHEDULED];

/**
 * How long a claimed delivery counts as being sent by the job that claimed it. Longer
 * than any provider call (SMTP and HTTP time out well before), so a second job for the
 * same delivery waits instead of sending it twice; a crashed sender frees it after.
 */
export const SEND_LEASE_MS = 60_000;

/** Claimed by a job that has not reported back yet (a claim clears lastError; every failure sets it). */
export function beingSent(delivery: Delivery): boolean {
  return SENDABLE.includes(delivery.status) && delivery.attempts > 0 && delivery.lastError === null && Date.now() - delivery.updatedAt.getTime() < SEND_LEASE_MS;
}

/**
 * Takes the delivery for one send attempt. The row's attempts and updatedAt act as a
 * version: of two jobs that read the same row, exactly one claims it.
 */
export async function claim(runtime: Runtime, delivery: Delivery): Promise<boolean> {
  const { count } = await runtime.prisma.delivery.updateMany({
    where: { id: delivery.id, status: { in: SENDABLE }, attempts: delivery.attempts, updatedAt: delivery.updatedAt },
    data: { attempts: { increment: 1 }, lastError: null },
  });
  return count === 1;
}

/** Gives a claim back when no send happened (the breaker refused), so it costs no attempt. */
export async function releaseClaim(runtime: Runtime, delivery: Delivery, reason: string): Promise<void> {
  await runtime.prisma.delivery.updateMany({
    where: { id: delivery.id, status: { in: SENDABLE }, attempts: delivery.attempts + 1 },
    data: { attempts: delivery.attempts, lastError: reason },
  });
}

async function settle(runtime: Runtime, delivery: Delivery, status: DeliveryStatus, data: object): Promise<void> {
  const { count } = await runtime.prisma.delivery.updateMany({
    where: { id: delivery.id, status: { in: SENDABLE } },
    data: { status, ...data },
  });
  if (count === 1) runtime.metrics.deliveries.inc({ channel: delivery.channel, status });
}

export const recordSent = (runtime: Runtime, delivery: Delivery, providerMessageId: string | null, record: object = {}) =>
  settle(runtime, delivery, DeliveryStatus.SENT, { sentAt: new Date(), providerMessageId, lastError: null, ...record });

export const recordFailed = (runtime: Runtime, delivery: Delivery, reason: string) =>
  settle(runtime, delivery, DeliveryStatus.FAILED, { failedAt: new Date(), lastError: reason });

export const recordSkipped = (runtime: Runtime, delivery: Delivery, reason: string) =>
  settle(runtime, delivery, DeliveryStatus.SKIPPED, { lastError: reason });

/** A failure that will be retried: the reason shows while it waits. */
export async function recordRetryableError(runtime: Runtime, delivery: Delivery, reason: string): Promise<void> {
  await runtime.prisma.delivery.updateMany({ where: { id: delivery.id, status: { in: SENDABLE } }, data: { lastError: reason } });
}

/** Retries ran out (the dead-letter queue's handler): DEAD, keeping the last reason. */
export async function markDead(runtime: Runtime, deliveryId: string): Promise<void> {
  const delivery = await runtime.prisma.delivery.findUnique({ where: { id: deliveryId } });
  if (!delivery) return;
  await settle(runtime, delivery, DeliveryStatus.DEAD, { failedAt: new Date(), lastError: delivery.lastError ?? "retries exhausted" });
}
