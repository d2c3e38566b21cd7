import type { PrismaClient } from "../db/client.js";
import { notFound } from "../errors.js";
import { processState, type ProcessState } from "../process-state.js";

type Query = { select?: Record<string, unknown>; include?: Record<string, unknown> };
type Row = Record<string, unknown> & { id: string };

interface Waiter {
  resolve: (row: Row) => void;
  reject: (error: unknown) => void;
}

interface Batch {
  /** The organization's scoped client (src/db/tenant.ts): the read cannot leave the organization. */
  db: PrismaClient;
  query: Query;
  waiting: Map<string, Waiter[]>;
}

// `messageAdded` is an organization's topic: a message wakes every agent watching it, each
// wanting the same row. One query per organization and selection per event-loop turn
// instead of one per subscriber.
const MAX_BATCH = 500;
const loaders = processState(
  "message-frame-loader",
  (): { load?: (organizationId: string, db: PrismaClient, id: string, query: Query) => Promise<Row> } => ({}),
);

/**
 * The message a `messageAdded` frame shows, read through the caller's tenant-scoped `db`
 * (so only their organization's row), batched with the other subscribers' reads of the
 * same turn, organization and selection. A row that is not there is NOT_FOUND.
 */
export function loadMessageFrame(state: ProcessState, caller: { organizationId: string; db: PrismaClient }, id: string, query: Query): Promise<Row> {
  const holder = state.get(loaders);
  const load = (holder.load ??= createLoader());
  return load(caller.organizationId, caller.db, id, query);
}

function createLoader() {
  const batches = new Map<string, Batch>();
  let scheduled = false;

  const flush = () => {
    scheduled = false;
    const current = [...batches.values()];
    batches.clear();
    for (const batch of current) {
      const ids = [...batch.waiting.keys()];
      for (let i = 0; i < ids.length; i += MAX_BATCH) void run(batch, ids.slice(i, i + MAX_BATCH));
    }
  };

  const run = async (batch: Batch, ids: string[]) => {
    try {
      const query = batch.query.select ? { select: { ...batch.query.select, id: true } } : batch.query;
      const rows = (await batch.db.message.findMany({ ...query, where: { id: { in: ids } } })) as unknown as Row[];
      const byId = new Map(rows.map((row) => [row.id, row]));
      for (const id of ids) {
        const row = byId.get(id);
        for (const waiter of batch.waiting.get(id) ?? []) {
          if (row) waiter.resolve(row);
          else waiter.reject(notFound("message"));
        }
      }
    } catch (error) {
      for (const id of ids) for (const waiter of batch.waiting.get(id) ?? []) waiter.reject(error);
    }
  };

  return (organizationId: string, db: PrismaClient, id: string, query: Query) =>
    new Promise<Row>((resolve, reject) => {
      const key = `${organizationId} ${JSON.stringify(query)}`;
      let batch = batches.get(key);
      if (!batch) batches.set(key, (batch = { db, query, waiting: new Map() }));
      const waiters = batch.waiting.get(id) ?? [];
      waiters.push({ resolve, reject });
      batch.waiting.set(id, waiters);
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    });
}
