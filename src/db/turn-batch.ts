type Row = { id: string };

interface Waiter<R> {
  resolve: (row: R | undefined) => void;
  reject: (error: unknown) => void;
}

interface Batch<C, R> {
  context: C;
  waiting: Map<string, Array<Waiter<R>>>;
}

// One query reads at most this many ids.
const MAX_BATCH = 500;

/**
 * Batches the by-id reads of one event-loop turn: an event that wakes many subscribers
 * (an alert to 1,000 admins, a message 100 agents watch) makes one query per batch key
 * instead of one per frame. Calls with the same `key` share one `read(context, ids)` —
 * the context of the key's first call, so the key must name everything the read depends
 * on (selection, model, tenant). Each call gets the row of its id, or undefined.
 */
export function createTurnBatcher<C, R extends Row>(read: (context: C, ids: string[]) => Promise<R[]>) {
  const batches = new Map<string, Batch<C, R>>();
  let scheduled = false;

  const run = async (batch: Batch<C, R>, ids: string[]) => {
    try {
      const byId = new Map((await read(batch.context, ids)).map((row) => [row.id, row]));
      for (const id of ids) for (const waiter of batch.waiting.get(id) ?? []) waiter.resolve(byId.get(id));
    } catch (error) {
      for (const id of ids) for (const waiter of batch.waiting.get(id) ?? []) waiter.reject(error);
    }
  };

  const flush = () => {
    scheduled = false;
    const current = [...batches.values()];
    batches.clear();
    for (const batch of current) {
      const ids = [...batch.waiting.keys()];
      for (let i = 0; i < ids.length; i += MAX_BATCH) void run(batch, ids.slice(i, i + MAX_BATCH));
    }
  };

  return (key: string, context: C, id: string) =>
    new Promise<R | undefined>((resolve, reject) => {
      let batch = batches.get(key);
      if (!batch) batches.set(key, (batch = { context, waiting: new Map() }));
      const waiters = batch.waiting.get(id) ?? [];
      waiters.push({ resolve, reject });
      batch.waiting.set(id, waiters);
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    });
}
