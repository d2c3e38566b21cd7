import type { Logger } from "../observability/log.js";
import type { Prisma, PrismaClient } from "./client.js";
import { withTransactionRetry } from "./transaction-retry.js";

/**
 * One transaction and what to tell the world once it commits. Every writer records its
 * rows through `tx` and queues its realtime events with `afterCommit`; whoever opened the
 * unit runs them, in the order queued, only after the commit — never for a rollback, and
 * once however many services took part. This is the only way Aviso publishes after a write.
 */
export interface UnitOfWork {
  readonly tx: Prisma.TransactionClient;
  /** Runs `publish` once the transaction has committed. A failure is logged, never thrown: committed is committed. */
  afterCommit(publish: () => Promise<void>): void;
}

export interface UnitOfWorkOptions {
  /** Run the whole unit again when PostgreSQL refused it for a race another attempt can win (db/transaction-retry.ts). */
  retryRaces?: boolean;
  maxWait?: number;
  timeout?: number;
}

/**
 * Opens a unit of work on `db` (a tenant-scoped client keeps its filter inside), runs
 * `work` in its transaction, then publishes what the work queued. Returns the work's result.
 */
export async function inUnitOfWork<T>(db: PrismaClient, log: Logger, work: (unit: UnitOfWork) => Promise<T>, options: UnitOfWorkOptions = {}): Promise<T> {
  let queued: Array<() => Promise<void>> = [];
  const attempt = (tx: Prisma.TransactionClient) => {
    // A retried attempt starts from nothing: what a rolled-back attempt queued is dropped.
    queued = [];
    return work({ tx, afterCommit: (publish) => void queued.push(publish) });
  };
  const result = options.retryRaces
    ? await withTransactionRetry(db, attempt)
    : await db.$transaction(attempt, { ...(options.maxWait ? { maxWait: options.maxWait } : {}), ...(options.timeout ? { timeout: options.timeout } : {}) });
  for (const publish of queued) {
    await publish().catch((error: unknown) => log.warn({ err: (error as Error).message }, "publish after commit failed"));
  }
  return result;
}

/** Joins the caller's unit of work when there is one, or opens one of its own. */
export function withinUnitOfWork<T>(
  unit: UnitOfWork | undefined,
  db: PrismaClient,
  log: Logger,
  work: (unit: UnitOfWork) => Promise<T>,
  options: UnitOfWorkOptions = {},
): Promise<T> {
  return unit ? work(unit) : inUnitOfWork(db, log, work, options);
}
