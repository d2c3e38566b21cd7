// npx tsx bench/counter-contention.ts: what the unread counter's triggers cost a webhook that
// notifies 100 agents. Inserts 100 notifications the engine's way (one unnest statement),
// then holds the transaction open for what follows in a webhook (deliveries, jobs: ~HOLD_MS)
// and commits; sequentially (the statement's own cost) and from CLIENTS concurrent
// transactions notifying the same 100 agents (the queueing on their counter rows), with the
// triggers enabled and disabled. Prints JSON.
import pg from "pg";
import { v7 as uuidv7 } from "uuid";
import { freshDatabase } from "./lib/aviso.js";
import { summarize } from "./lib/stats.js";
import { migrate } from "../src/db/migrate.js";

const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const AGENTS = 100;
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 4);
const HOLD_MS = Number(process.env.BENCH_HOLD_MS ?? 2);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 200);

const url = await freshDatabase(ADMIN_URL, "aviso_bench_counter");
await migrate(url);
const admin = new pg.Client({ connectionString: url });
await admin.connect();
const org = uuidv7();
await admin.query(`INSERT INTO "Organization" (id, slug, name, "updatedAt") VALUES ($1, 'bench', 'Bench', now())`, [org]);
const agents = Array.from({ length: AGENTS }, () => uuidv7());
await admin.query(
  `INSERT INTO "User" (id, "organizationId", email, name, role, "updatedAt") SELECT u, $1, u::text || '@bench.test', 'Agent', 'AGENT', now() FROM unnest($2::uuid[]) u`,
  [org, agents],
);

const insert = `INSERT INTO "Notification" (id, "organizationId", "userId", type, title, body, count, "createdAt", "updatedAt")
  SELECT r.id, $1::uuid, r."userId", 'NEW_MESSAGE', 'New message', 'Olá', 1, now(), now() FROM unnest($2::uuid[], $3::uuid[]) AS r(id, "userId")`;

/** One webhook's notification write: BEGIN, the insert (timed), the rest of its work, COMMIT. */
async function webhook(client: pg.PoolClient, statementMs: number[]): Promise<void> {
  await client.query("BEGIN");
  const started = performance.now();
  await client.query({ name: "insert", text: insert, values: [org, agents.map(() => uuidv7()), [...agents].sort(() => Math.random() - 0.5)] });
  statementMs.push(performance.now() - started);
  if (HOLD_MS > 0) await client.query("SELECT pg_sleep($1)", [HOLD_MS / 1000]);
  await client.query("COMMIT");
}

async function run(triggers: boolean) {
  await admin.query(`ALTER TABLE "Notification" ${triggers ? "ENABLE" : "DISABLE"} TRIGGER USER`);
  const pool = new pg.Pool({ connectionString: url, max: CLIENTS });
  const sequential: number[] = [];
  const client = await pool.connect();
  for (let i = 0; i < ROUNDS; i++) await webhook(client, sequential);
  client.release();
  const concurrent: number[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      const c = await pool.connect();
      for (let i = 0; i < ROUNDS / CLIENTS; i++) await webhook(c, concurrent);
      c.release();
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await pool.end();
  return {
    insertStatementMs: summarize(sequential),
    concurrent: { webhooksPerSecond: Math.round(ROUNDS / seconds), insertStatementMs: summarize(concurrent) },
  };
}

const withoutTriggers = await run(false);
// Rows written while the triggers were off are not counted: gone before they are back on.
await admin.query(`TRUNCATE "Notification" CASCADE`);
const withTriggers = await run(true);
const exact = await admin.query(
  `SELECT count(*)::int AS wrong FROM "NotificationCounter" c
   WHERE c.unread + COALESCE((SELECT sum(d.delta) FROM "NotificationCounterDelta" d WHERE d."userId" = c."userId"), 0)
         <> (SELECT count(*) FROM "Notification" n WHERE n."userId" = c."userId" AND n."readAt" IS NULL)`,
);
await admin.end();
console.log(JSON.stringify({ agents: AGENTS, clients: CLIENTS, holdMs: HOLD_MS, withoutTriggers, withTriggers, countersWrong: exact.rows[0].wrong }, null, 2));
