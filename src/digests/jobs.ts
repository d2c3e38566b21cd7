import { defineJob } from "../jobs/define.js";
import { DIGEST_DEAD_QUEUE, DIGEST_QUEUE, digestPayload as payload } from "./queue.js";
import { markDigestDead, sendDigest } from "./send.js";

/**
 * Sends one digest at its window's end. Created with a job id derived from (user,
 * channel, window) and startAfter = the window's end, so however many engines and
 * workers touch that window, one job exists and one worker runs it. A worker that dies
 * mid-send leaves the job active: pg-boss expires it and runs it again, and the digest's
 * deliveries are still SCHEDULED, so nothing is lost (the email keeps its Message-ID).
 */
export const digestJob = defineJob({
  name: DIGEST_QUEUE,
  schema: payload,
  queue: (config) => ({
    retryLimit: config.DELIVERY_RETRY_LIMIT,
    retryDelay: Math.max(1, Math.round(config.DELIVERY_RETRY_DELAY_SECONDS)),
    retryBackoff: true,
    expireInSeconds: 120,
    deadLetter: DIGEST_DEAD_QUEUE,
  }),
  work: { pollingIntervalSeconds: 1, batchSize: 10 },
  handler: (data, runtime) => sendDigest(runtime, data.digestId),
});

/** Exhausted digests: the digest and the deliveries it held become DEAD (replayable one by one). */
export const deadDigestJob = defineJob({
  name: DIGEST_DEAD_QUEUE,
  schema: payload,
  work: { pollingIntervalSeconds: 1 },
  handler: (data, runtime) => markDigestDead(runtime, data.digestId),
});

export const digestJobs = [digestJob, deadDigestJob];
