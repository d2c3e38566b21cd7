import type { Context } from "./context.js";

/**
 * Gathers the keys one request asks for within a turn of the event loop and loads them
 * with one call — so a page of 20 rows costs one query, not 20. One batcher per purpose;
 * batches are per request (context), so nothing is shared between callers.
 */
export function batchPerRequest<K, V>(load: (ctx: Context, keys: K[]) => Promise<Map<K, V>>): (ctx: Context, key: K) => Promise<V | undefined> {
  const pending = new WeakMap<Context, { keys: Set<K>; result: Promise<Map<K, V>> }>();
  return (ctx, key) => {
    let batch = pending.get(ctx);
    if (!batch) {
      const keys = new Set<K>();
      const result = new Promise<Map<K, V>>((resolve, reject) => {
        // After the current turn, when every field of the page has joined the batch.
        setImmediate(() => {
          pending.delete(ctx);
          load(ctx, [...keys]).then(resolve, reject);
        });
      });
      batch = { keys, result };
      pending.set(ctx, batch);
    }
    batch.keys.add(key);
    return batch.result.then((values) => values.get(key));
  };
}
