import { BrokenCircuitError } from "cockatiel";
import type { BatchJob, JobAttempt } from "../jobs/define.js";
import type { Runtime } from "../runtime.js";
import { claimAll, recordFailedAll, recordRetryableErrorAll, recordSentAll, recordSkippedAll } from "./batch-outcome.js";
import { breakerFor } from "./breaker.js";
import { PermanentDeliveryError, TransientDeliveryError, type Channel, type DeliveryContext, type SentMessage } from "./channel.js";
import { emailChannel } from "./email.js";
import type { ExternalChannel } from "./channel-types.js";
import { deliveryQueues } from "./queues.js";
import { loadDeliveries } from "./load.js";
import { beingSent, recordRetryableError, releaseClaim, SENDABLE } from "./outcome.js";
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

/** One delivery job of a batch (its payload is the delivery id). */
export type DeliveryJob = BatchJob<{ deliveryId: string }>;

/** A claimed delivery's send, as it ended. */
type SendResult =
  | { kind: "sent"; message: SentMessage }
  | { kind: "failed"; reason: string }
  | { kind: "retry"; reason: string; error: Error }
  /** The breaker refused the call: a test call that ran meanwhile failed, the circuit is open again. */
  | { kind: "circuit" };

/**
 * Sends one delivery through its channel and records the outcome on its row (a batch of
 * one, see `deliverBatch`). Throws when the job should run again.
 */
export async function deliver(runtime: Runtime, channel: ExternalChannel, deliveryId: string, attempt: JobAttempt): Promise<void> {
  const [outcome] = await deliverBatch(runtime, channel, [{ data: { deliveryId }, attempt }]);
  if (outcome) throw outcome;
}

/**
 * Sends a worker's batch of deliveries through their channel and records each outcome
 * on its row. The batch shares its reads (loadDeliveries), its claim (one statement) and
 * its writes (one statement per kind of outcome); the sends run concurrently, as many
 * as the channel's transport takes (the SMTP pool).
 *
 * Idempotent: a delivery that is no longer PENDING/SCHEDULED is left alone, and a send
 * needs a claim only one job can win, so a job run twice sends once (a second job of
 * the same delivery in the same batch waits like one in another worker). Outcomes:
 * accepted → SENT; permanent error → FAILED at once (the job completes); transient
 * error → the reason is recorded and the job fails, so pg-boss retries it with
 * exponential backoff until its dead-letter queue marks the delivery DEAD. While the
 * (organization, channel) circuit is open the provider is not called: the delivery
 * waits in a new job that starts when the circuit lets a test call through, with the
 * retries it had left.
 *
 * Resolves to each job's outcome in order: null completes it, an Error retries it.
 */
export async function deliverBatch(runtime: Runtime, channel: ExternalChannel, jobs: DeliveryJob[]): Promise<Array<Error | null>> {
  const outcomes: Array<Error | null> = jobs.map(() => null);
  const contexts = await loadDeliveries(
    runtime.prisma,
    jobs.map((job) => job.data.deliveryId),
  );
  const sender = CHANNELS[channel];

  // Which jobs may send: one per delivery, in the order pg-boss handed them.
  const candidates: Array<{ index: number; context: DeliveryContext }> = [];
  const taken = new Set<string>();
  for (const [index, job] of jobs.entries()) {
    const { deliveryId } = job.data;
    const context = contexts.get(deliveryId);
    if (!context || context.delivery.channel !== channel) {
      runtime.log.warn({ deliveryId, channel, jobId: job.attempt.id }, "delivery not found for this channel: nothing to send");
      continue;
    }
    if (!SENDABLE.includes(context.delivery.status)) continue;
    if (beingSent(context.delivery) || taken.has(deliveryId)) {
      outcomes[index] = new DeliveryBusyError("delivery is being sent by another job");
      continue;
    }
    taken.add(deliveryId);
    candidates.push({ index, context });
  }

  const reasons = await Promise.all(candidates.map(({ context }) => sender.skipReason(context, runtime)));
  const skipped = candidates.flatMap(({ context }, i) => (reasons[i] ? [{ delivery: context.delivery, reason: reasons[i] }] : []));
  await recordSkippedAll(runtime, channel, skipped);
  for (const { delivery, reason } of skipped) runtime.log.info({ ...logFields(delivery), reason }, "delivery skipped");

  // An open circuit: the delivery waits for it in a new job, without a claim.
  const ready: typeof candidates = [];
  const waiting: Array<Promise<void>> = [];
  for (const [i, candidate] of candidates.entries()) {
    if (reasons[i]) continue;
    const openUntil = breakerFor(runtime, candidate.context.delivery.organizationId, channel).openUntil();
    if (openUntil)
      waiting.push(settleJob(outcomes, candidate.index, () => waitForCircuit(runtime, candidate.context, jobs[candidate.index]!.attempt, openUntil)));
    else ready.push(candidate);
  }
  await Promise.all(waiting);

  const claimed = await claimAll(
    runtime,
    ready.map(({ context }) => context.delivery),
  );
  const sending = ready.filter(({ index, context }) => {
    if (claimed.has(context.delivery.id)) return true;
    outcomes[index] = new DeliveryBusyError("delivery was claimed by another job");
    return false;
  });
  const results = await Promise.all(sending.map(({ context }) => send(runtime, sender, context)));

  const sent: Array<{ delivery: DeliveryContext["delivery"]; message: SentMessage }> = [];
  const failed: Array<{ delivery: DeliveryContext["delivery"]; reason: string }> = [];
  const retrying: Array<{ delivery: DeliveryContext["delivery"]; reason: string }> = [];
  for (const [i, { context }] of sending.entries()) {
    const result = results[i]!;
    if (result.kind === "sent") sent.push({ delivery: context.delivery, message: result.message });
    else if (result.kind === "failed") failed.push({ delivery: context.delivery, reason: result.reason });
    else if (result.kind === "retry") retrying.push({ delivery: context.delivery, reason: result.reason });
  }
  await Promise.all([recordSentAll(runtime, channel, sent), recordFailedAll(runtime, channel, failed), recordRetryableErrorAll(runtime, retrying)]);

  await Promise.all(sending.map(({ index, context }, i) => settleJob(outcomes, index, () => afterSend(runtime, context, jobs[index]!.attempt, results[i]!))));
  return outcomes;
}

