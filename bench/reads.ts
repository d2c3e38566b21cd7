// npx tsx bench/reads.ts: only the reads goals of bench/run.ts (unreadNotificationCount and
// notifications(first: 20) ÷ bare yoga `{ hello }`), plus `{ __typename }` signed in (the
// cost every authenticated request pays), against a user with thousands of unread
// notifications. Quick to run while working on the read path; prints JSON.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import pg from "pg";
import { httpThroughput, startBaselineServers, type Throughput } from "./baselines.js";
import { freePort, freshDatabase, startAviso, tokenFor } from "./lib/aviso.js";
import { seedBenchData } from "./lib/setup.js";

const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const UNREAD = Number(process.env.BENCH_UNREAD ?? 5000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1);
const log = (msg: string) => process.stderr.write(`[reads] ${msg}\n`);

const databaseUrl = await freshDatabase(ADMIN_URL, "aviso_bench_reads");
// A small pool: the PostgreSQL this runs against is often shared (max_connections).
const aviso = await startAviso({ DATABASE_URL: databaseUrl, DATABASE_POOL_SIZE: process.env.BENCH_POOL_SIZE ?? "10" }, await freePort());
const data = await seedBenchData(databaseUrl, { agents: 2, fanoutAdmins: 1, idleUsers: 1 });
const agent = data.agents[0]!;
const db = new pg.Client({ connectionString: databaseUrl });
await db.connect();
// Through the same INSERT path as the engine's notifications (the counter's triggers see them).
await db.query(
  `INSERT INTO "Notification" (id, "organizationId", "userId", type, title, body, count, "createdAt", "updatedAt")
   SELECT gen_random_uuid(), $1, $2, 'NEW_MESSAGE', 'New message from Cliente ' || i, 'Olá, preciso de ajuda ' || i, 1, now(), now()
   FROM generate_series(1, $3) AS i`,
  [agent.organizationId, agent.id, UNREAD],
);
await db.query("VACUUM ANALYZE");
await db.end();
const token = await tokenFor(agent);
const headers = { authorization: `Bearer ${token}` };
const graphql = `${aviso.url}/graphql`;
const base = await startBaselineServers();
const basePid = Number(execFileSync("pgrep", ["-P", String(process.pid), "-f", "baseline-server"], { encoding: "utf8" }).trim());

/** CPU time (user + system) of a process so far, in microseconds (Linux: clock ticks of 10 ms). */
function cpuMicros(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

/** Throughput, and the server's CPU time per request (less noisy than req/s on a shared machine). */
async function measure(pid: number, url: string, query: string, extraHeaders: Record<string, string> = {}) {
  const before = cpuMicros(pid);
  const result = await httpThroughput({ url, headers: extraHeaders, body: JSON.stringify({ query }), seconds: SECONDS });
  return { ...result, serverCpuMicrosPerRequest: Math.round((cpuMicros(pid) - before) / (result.requestsPerSecond * SECONDS)) };
}

const allQueries: Record<string, string> = {
  typenameSignedIn: "{ __typename }",
  unreadNotificationCount: "{ unreadNotificationCount }",
  notifications: "{ notifications(first: 20) { edges { cursor node { id type title body count createdAt readAt } } pageInfo { hasNextPage endCursor } } }",
};
// BENCH_ONLY=notifications,typenameSignedIn: only those (e.g. for a CPU profile with BENCH_PROFILE_DIR).
const only = process.env.BENCH_ONLY?.split(",");
const queries = Object.fromEntries(Object.entries(allQueries).filter(([name]) => !only || only.includes(name)));
// Warm-up: JIT, pooled connections, prepared statements.
for (const query of Object.values(queries)) await httpThroughput({ url: graphql, headers, body: JSON.stringify({ query }), seconds: 2 });
await httpThroughput({ url: base.yogaUrl, body: JSON.stringify({ query: "{ hello }" }), seconds: 2 });

const rounds: Array<Record<string, Throughput | number>> = [];
for (let round = 0; round < ROUNDS; round++) {
  log(`round ${round + 1}`);
  const yogaHello = await measure(basePid, base.yogaUrl, "{ hello }");
  const measured: Record<string, Throughput> = {};
  for (const [name, query] of Object.entries(queries)) measured[name] = await measure(aviso.child.pid!, graphql, query, headers);
  const ratio = (t: Throughput) => Math.round((t.requestsPerSecond / yogaHello.requestsPerSecond) * 1000) / 1000;
  rounds.push({
    yogaHello,
    ...measured,
    ...Object.fromEntries(Object.entries(measured).map(([name, result]) => [`${name}Ratio`, ratio(result)])),
  });
}
base.stop();
await aviso.stop();
console.log(JSON.stringify(rounds, null, 2));
