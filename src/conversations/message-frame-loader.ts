import type { PrismaClient } from "../db/client.js";
import { createTurnBatcher } from "../db/turn-batch.js";
import { notFound } from "../errors.js";
import { processState, type ProcessState } from "../process-state.js";

type Query = { select?: Record<string, unknown>; include?: Record<string, unknown> };
type Row = Record<string, unknown> & { id: string };

/** What one batch reads with: the organization's scoped client (src/db/tenant.ts) and the selection. */
interface Read {
  db: PrismaClient;
  query: Query;
}

// `messageAdded` is an organization's topic: a message wakes every agent watching it, each
// wanting the same row. One query per organization and selection per event-loop turn
// instead of one per subscriber.
const loaders = processState("message-frame-loader", () =>
  createTurnBatcher<Read, Row>(async ({ db, query }, ids) => {
    const shape = query.select ? { select: { ...query.select, id: true } } : query;
    return (await db.message.findMany({ ...shape, where: { id: { in: ids } } })) as unknown as Row[];
  }),
);

/**
 * The message a `messageAdded` frame shows, read through the caller's tenant-scoped `db`
 * (so only their organization's row), batched with the other subscribers' reads of the
 * same turn, organization and selection. A row that is not there is NOT_FOUND.
 */
export async function loadMessageFrame(state: ProcessState, caller: { organizationId: string; db: PrismaClient }, id: string, query: Query): Promise<Row> {
  const load = state.get(loaders);
  const row = await load(`${caller.organizationId} ${JSON.stringify(query)}`, { db: caller.db, query }, id);
  if (!row) throw notFound("message");
  return row;
}
