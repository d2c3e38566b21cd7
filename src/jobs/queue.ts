import { fromPrisma, PgBoss, type JobInsert, type SendOptions, type UpdateOptions } from "pg-boss";
import type { Prisma } from "../db/client.js";
import type { Logger } from "../observability/log.js";
import type { z } from "zod";

export const BOSS_SCHEMA = "pgboss";

/** What sending a job needs: its queue name and payload schema (every JobDefinition is one). */
export interface JobTarget<S extends z.ZodTypeAny = z.ZodTypeAny> {
  name: string;
  schema: S;
}

/** Sends jobs; inside a Prisma transaction (`tx`) the job commits or rolls back with it. */
export interface JobQueue {
  send<S extends JobTarget>(job: S, data: S["schema"]["_input"], options?: SendOptions & { tx?: Prisma.TransactionClient }): Promise<string | null>;
  /**
   * Many jobs of one kind in one statement (the queue's retry settings apply as for
   * `send`). A job whose `id` exists already, or whose `key` (singleton key) is taken by
   * a waiting job, is not added again.
   */
  sendMany<S extends JobTarget>(
    job: S,
    jobs: Array<{ data: S["schema"]["_input"]; startAfter?: Date; key?: string; id?: string }>,
    options?: { tx?: Prisma.TransactionClient },
  ): Promise<void>;
  /**
   * One waiting job per `key`: when a job with this key is still waiting (created or
   * retry), it is moved to these options instead of a second one being queued.
   */
  sendKeyed<S extends JobTarget>(
    job: S,
    data: S["schema"]["_input"],
    key: string,
    options?: Omit<UpdateOptions, "id" | "singletonKey" | "db"> & { tx?: Prisma.TransactionClient },
  ): Promise<void>;
  boss: PgBoss;
}

export function createBoss(databaseUrl: string, log: Logger, options: { schedule: boolean; supervise: boolean; superviseIntervalSeconds?: number }): PgBoss {
  const boss = new PgBoss({
    connectionString: databaseUrl,
    schema: BOSS_SCHEMA,
    max: 6,
    // Workers are woken by NOTIFY the moment a job is created; polling is the backstop.
    useListenNotify: true,
    schedule: options.schedule,
    supervise: options.supervise,
    // Also how soon a job whose worker was killed (expired) is failed and retried.
    ...(options.superviseIntervalSeconds ? { superviseIntervalSeconds: options.superviseIntervalSeconds } : {}),
  });
  boss.on("error", (error: Error) => log.error({ err: error.message }, "pg-boss error"));
  return boss;
}

export function createJobQueue(boss: PgBoss): JobQueue {
  return {
    boss,
    async send(job, data, options = {}) {
      const { tx, ...sendOptions } = options;
      const payload = job.schema.parse(data) as object;
      return boss.send(job.name, payload, tx ? { ...sendOptions, db: fromPrisma(tx) } : sendOptions);
    },
    async sendMany(job, jobs, { tx } = {}) {
      if (jobs.length === 0) return;
      const rows: JobInsert[] = jobs.map(({ data, startAfter, key, id }) => ({
        ...(id ? { id } : {}),
        data: job.schema.parse(data) as object,
        ...(startAfter ? { startAfter } : {}),
        ...(key ? { singletonKey: key } : {}),
      }));
      await boss.insert(job.name, rows, { returnId: false, ...(tx ? { db: fromPrisma(tx) } : {}) });
    },
    async sendKeyed(job, data, key, options = {}) {
      const { tx, ...updateOptions } = options;
      const payload = job.schema.parse(data) as object;
      await boss.upsert(job.name, payload, { ...updateOptions, singletonKey: key, ...(tx ? { db: fromPrisma(tx) } : {}) });
    },
  };
}
