import type { JobResult } from "pg-boss";
import { withLogContext } from "../observability/log-context.js";
import type { Runtime } from "../runtime.js";
import { queueOptions, type JobDefinition } from "./define.js";

/** Creates every queue (idempotent); API-only instances need them to send jobs. */
export async function createQueues(runtime: Runtime, definitions: readonly JobDefinition[]): Promise<void> {
  const { boss } = runtime.jobs;
  for (const job of definitions) {
    const options = queueOptions(job, runtime.config);
    const deadLetter = options?.deadLetter;
    if (deadLetter) await boss.createQueue(deadLetter, { retentionSeconds: 14 * 24 * 3600 });
    await boss.createQueue(job.name, { notify: true, ...options });
    // createQueue keeps an existing queue as it was: apply retry settings changed since.
    if (options) {
      const { policy: _policy, partition: _partition, ...changeable } = options;
      await boss.updateQueue(job.name, changeable);
    }
  }
}

/**
 * Starts a worker per job and the cron schedules. Each job of a batch is settled on
 * its own: one failure retries that job only.
 */
export async function startWorkers(runtime: Runtime, definitions: readonly JobDefinition[]): Promise<void> {
  const { boss } = runtime.jobs;
  for (const job of definitions) {
    await boss.work(
      job.name,
      {
        batchSize: 20,
        pollingIntervalSeconds: 2,
        // NOTIFY wakes workers when a job is created, not when a delayed job (startAfter,
        // retry backoff) comes due: keep polling at the normal pace as the backstop
        // instead of pg-boss's 30 s default for notify-enabled queues.
        notifyPollingIntervalSeconds: job.work?.pollingIntervalSeconds ?? 2,
        // A full batch means more is waiting: fetch again at once instead of after a poll.
        burstWhenBatchFull: true,
        perJobResults: true,
        ...job.work,
      },
      async (batch): Promise<JobResult[]> =>
        Promise.all(
          batch.map(async ({ id, data, retryCount }): Promise<JobResult> => {
            const log = runtime.log.child({ job: job.name, jobId: id });
            const payload = job.schema.safeParse(data);
            if (!payload.success) {
              // A payload no handler can read will not get better on retry.
              log.error({ issues: payload.error.issues }, "job payload rejected");
              return { id, status: "deadletter", output: { error: "invalid payload" } };
            }
            try {
              // Every line the handler logs carries the job's name and id.
              await withLogContext({ job: job.name, jobId: id }, () => job.handler(payload.data, runtime, { id, retryCount }));
              return { id, status: "completed" };
            } catch (error) {
              log.warn({ err: (error as Error).message, retryCount }, "job failed");
              return { id, status: "failed", output: { error: (error as Error).message } };
            }
          }),
        ),
    );
    if (job.cron) await boss.schedule(job.name, job.cron);
    if (job.atWorkerStart !== undefined) await runtime.jobs.send(job, job.atWorkerStart);
  }
}
