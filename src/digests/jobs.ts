import { z } from "zod";
import { defineJob } from "../jobs/define.js";
import { markDigestDead, sendDigest } from "./send.js";

const payload = z.object({ digestId: z.string().uuid() });

/**
 * Sends one digest at its window's end. Created with a job id derived from (user,
 * channel, window) and startAfter = the window's end, so however many engines and
 * workers touch that window, one job exists and one worker runs it. A worker that dies
 * mid-send leaves the job active: pg-boss expires it and runs it again, and the digest's
 * deliveries are still SCHEDULED, so nothing is lost (the email keeps its Message-ID).
 */
export const digestJob = defineJob({
  name: "send-digest",
  schema: payload,
  queue: (config) => ({
    retryLimit: config.DELIVERY_RETRY_LIMIT,
    retryDelay: Math.max(1, Math.round(config.DELIVERY_RETRY_DELAY_SECONDS)),
    retryBackoff: true,
    expireInSeconds: 120,
    deadLetter: "send-digest-dead",
  }),
  work: { pollingIntervalSeconds: 1, batchSize: 10 },
  handler: (data, runtime) => sendDigest(runtime, data.digestId),
});

/** Exhausted digests: the digest and the deliveries it held become DEAD (replayable one by one). */
export const deadDigestJob = defineJob({
  name: "send-digest-dead",
  schema: payload,
  work: { pollingIntervalSeconds: 1 },
  handler: (data, runtime) => markDigestDead(runtime, data.digestId),
});

export const digestJobs = [digestJob, deadDigestJob];
