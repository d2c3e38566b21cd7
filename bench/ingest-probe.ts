// Ingest alone, for working on the webhook path: webhooks/s beside bare yoga in the same
// run, the server's CPU per webhook, and (PROBE_STATEMENTS=1) the SQL statements and
// commits each webhook costs, counted from PostgreSQL's own statement log.
//   npx tsx bench/ingest-probe.ts
import { readFileSync, statSync } from "node:fs";
import { httpThroughput, startBaselineServers } from "./baselines.js";
import { freePort, freshDatabase, startAviso } from "./lib/aviso.js";
import { inboundText } from "./lib/meta.js";
import { BENCH_PHONE_NUMBER_ID, BROADCAST_PHONE_NUMBER_ID, broadcastContactWaId, contactWaId, seedBenchData } from "./lib/setup.js";
import { cpuSecondsOf } from "./lib/proc.js";
import { startSmtpSink } from "./lib/smtp-sink.js";
import { commitsPerWebhook, ingest, postWebhook } from "./scenarios.js";

const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const REDIS_URL = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
const POSTGRES_LOG = process.env.PROBE_POSTGRES_LOG ?? "/var/log/postgresql/postgresql-15-main.log";
const DATABASE = "aviso_ingest_probe";
const SECONDS = Number(process.env.PROBE_SECONDS ?? 8);
const log = (msg: string) => process.stderr.write(`[probe] ${msg}\n`);

const smtp = await startSmtpSink();

const databaseUrl = await freshDatabase(ADMIN_URL, DATABASE);
const base = await startBaselineServers();
const yoga = await httpThroughput({ url: base.yogaUrl, body: JSON.stringify({ query: "{ hello }" }), seconds: SECONDS });
base.stop();

const countStatements = process.env.PROBE_STATEMENTS === "1";
const serverUrl = countStatements ? `${databaseUrl}?options=${encodeURIComponent("-c log_statement=all")}` : databaseUrl;
const aviso = await startAviso({ DATABASE_URL: serverUrl, REDIS_URL, ...smtp.env }, await freePort());
// PROBE_BROADCAST=1: every counted webhook goes to the broadcast queue (100 agents hear it).
const broadcast = process.env.PROBE_BROADCAST === "1";
await seedBenchData(databaseUrl, { agents: 100, fanoutAdmins: 10, idleUsers: 10, broadcastAgents: broadcast ? 100 : 0 });
const countedWebhook = (i: number, text: string) =>
  broadcast ? inboundText(BROADCAST_PHONE_NUMBER_ID, broadcastContactWaId(i % 100), text) : inboundText(BENCH_PHONE_NUMBER_ID, contactWaId(i % 100), text);

const cpuSeconds = () => {
  const { user, system } = cpuSecondsOf(aviso.child.pid!);
  return user + system;
};

try {
  log("warm-up");
  await ingest(aviso.url, 4);
  if (countStatements) {
    const webhooks = 50;
    // The warm-up's email jobs drain first; the 50 webhooks' own jobs run inside the window.
    await new Promise((r) => setTimeout(r, 15_000));
    const from = statSync(POSTGRES_LOG).size;
    for (let i = 0; i < webhooks; i++) await postWebhook(aviso.url, countedWebhook(i, `count-${i}`));
    await new Promise((r) => setTimeout(r, 5_000));
    const text = readFileSync(POSTGRES_LOG).subarray(from).toString("utf8");
    // One entry per "timestamp [pid] user@db LOG:" line, its continuation lines joined.
    const entries = text.split(/\n(?=\d{4}-\d\d-\d\d )/).filter((e) => e.includes(`@${DATABASE} LOG:  `));
    const logged = entries
      .filter((e) => /LOG: {2}(statement|execute)/.test(e))
      .map((e) => ({ pid: /\[(\d+)\]/.exec(e)?.[1] ?? "", sql: e.replace(/^.*?LOG: {2}(statement|execute [^:]*): /s, "").replace(/\s+/g, " ") }));
    const statements = logged.map((l) => l.sql);
    // The webhook's own transaction: per backend, BEGIN … COMMIT holding the WebhookEvent insert.
    const open = new Map<string, string[]>();
    const webhookTransactions: string[][] = [];
    for (const { pid, sql } of logged) {
      if (sql === "BEGIN") open.set(pid, [sql]);
      else if (open.has(pid)) {
        open.get(pid)!.push(sql);
        if (sql === "COMMIT" || sql === "ROLLBACK") {
          const tx = open.get(pid)!;
          open.delete(pid);
          if (tx.some((s) => s.includes('INSERT INTO "public"."WebhookEvent"') || s.includes('INSERT INTO "WebhookEvent"'))) webhookTransactions.push(tx);
        }
      }
    }
    const inTx = webhookTransactions.reduce((n, tx) => n + tx.length, 0);
    log(
      `webhook transactions: ${webhookTransactions.length}, ${(inTx / Math.max(1, webhookTransactions.length)).toFixed(2)} statements each (BEGIN and COMMIT included)`,
    );
    for (const sql of webhookTransactions[0] ?? []) log(`    ${sql.slice(0, 140)}`);
    // The webhooks' own work: between the first and last statement naming them (pg-boss polling excluded).
    const polling = (s: string) => /pgboss\./.test(s) && !/INSERT INTO pgboss\.job|pgboss\.send|json_to_recordset/i.test(s);
    const mine = statements.filter((s) => !polling(s));
    const byShape = new Map<string, number>();
    for (const s of mine) byShape.set(s.slice(0, 120), (byShape.get(s.slice(0, 120)) ?? 0) + 1);
    log(`statements: ${statements.length} in all, ${mine.length} outside pg-boss polling → ${(mine.length / webhooks).toFixed(2)} per webhook`);
    for (const [shape, n] of [...byShape].sort((a, b) => b[1] - a[1]).slice(0, 40)) log(`  ${(n / webhooks).toFixed(2)}  ${shape}`);
  } else {
    const result = await ingest(aviso.url, SECONDS);
    log(`yoga ${yoga.requestsPerSecond} req/s; ingest ${result.webhooksPerSecond} webhooks/s (p99 ${result.p99} ms, errors ${result.errors})`);
    log(`ratio ${(result.webhooksPerSecond / yoga.requestsPerSecond).toFixed(4)}`);
    // CPU per webhook: a fixed number of webhooks from 8 concurrent senders, net of the idle rate
    // (measured once what autocannon left in flight has drained).
    await new Promise((r) => setTimeout(r, 8000));
    const idleStart = cpuSeconds();
    await new Promise((r) => setTimeout(r, 3000));
    const idlePerSecond = (cpuSeconds() - idleStart) / 3;
    const count = Number(process.env.PROBE_CPU_WEBHOOKS ?? 600);
    let next = 0;
    const started = performance.now();
    const cpuStart = cpuSeconds();
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < count) {
          const i = next++;
          await postWebhook(aviso.url, countedWebhook(i, `cpu-${i}`));
        }
      }),
    );
    const elapsed = (performance.now() - started) / 1000;
    const busy = cpuSeconds() - cpuStart;
    log(
      `server CPU ${(((busy - idlePerSecond * elapsed) / count) * 1000).toFixed(2)} ms per webhook (${count} webhooks in ${elapsed.toFixed(1)} s; idle ${(idlePerSecond * 1000).toFixed(0)} ms/s)`,
    );
    const commits = await commitsPerWebhook(aviso.url, databaseUrl, 150);
    log(`commits per webhook: all ${commits.all}, writing ${commits.writing}`);
  }
} finally {
  await aviso.stop();
  smtp.close();
}
