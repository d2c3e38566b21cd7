// npx tsx bench/ingest-latency-run.ts: the ingest-latency goal of bench/run.ts alone —
// webhooks posted open loop at half of the capacity measured first, their HTTP latency
// beside a bare PostgreSQL transaction's p99 of the same run — and WHEN the slow answers
// came (offset in the run, ms), to tell a periodic stall from steady queueing; with each,
// how late this generator sent it (ms), and the server's own event-loop delay over the
// run — so a stall is placed in the generator, in Aviso's loop, or in what Aviso awaits.
import { pgTransaction } from "./baselines.js";
import { freePort, freshDatabase, startAviso } from "./lib/aviso.js";
import { inboundText } from "./lib/meta.js";
import { BENCH_PHONE_NUMBER_ID, contactWaId, seedBenchData } from "./lib/setup.js";
import { startSmtpSink } from "./lib/smtp-sink.js";
import { sleep, summarize } from "./lib/stats.js";
import { ingest, postWebhook } from "./scenarios.js";

const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const REDIS_URL = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const SLOW_MS = Number(process.env.BENCH_SLOW_MS ?? 40);
const log = (msg: string) => process.stderr.write(`[ingest-latency] ${msg}\n`);

const smtp = await startSmtpSink();
const databaseUrl = await freshDatabase(ADMIN_URL, "aviso_bench_ingest_latency");
const METRICS_TOKEN = "bench-metrics";
const aviso = await startAviso({ DATABASE_URL: databaseUrl, REDIS_URL, ...smtp.env, METRICS_TOKEN }, await freePort());
/** The server's event-loop delay since the last scrape (prom-client resets its histogram on each), in ms. */
const loopDelay = async () => {
  const text = await (await fetch(`${aviso.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
  const seconds = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, "m").exec(text)?.[1] ?? NaN);
  return { p99: Math.round(seconds("nodejs_eventloop_lag_p99_seconds") * 1000), max: Math.round(seconds("nodejs_eventloop_lag_max_seconds") * 1000) };
};
await seedBenchData(databaseUrl, { agents: 100, fanoutAdmins: 1, idleUsers: 1 });
const pg = await pgTransaction(databaseUrl);
log("capacity");
await ingest(aviso.url, 3);
const capacity = await ingest(aviso.url, 5);
await sleep(5_000);
const rate = Math.max(1, Math.round(capacity.webhooksPerSecond / 2));
log(`paced at ${rate}/s for ${SECONDS} s`);
await loopDelay();
const samples: Array<{ at: number; ms: number; late: number }> = [];
const t0 = performance.now() + 50;
// Wall time of offset 0, to match the slow answers with the server's and PostgreSQL's logs.
log(`offset 0 is ${new Date(Date.now() + 50).toISOString()}`);
const inFlight: Promise<void>[] = [];
for (let i = 0; i < rate * SECONDS; i++) {
  const due = t0 + (i * 1000) / rate;
  const wait = due - performance.now();
  if (wait > 1) await sleep(wait);
  const body = inboundText(BENCH_PHONE_NUMBER_ID, contactWaId(i % 100), `latency-${i}`);
  const late = Math.round(performance.now() - due);
  inFlight.push(postWebhook(aviso.url, body).then(() => void samples.push({ at: Math.round(due - t0), ms: Math.round(performance.now() - due), late })));
}
await Promise.all(inFlight);
const serverLoopDelayMs = await loopDelay();
await aviso.stop();
smtp.close();
const latency = summarize(samples.map((s) => s.ms));
const slow = samples.filter((s) => s.ms > SLOW_MS).sort((a, b) => a.at - b.at);
console.log(
  JSON.stringify(
    {
      capacity: capacity.webhooksPerSecond,
      rate,
      latency,
      pgTransactionP99Ms: pg.p99,
      ratio: Math.round((latency.p99 / pg.p99) * 10) / 10,
      serverLoopDelayMs,
      // offset:latency(how late the generator sent it)
      slow: slow.map((s) => `${s.at}:${s.ms}(${s.late})`).join(" "),
    },
    null,
    2,
  ),
);
