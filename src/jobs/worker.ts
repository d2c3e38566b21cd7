import type { JobResult } from "pg-boss";
import { withLogContext } from "../observability/log-context.js";
import type { Runtime } from "../runtime.js";
import { queueOptions, type BatchJob, type JobDefinition } from "./define.js";

/** What pg-boss hands a worker per job. */
interface FetchedJob {
  id: string;
  data: unknown;
  retryCount: number;
}

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
      (batch): Promise<JobResult[]> => (job.batchHandler ? runBatch(runtime, job, batch) : runEach(runtime, job, batch)),
    );
    if (job.cron) await boss.schedule(job.name, job.cron);
    if (job.atWorkerStart !== undefined) await runtime.jobs.send(job, job.atWorkerStart);
  }
}

/** A payload no handler can read will not get better on retry. */
function rejectPayload(runtime: Runtime, job: JobDefinition, id: string, issues: unknown): JobResult {
  runtime.log.child({ job: job.name, jobId: id }).error({ issues }, "job payload rejected");
  return { id, status: "deadletter", output: { error: "invalid payload" } };
}

function failed(runtime: Runtime, job: JobDefinition, id: string, retryCount: number, error: Error): JobResult {
  runtime.log.child({ job: job.name, jobId: id }).warn({ err: error.message, retryCount }, "job failed");
  return { id, status: "failed", output: { error: error.message } };
}

/** Each job through `handler`, concurrently. */
function runEach(runtime: Runtime, job: JobDefinition, batch: FetchedJob[]): Promise<JobResult[]> {
  return Promise.all(
    batch.map(async ({ id, data, retryCount }): Promise<JobResult> => {
      const payload = job.schema.safeParse(data);
      if (!payload.success) return rejectPayload(runtime, job, id, payload.error.issues);
      try {
        // Every line the handler logs carries the job's name and id.
        await withLogContext({ job: job.name, jobId: id }, () => job.handler(payload.data, runtime, { id, retryCount }));
        return { id, status: "completed" };
      } catch (error) {
        return failed(runtime, job, id, retryCount, error as Error);
      }
    }),
  );
}

/** The whole batch through `batchHandler`; each job settles on its own outcome. */
async function runBatch(runtime: Runtime, job: JobDefinition, batch: FetchedJob[]): Promise<JobResult[]> {
  const results: JobResult[] = [];
  const valid: Array<BatchJob<unknown> & { index: number }> = [];
  for (const [index, { id, data, retryCount }] of batch.entries()) {
    const payload = job.schema.safeParse(data);
    if (payload.success) valid.push({ index, data: payload.data, attempt: { id, retryCount } });
    results[index] = payload.success ? { id, status: "completed" } : rejectPayload(runtime, job, id, payload.error.issues);
  }
  if (valid.length === 0) return results;
  let outcomes: Array<Error | null>;
  try {
    // Every line the handler logs carries the job's name (each delivery's line names its job id).
    outcomes = await withLogContext({ job: job.name }, () => job.batchHandler!(valid, runtime));
  } catch (error) {
    outcomes = valid.map(() => error as Error);
  }
  for (const [i, { index, attempt }] of valid.entries()) {
    const outcome = outcomes[i] ?? null;
    if (outcome) results[index] = failed(runtime, job, attempt.id, attempt.retryCount, outcome);
  }
  return results;
}
