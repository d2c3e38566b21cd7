import { z } from "zod";
import { WebhookEventStatus } from "../../db/client.js";
import { defineJob } from "../../jobs/define.js";
import type { Runtime } from "../../runtime.js";
import { webhookEnvelopeSchema } from "./payload.js";
import { processWebhookEvent } from "./process.js";

const RETRY_LIMIT = 8;
// Longer than the slowest run (four transaction attempts of up to 5 s wait + 15 s each),
// yet short enough that a job held by a worker that died is retried within minutes —
// pg-boss's default is 15 minutes, during which the event's messages stay unstored.
const EXPIRE_IN_SECONDS = 120;

/**
 * Processes a stored webhook whose inline processing failed (database hiccup, a bug
 * fixed by a deploy). Retries with exponential backoff from 2 s (~8 minutes in all);
 * the event stays in WebhookEvent whatever happens, marked FAILED at the end.
 */
export const reprocessWebhookEventJob = defineJob({
  name: "meta-webhook-reprocess",
  schema: z.object({ webhookEventId: z.string().uuid() }),
  queue: { retryLimit: RETRY_LIMIT, retryDelay: 2, retryBackoff: true, expireInSeconds: EXPIRE_IN_SECONDS },
  handler: async ({ webhookEventId }, runtime, attempt) => {
    const event = await runtime.prisma.webhookEvent.findUnique({ where: { id: webhookEventId } });
    if (!event || event.status === WebhookEventStatus.PROCESSED || event.status === WebhookEventStatus.IGNORED) return;
    const payload = webhookEnvelopeSchema.safeParse(event.payload);
    if (!payload.success) {
      await markFailed(runtime, webhookEventId, "stored payload is not a WhatsApp Business Account webhook");
      return;
    }
    try {
      await processWebhookEvent(runtime, { id: event.id, payload: payload.data, receivedAt: event.receivedAt });
    } catch (error) {
      const exhausted = attempt.retryCount >= RETRY_LIMIT;
      await recordProcessingFailure(runtime, webhookEventId, error, exhausted);
      throw error;
    }
  },
});

/**
 * Every few minutes, hands the reprocess job any event still RECEIVED well after it
 * arrived: one whose process died between storing and processing it, or whose job
 * could not be enqueued. Processing is idempotent, so a second pass is harmless.
 */
export const sweepWebhookEventsJob = defineJob({
  name: "meta-webhook-sweep",
  // pg-boss sends cron jobs with no payload.
  schema: z.unknown(),
  cron: "*/5 * * * *",
  handler: async (_data, runtime) => {
    const stale = await runtime.prisma.webhookEvent.findMany({
      where: { status: WebhookEventStatus.RECEIVED, receivedAt: { lt: new Date(Date.now() - 5 * 60_000) } },
      select: { id: true },
      orderBy: { receivedAt: "asc" },
      take: 500,
    });
    for (const { id } of stale) await runtime.jobs.send(reprocessWebhookEventJob, { webhookEventId: id }, { singletonKey: id });
    if (stale.length > 0) runtime.log.warn({ count: stale.length }, "stale webhook events sent for reprocessing");
  },
});

export const metaWebhookJobs = [reprocessWebhookEventJob, sweepWebhookEventsJob];

/** Keeps the last error on the event (attempts counted) so an operator can see why it waits. */
export async function recordProcessingFailure(runtime: Runtime, webhookEventId: string, error: unknown, final = false): Promise<void> {
  await runtime.prisma.webhookEvent
    .update({
      where: { id: webhookEventId },
      data: {
        attempts: { increment: 1 },
        error: String((error as Error)?.message ?? error).slice(0, 1000),
        ...(final ? { status: WebhookEventStatus.FAILED } : {}),
      },
    })
    .catch((updateError: unknown) => runtime.log.warn({ err: (updateError as Error).message, webhookEventId }, "could not record webhook failure"));
}

async function markFailed(runtime: Runtime, webhookEventId: string, reason: string) {
  runtime.log.error({ webhookEventId, reason }, "webhook event cannot be processed");
  await runtime.prisma.webhookEvent.update({ where: { id: webhookEventId }, data: { status: WebhookEventStatus.FAILED, error: reason } });
}
