import type { Queue, SendOptions, WorkOptions } from "pg-boss";
import type { z } from "zod";
import type { Config } from "../config/index.js";
import type { Runtime } from "../runtime.js";
import type { JobTarget } from "./queue.js";

/** What a handler learns of the job beyond its payload. */
export interface JobAttempt {
  id: string;
  /** 0 on the first run; pg-boss counts retries. */
  retryCount: number;
}

/**
 * One asynchronous job: its queue name, the zod schema of its payload (ids only,
 * never rows or bodies), the queue's retry policy and the handler. Every job lives
 * in its domain's `jobs.ts` and is listed once in `src/jobs/registry.ts`.
 */
export interface JobDefinition<S extends z.ZodTypeAny = z.ZodTypeAny> {
  name: string;
  schema: S;
  /** Queue options, or a function of the configuration when they depend on it (retry policy from env). */
  queue?: QueueOptionsOf | ((config: Config) => QueueOptionsOf);
  work?: Pick<WorkOptions, "batchSize" | "localConcurrency" | "pollingIntervalSeconds" | "notifyPollingIntervalSeconds" | "burstWhenBatchFull">;
  /** A cron expression: pg-boss creates one job per tick across all workers. */
  cron?: string;
  /** Sent once by every worker as it starts (recovery of what a dead process left), besides any cron ticks. */
  atWorkerStart?: z.input<S>;
  /** Throwing retries the job under its queue's policy; returning completes it. */
  handler(data: z.output<S>, runtime: Runtime, attempt: JobAttempt): Promise<void>;
  /**
   * When set, the worker hands it each fetched batch instead of calling `handler` per
   * job, so the jobs can share their reads and writes. Resolves to each job's outcome
   * in order: null completes it, an Error fails it (retried like a throwing `handler`).
   * Rejecting fails the whole batch.
   */
  batchHandler?(jobs: Array<BatchJob<z.output<S>>>, runtime: Runtime): Promise<Array<Error | null>>;
}

/** One job of a batch: its payload and attempt. */
export interface BatchJob<T> {
  data: T;
  attempt: JobAttempt;
}

export type QueueOptionsOf = Omit<Queue, "name">;

export type { JobTarget };

/** The queue options of a job under this configuration. */
export function queueOptions(job: JobDefinition, config: Config): QueueOptionsOf | undefined {
  return typeof job.queue === "function" ? job.queue(config) : job.queue;
}

export function defineJob<S extends z.ZodTypeAny>(definition: JobDefinition<S>): JobDefinition<S> {
  return definition;
}

export type { SendOptions };
