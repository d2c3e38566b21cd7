import { BrokenCircuitError } from "cockatiel";
import type { Runtime } from "../runtime.js";
import { breakerFor } from "./breaker.js";
import { PermanentDeliveryError, TransientDeliveryError, type Channel, type DeliveryContext } from "./channel.js";
import { emailChannel } from "./email.js";
import type { ExternalChannel } from "./channel-types.js";
import { deliveryQueues } from "./queues.js";
import { loadDelivery } from "./load.js";
import { beingSent, claim, recordFailed, recordRetryableError, recordSent, recordSkipped, releaseClaim, SENDABLE } from "./outcome.js";
import { slackChannel } from "./slack.js";
import { smsChannel } from "./sms.js";
import { webPushChannel } from "./web-push.js";
import { whatsappChannel } from "./whatsapp.js";

const CHANNELS: Record<ExternalChannel, Channel> = {
  EMAIL: emailChannel,
  WHATSAPP: whatsappChannel,
  SLACK: slackChannel,
  WEB_PUSH: webPushChannel,
  SMS: smsChannel,
};

/** Thrown to have pg-boss run the job again later (another job holds the delivery). */
class DeliveryBusyError extends Error {}

/**
 * Sends one delivery through its channel and records the outcome on its row.
 *
 * Idempotent: a delivery that is no longer PENDING/SCHEDULED is left alone, and a send
 * needs a claim only one job can win, so a job run twice sends once. Outcomes:
 * accepted → SENT; permanent error → FAILED at once (the job completes); transient
 * error → the reason is recorded and the job throws, so pg-boss retries it with
 * exponential backoff until its dead-letter queue marks the delivery DEAD. While the
 * (organization, channel) circuit is open the provider is not called: the delivery
 * waits in a new job that starts when the circuit lets a test call through, with the
 * retries it had left.
 */
export async function deliver(runtime: Runtime, channel: ExternalChannel, deliveryId: string, attempt: { retryCount: number; id?: string }): Promise<void> {
  const context = await loadDelivery(runtime.prisma, deliveryId);
  if (!context || context.delivery.channel !== channel) {
    runtime.log.warn({ deliveryId, channel }, "delivery not found for this channel: nothing to send");
    return;
  }
  const { delivery } = context;
  const log = runtime.log.child({
    deliveryId,
    channel,
    organizationId: delivery.organizationId,
    userId: delivery.userId,
    notificationId: delivery.notificationId,
  });
  if (!SENDABLE.includes(delivery.status)) return;
  if (beingSent(delivery)) throw new DeliveryBusyError("delivery is being sent by another job");

  const sender = CHANNELS[channel];
  const skipReason = await sender.skipReason(context, runtime);
  if (skipReason) {
    await recordSkipped(runtime, delivery, skipReason);
    log.info({ reason: skipReason }, "delivery skipped");
    return;
  }
  const breaker = breakerFor(runtime, delivery.organizationId, channel);
  const openUntil = breaker.openUntil();
  if (openUntil) return waitForCircuit(runtime, context, attempt, openUntil);
  if (!(await claim(runtime, delivery))) throw new DeliveryBusyError("delivery was claimed by another job");

  try {
    const sent = await breaker.policy.execute(() => sender.send(context, runtime));
    await recordSent(runtime, delivery, sent.providerMessageId, sent.record);
    if (sent.record?.smsSegments) runtime.metrics.smsSegments.inc({ encoding: sent.record.smsEncoding ?? "unknown" }, sent.record.smsSegments);
    log.info({ attempts: delivery.attempts + 1 }, "delivery sent");
  } catch (error) {
    if (error instanceof BrokenCircuitError) {
      // The test call that ran while we waited failed: the circuit is open again.
      await releaseClaim(runtime, delivery, circuitReason(channel, null));
      return waitForCircuit(runtime, context, attempt, breaker.openUntil() ?? new Date(Date.now() + 1000));
    }
    const reason = (error as Error).message || String(error);
    if (error instanceof PermanentDeliveryError) {
      await recordFailed(runtime, delivery, reason);
      log.warn({ reason }, "delivery failed permanently");
      return;
    }
    await recordRetryableError(runtime, delivery, reason);
    if (error instanceof TransientDeliveryError && error.retryAfterSeconds !== undefined) {
      const left = await retriesLeft(runtime, channel, attempt);
      if (left > 0) {
        // The provider named a time: a new job waits for it, counted as one retry.
        await runtime.jobs.send(deliveryQueues[channel], { deliveryId }, { startAfter: new Date(Date.now() + error.retryAfterSeconds * 1000), retryLimit: left - 1 });
        log.info({ retryAfterSeconds: error.retryAfterSeconds }, "provider asked to retry later");
        return;
      }
    }
    log.warn({ reason, retryCount: attempt.retryCount }, "delivery failed, will retry");
    throw error;
  }
}

async function waitForCircuit(runtime: Runtime, context: DeliveryContext, attempt: { retryCount: number; id?: string }, until: Date): Promise<void> {
  const channel = context.delivery.channel as ExternalChannel;
  const retryLimit = await retriesLeft(runtime, channel, attempt);
  await recordRetryableError(runtime, context.delivery, circuitReason(channel, until));
  await runtime.jobs.send(deliveryQueues[channel], { deliveryId: context.delivery.id }, { startAfter: until, retryLimit });
  runtime.log.info({ deliveryId: context.delivery.id, channel, organizationId: context.delivery.organizationId, until }, "circuit open: delivery waits");
}

function circuitReason(channel: ExternalChannel, until: Date | null): string {
  return `circuit open: ${channel} provider failing${until ? `, waiting until ${until.toISOString()}` : ""}`;
}

/** Retries this job may still use: its own limit (set per job when re-enqueued) minus those used. */
async function retriesLeft(runtime: Runtime, channel: ExternalChannel, attempt: { retryCount: number; id?: string }): Promise<number> {
  const job = attempt.id ? await runtime.jobs.boss.getJobById(deliveryQueues[channel].name, attempt.id) : null;
  return Math.max(0, (job?.retryLimit ?? runtime.config.DELIVERY_RETRY_LIMIT) - attempt.retryCount);
}
