import { z } from "zod";
import type { JobTarget } from "../jobs/define.js";

/**
 * The digest queue: its name and payload (the digest's id). Just that — the engine
 * enqueues digests without loading the senders; the handler is attached in `jobs.ts`.
 */
export const digestPayload = z.object({ digestId: z.string().uuid() });
export const DIGEST_QUEUE = "send-digest";
export const DIGEST_DEAD_QUEUE = "send-digest-dead";
export const digestQueue: JobTarget<typeof digestPayload> = { name: DIGEST_QUEUE, schema: digestPayload };