/** One claimed delivery through the (organization, channel) breaker to the provider; never rejects. */
async function send(runtime: Runtime, sender: Channel, context: DeliveryContext): Promise<SendResult> {
  const breaker = breakerFor(runtime, context.delivery.organizationId, sender.name);
  try {
    return { kind: "sent", message: await breaker.policy.execute(() => sender.send(context, runtime)) };
  } catch (error) {
    if (error instanceof BrokenCircuitError) return { kind: "circuit" };
    const reason = (error as Error).message || String(error);
    if (error instanceof PermanentDeliveryError) return { kind: "failed", reason };
    return { kind: "retry", reason, error: error as Error };
  }
}

/** After the outcomes are recorded: what each job tells pg-boss (throwing retries it). */
async function afterSend(runtime: Runtime, context: DeliveryContext, attempt: JobAttempt, result: SendResult): Promise<void> {
  const { delivery } = context;
  const channel = delivery.channel as ExternalChannel;
  if (result.kind === "sent") {
    const { record } = result.message;
    if (record?.smsSegments) runtime.metrics.smsSegments.inc({ encoding: record.smsEncoding ?? "unknown" }, record.smsSegments);
    runtime.log.info({ ...logFields(delivery), jobId: attempt.id, attempts: delivery.attempts + 1 }, "delivery sent");
    return;
  }
  if (result.kind === "failed") {
    runtime.log.warn({ ...logFields(delivery), jobId: attempt.id, reason: result.reason }, "delivery failed permanently");
    return;
  }
  if (result.kind === "circuit") {
    // No send happened: the claim is given back (it costs no attempt) and the delivery waits.
    await releaseClaim(runtime, delivery, circuitReason(channel, null));
    const breaker = breakerFor(runtime, delivery.organizationId, channel);
    return waitForCircuit(runtime, context, attempt, breaker.openUntil() ?? new Date(Date.now() + 1000));
  }
  const { error, reason } = result;
  if (error instanceof TransientDeliveryError && error.retryAfterSeconds !== undefined) {
    const left = await retriesLeft(runtime, channel, attempt);
    if (left > 0) {
      // The provider named a time: a new job waits for it, counted as one retry.
      await requeue(runtime, channel, delivery.id, { startAfter: new Date(Date.now() + error.retryAfterSeconds * 1000), retryLimit: left - 1 });
      runtime.log.info({ ...logFields(delivery), jobId: attempt.id, retryAfterSeconds: error.retryAfterSeconds }, "provider asked to retry later");
      return;
    }
  }
  runtime.log.warn({ ...logFields(delivery), jobId: attempt.id, reason, retryCount: attempt.retryCount }, "delivery failed, will retry");
  throw error;
}

/** Runs a job's own follow-up; what it throws becomes that job's outcome, not the batch's. */
async function settleJob(outcomes: Array<Error | null>, index: number, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    outcomes[index] = error as Error;
  }
}

/** Ids only: never addresses or message text. */
function logFields(delivery: DeliveryContext["delivery"]) {
  return {
    deliveryId: delivery.id,
    channel: delivery.channel,
    organizationId: delivery.organizationId,
    userId: delivery.userId,
    notificationId: delivery.notificationId,
  };
}

async function waitForCircuit(runtime: Runtime, context: DeliveryContext, attempt: JobAttempt, until: Date): Promise<void> {
  const channel = context.delivery.channel as ExternalChannel;
  const retryLimit = await retriesLeft(runtime, channel, attempt);
  await recordRetryableError(runtime, context.delivery, circuitReason(channel, until));
  await requeue(runtime, channel, context.delivery.id, { startAfter: until, retryLimit });
  runtime.log.info({ deliveryId: context.delivery.id, channel, organizationId: context.delivery.organizationId, until }, "circuit open: delivery waits");
}

/**
 * The delivery's next job, at most one waiting per delivery: keyed by the delivery id
 * (src/jobs/queue.ts `sendKeyed`), under the delivery row's lock, so two of its jobs
 * meeting an open circuit at the same moment leave one waiting job, not two.
 */
async function requeue(runtime: Runtime, channel: ExternalChannel, deliveryId: string, options: { startAfter: Date; retryLimit: number }): Promise<void> {
  await runtime.prisma.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT id FROM "Delivery" WHERE id = ${deliveryId}::uuid FOR UPDATE`;
    await runtime.jobs.sendKeyed(deliveryQueues[channel], { deliveryId }, deliveryId, { ...options, tx });
  });
}

function circuitReason(channel: ExternalChannel, until: Date | null): string {
  return `circuit open: ${channel} provider failing${until ? `, waiting until ${until.toISOString()}` : ""}`;
}

/** Retries this job may still use: its own limit (set per job when re-enqueued) minus those used. */
async function retriesLeft(runtime: Runtime, channel: ExternalChannel, attempt: JobAttempt): Promise<number> {
  const job = attempt.id ? await runtime.jobs.boss.getJobById(deliveryQueues[channel].name, attempt.id) : null;
  return Math.max(0, (job?.retryLimit ?? runtime.config.DELIVERY_RETRY_LIMIT) - attempt.retryCount);
}
