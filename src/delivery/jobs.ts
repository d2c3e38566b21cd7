import { defineJob, type JobDefinition } from "../jobs/define.js";
import type { ExternalChannel } from "./channel-types.js";
import { deliver, deliverBatch } from "./deliver.js";
import { markDead } from "./outcome.js";
import { deadLetterQueueName as deadLetterName, deliveryPayload as payload, deliveryQueueName as queueName } from "./queues.js";

function deliveryJob(channel: ExternalChannel) {
  return defineJob({
    name: queueName(channel),
    schema: payload,
    // DELIVERY_RETRY_LIMIT retries after the first run, DELIVERY_RETRY_DELAY_SECONDS
    // doubling each time; then the job moves to the channel's dead-letter queue.
    queue: (config) => ({
      retryLimit: config.DELIVERY_RETRY_LIMIT,
      retryDelay: Math.max(1, Math.round(config.DELIVERY_RETRY_DELAY_SECONDS)),
      retryBackoff: true,
      // A send times out well within this; past it pg-boss assumes the worker died.
      expireInSeconds: 120,
      deadLetter: deadLetterName(channel),
    }),
    // NOTIFY wakes workers for new jobs only; retries and deferred sends (startAfter) are
    // found by polling, which pg-boss slows to 30 s on NOTIFY queues unless told otherwise.
    // Four batches in flight per process: while one batch reads, claims and records (a few
    // round trips to PostgreSQL), the others keep the SMTP pool's 10 sessions busy.
    work: { pollingIntervalSeconds: 0.5, notifyPollingIntervalSeconds: 0.5, batchSize: 25, localConcurrency: 4 },
    handler: (data, runtime, attempt) => deliver(runtime, channel, data.deliveryId, attempt),
    // A fetched batch shares its reads, claim and writes (deliverBatch).
    batchHandler: (jobs, runtime) => deliverBatch(runtime, channel, jobs),
  });
}

function deadLetterJob(channel: ExternalChannel) {
  return defineJob({
    name: deadLetterName(channel),
    schema: payload,
    work: { pollingIntervalSeconds: 1 },
    handler: (data, runtime) => markDead(runtime, data.deliveryId),
  });
}

/** The workers of the queues in queues.ts: one per channel, sending through its adapter. */
export const deliveryJobs: Record<ExternalChannel, JobDefinition<typeof payload>> = {
  EMAIL: deliveryJob("EMAIL"),
  WHATSAPP: deliveryJob("WHATSAPP"),
  SLACK: deliveryJob("SLACK"),
  WEB_PUSH: deliveryJob("WEB_PUSH"),
  SMS: deliveryJob("SMS"),
};

/** Where exhausted delivery jobs land; their handler marks the delivery DEAD. */
export const deadDeliveryJobs: Record<ExternalChannel, JobDefinition<typeof payload>> = {
  EMAIL: deadLetterJob("EMAIL"),
  WHATSAPP: deadLetterJob("WHATSAPP"),
  SLACK: deadLetterJob("SLACK"),
  WEB_PUSH: deadLetterJob("WEB_PUSH"),
  SMS: deadLetterJob("SMS"),
};
