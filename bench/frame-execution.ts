// npx tsx bench/frame-execution.ts: the server CPU of one `notificationAdded` frame between
// the pubsub and the socket (feed, envelop, GraphQL execution, error masking), in process
// and without I/O, so it can be compared on a busy machine. The interpreter (graphql-yoga's
// executor) against the compiled path (src/server/compiled-execution.ts), interleaved.
import { createYoga, type Plugin } from "graphql-yoga";
import type { ExecutionArgs } from "graphql";
import { createLogger } from "../src/observability/log.js";
import { createPubSub } from "../src/pubsub/index.js";
import { schema } from "../src/schema/index.js";
import type { Context } from "../src/schema/context.js";
import { toClientError } from "../src/schema/errors.js";
import { compiledExecution } from "../src/server/compiled-execution.js";
import { snapshotOf } from "../src/notifications/frame.js";

const EVENTS = Number(process.env.EVENTS ?? 20_000);
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const log = createLogger("silent");
const pubsub = createPubSub(undefined, log);
const viewer = {
  userId: "00000000-0000-4000-8000-000000000001",
  organizationId: "00000000-0000-4000-8000-000000000002",
  role: "AGENT" as const,
  expiresAt: 2e9,
};
const context = { actor: viewer, viewer, db: {}, runtime: { pubsub }, log, requestId: "bench" } as unknown as Context;
const row = {
  id: "00000000-0000-4000-8000-000000000003",
  seq: 1n,
  organizationId: viewer.organizationId,
  userId: viewer.userId,
  type: "NEW_MESSAGE" as const,
  title: "New message from a customer",
  body: "Hello, I would like to know where my order is",
  count: 1,
  conversationId: null,
  alertId: null,
  data: null,
  createdAt: new Date(),
  updatedAt: new Date(),
  readAt: null,
  archivedAt: null,
};
const event = { notificationId: row.id, seq: "1", count: 1, notification: snapshotOf(row) };
const DOCUMENTS = {
  scalars: "subscription { notificationAdded { id body } }",
  columns: "subscription { notificationAdded { id type title body count createdAt updatedAt readAt } }",
};

const yogaWith = (plugins: Plugin[]) =>
  createYoga<Record<string, unknown>, Context>({ schema, logging: false, maskedErrors: { maskError: (error) => toClientError(error, false) }, plugins });
const variants = { interpreter: yogaWith([]), compiled: yogaWith([compiledExecution()]) };

/** CPU ms per event for `events` events through one subscription, and the first frame (to compare results). */
async function measure(yoga: ReturnType<typeof yogaWith>, source: string, events: number): Promise<{ ms: number; first: unknown }> {
  const { parse, subscribe } = yoga.getEnveloped({});
  const stream = (await subscribe({ schema, document: parse(source), contextValue: context } as ExecutionArgs)) as AsyncIterableIterator<unknown>;
  const iterator = stream[Symbol.asyncIterator]();
  // Events go one at a time, as frames do at moderate load (each wakes the chain).
  let first: unknown;
  const started = process.cpuUsage();
  for (let i = 0; i < events; i++) {
    // The count grows so the feed never takes an event for a repeat.
    const pending = iterator.next();
    await pubsub.publish("notificationAdded", viewer.userId, { ...event, count: i + 1 });
    const frame = await pending;
    first ??= frame.value;
  }
  const used = process.cpuUsage(started);
  await iterator.return?.();
  return { ms: (used.user + used.system) / 1000 / events, first };
}

for (const [name, source] of Object.entries(DOCUMENTS)) {
  const a = await measure(variants.interpreter, source, 10);
  const b = await measure(variants.compiled, source, 10);
  if (JSON.stringify(a.first) !== JSON.stringify(b.first)) throw new Error(`frames differ: ${JSON.stringify(a.first)} ${JSON.stringify(b.first)}`);
  const samples: Record<string, number[]> = { interpreter: [], compiled: [] };
  for (let round = 0; round < ROUNDS; round++) {
    for (const [variant, yoga] of Object.entries(variants)) samples[variant]!.push((await measure(yoga, source, EVENTS)).ms);
  }
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
  console.log(
    JSON.stringify({ document: name, msPerFrame: Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, Math.round(median(v) * 10000) / 10000])) }),
  );
}
await pubsub.close();
