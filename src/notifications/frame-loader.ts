import type { Notification, PrismaClient } from "../db/client.js";
import { notFound } from "../errors.js";
import { processState } from "../process-state.js";
import type { ServiceContext } from "../service-context.js";

type Query = { select?: Record<string, unknown>; include?: Record<string, unknown> };
type Row = Record<string, unknown> & { id: string; userId: string };

interface Pending {
  query: Query;
  waiting: Map<string, Array<{ userId: string; resolve: (row: Row) => void; reject: (error: unknown) => void }>>;
}

// An alert to 1,000 admins wakes 1,000 subscriptions at once, each wanting its own row:
// one query per batch instead of one per frame.
const MAX_BATCH = 500;
const loaders = processState("notification-frame-loader", (): { load?: (id: string, userId: string, query: Query) => Promise<Row> } => ({}));

/**
 * Loads the notification a `notificationAdded` frame shows, batching the loads of
 * one event-loop turn into one query per selection shape. Rows are read by id and
 * handed only to their owner: a row whose userId is not the subscriber's is
 * NOT_FOUND — a stricter check than the organization filter, done here because
 * one batch serves many subscribers.
 */
export async function loadNotificationFrame({ runtime, actor }: ServiceContext, id: string, query: Query): Promise<Notification> {
  // Crosses tenants on purpose: one batch serves the subscribers of every organization,
  // and each row is handed only to its owner (checked by userId below).
  const { prisma } = runtime;
  const { userId } = actor;
  const holder = runtime.state.get(loaders);
  const load = (holder.load ??= createLoader(prisma));
  // The row holds the selection Pothos asked for (`query`), which is all it reads.
  return (await load(id, userId, query)) as unknown as Notification;
}

function createLoader(prisma: PrismaClient) {
  const batches = new Map<string, Pending>();
  let scheduled = false;

  const flush = async () => {
    scheduled = false;
    const current = [...batches.values()];
    batches.clear();
    for (const batch of current) {
      const ids = [...batch.waiting.keys()];
      for (let i = 0; i < ids.length; i += MAX_BATCH) void run(batch, ids.slice(i, i + MAX_BATCH));
    }
  };

  const run = async (batch: Pending, ids: string[]) => {
    try {
      const query = batch.query.select ? { select: { ...batch.query.select, id: true, userId: true } } : batch.query;
      const rows = (await prisma.notification.findMany({ ...query, where: { id: { in: ids } } })) as unknown as Row[];
      const byId = new Map(rows.map((row) => [row.id, row]));
      for (const id of ids) {
        const row = byId.get(id);
        for (const waiter of batch.waiting.get(id) ?? []) {
          if (row && row.userId === waiter.userId) waiter.resolve(row);
          else waiter.reject(notFound("Notification"));
        }
      }
    } catch (error) {
      for (const id of ids) for (const waiter of batch.waiting.get(id) ?? []) waiter.reject(error);
    }
  };

  return (id: string, userId: string, query: Query) =>
    new Promise<Row>((resolve, reject) => {
      const key = JSON.stringify(query);
      let batch = batches.get(key);
      if (!batch) batches.set(key, (batch = { query, waiting: new Map() }));
      const waiters = batch.waiting.get(id) ?? [];
      waiters.push({ userId, resolve, reject });
      batch.waiting.set(id, waiters);
      if (!scheduled) {
        scheduled = true;
        setImmediate(() => void flush());
      }
    });
}
