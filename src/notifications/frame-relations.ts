import type { PrismaClient } from "../db/client.js";
import { processState, type ProcessState } from "../process-state.js";

/** The to-one relations a frame can follow by the row's own foreign key, and the model each reads. */
export const FOLLOWED_BY_KEY = { conversation: { model: "conversation", key: "conversationId" }, alert: { model: "alert", key: "alertId" } } as const;
type Model = (typeof FOLLOWED_BY_KEY)[keyof typeof FOLLOWED_BY_KEY]["model"];

type Selection = true | { select?: Record<string, unknown>; include?: Record<string, unknown> };
type Row = Record<string, unknown> & { id: string };

interface Waiter {
  resolve: (row: Row | null) => void;
  reject: (error: unknown) => void;
}

interface Batch {
  model: Model;
  selection: Selection;
  waiting: Map<string, Waiter[]>;
}

// 100 agents told of one customer message hold 100 notifications of ONE conversation: read that
// conversation once (per selection, per event-loop turn), not once per notification joined to it.
const MAX_BATCH = 500;
const loaders = processState("notification-frame-relations", (): { load?: (model: Model, id: string, selection: Selection) => Promise<Row | null> } => ({}));

/**
 * The row a frame's relation points at, by id (null when it is gone), batched across
 * subscribers. Reads with the unscoped client: the caller has already checked that the
 * notification is the subscriber's own, and the id is that row's foreign key — the row
 * the relation itself would have followed.
 */
export function loadRelatedRow(state: ProcessState, prisma: PrismaClient, model: Model, id: string, selection: Selection): Promise<Row | null> {
  const holder = state.get(loaders);
  const load = (holder.load ??= createLoader(prisma));
  return load(model, id, selection);
}

function createLoader(prisma: PrismaClient) {
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
      const { selection } = batch;
      const shape = selection === true ? {} : selection.select ? { select: { ...selection.select, id: true } } : selection;
      const where = { where: { id: { in: ids } } };
      const rows = (batch.model === "conversation"
        ? await prisma.conversation.findMany({ ...shape, ...where } as never)
        : await prisma.alert.findMany({ ...shape, ...where } as never)) as unknown as Row[];
      const byId = new Map(rows.map((row) => [row.id, row]));
      for (const id of ids) for (const waiter of batch.waiting.get(id) ?? []) waiter.resolve(byId.get(id) ?? null);
    } catch (error) {
      for (const id of ids) for (const waiter of batch.waiting.get(id) ?? []) waiter.reject(error);
    }
  };

  return (model: Model, id: string, selection: Selection) =>
    new Promise<Row | null>((resolve, reject) => {
      const key = `${model} ${JSON.stringify(selection)}`;
      let batch = batches.get(key);
      if (!batch) batches.set(key, (batch = { model, selection, waiting: new Map() }));
      const waiters = batch.waiting.get(id) ?? [];
      waiters.push({ resolve, reject });
      batch.waiting.set(id, waiters);
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    });
}
