// Where a broadcast webhook's CPU goes, by process: Aviso's server, PostgreSQL (every
// backend), Redis, and this load generator (100 subscribers), at a fixed rate below
// saturation — and what that leaves of the broadcast-capacity goal: the machine's cores
// divided by the CPU all four spend per webhook bound the webhooks/s, hence the frames/s,
// set beside a raw `ws` broadcast of the same run. For working on the broadcast path:
//   npx tsx bench/broadcast-probe.ts   (PROBE_RATE webhooks/s, PROBE_SECONDS;
//   PROBE_SUBSCRIBERS=0: without the frames; PROBE_TARGETED=1: the ingest's webhook instead)
import { execFileSync } from "node:child_process";
import { availableParallelism } from "node:os";
import { print } from "graphql";
import { NotificationAddedDocument } from "../src/client/index.js";
import { startBaselineServers, wsBroadcastThroughput } from "./baselines.js";
import { freePort, freshDatabase, startAviso, tokenFor } from "./lib/aviso.js";
import { leanSubscribe } from "./lib/lean-subscriber.js";
import { cpuSecondsOf } from "./lib/proc.js";
import { inboundText } from "./lib/meta.js";
import { BENCH_PHONE_NUMBER_ID, BROADCAST_PHONE_NUMBER_ID, broadcastContactWaId, contactWaId, seedBenchData } from "./lib/setup.js";
import { sleep, waitFor } from "./lib/stats.js";
import { postWebhook } from "./scenarios.js";

const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const REDIS_URL = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
const RATE = Number(process.env.PROBE_RATE ?? 30);
const SECONDS = Number(process.env.PROBE_SECONDS ?? 10);
/** Agents with a socket open (0: what a broadcast webhook costs without its frames). */
const SUBSCRIBERS = Number(process.env.PROBE_SUBSCRIBERS ?? 100);
/** PROBE_TARGETED=1: each webhook goes to its conversation's assignee alone (the ingest's webhook), no socket open. */
const TARGETED = process.env.PROBE_TARGETED === "1";
const log = (msg: string) => process.stderr.write(`[broadcast-probe] ${msg}\n`);

const pidsOf = (name: string) => execFileSync("pgrep", ["-x", name], { encoding: "utf8" }).split("\n").filter(Boolean).map(Number);
/** Seconds of user and system CPU of these processes. */
const cpuOf = (pids: number[]): [number, number] =>
  pids.reduce<[number, number]>(
    (sum, pid) => {
      try {
        const { user, system } = cpuSecondsOf(pid);
        return [sum[0] + user, sum[1] + system];
      } catch {
        return sum; // gone meanwhile
      }
    },
    [0, 0],
  );

const databaseUrl = await freshDatabase(ADMIN_URL, "aviso_broadcast_probe");
const aviso = await startAviso({ DATABASE_URL: databaseUrl, REDIS_URL }, await freePort());
try {
  const data = await seedBenchData(databaseUrl, { agents: 100, fanoutAdmins: 0, idleUsers: 0, broadcastAgents: 100 });
  const subscribers = TARGETED ? 0 : SUBSCRIBERS;
  const webhook = (i: number, text: string) =>
    TARGETED ? inboundText(BENCH_PHONE_NUMBER_ID, contactWaId(i % 100), text) : inboundText(BROADCAST_PHONE_NUMBER_ID, broadcastContactWaId(i % 100), text);
  let frames = 0;
  let frameText = "";
  const query = print(NotificationAddedDocument);
  const tokens = await Promise.all(data.broadcastAgents.map(tokenFor));
  const sockets = await Promise.all(
    tokens.slice(0, subscribers).map((t) =>
      leanSubscribe(aviso.wsUrl, t, query, (_frame, text) => {
        frames++;
        frameText ||= text;
      }),
    ),
  );
  await sleep(500);
  const run = async (label: string, total: number) => {
    const before = frames;
    const t0 = performance.now();
    const sent: Promise<number>[] = [];
    for (let i = 0; i < total; i++) {
      const wait = t0 + (i * 1000) / RATE - performance.now();
      if (wait > 1) await sleep(wait);
      sent.push(postWebhook(aviso.url, webhook(i, `${label}-${i}`)));
    }
    await Promise.all(sent);
    await waitFor(() => frames - before >= total * subscribers, 30_000);
    await sleep(500); // the deliveries' jobs and unread counts that follow the frames
  };
  await run("warm", RATE * 3);
  await sleep(2000);
  const total = RATE * SECONDS;
  const pids = { aviso: [aviso.child.pid!], postgres: pidsOf("postgres"), redis: pidsOf("redis-server"), generator: [process.pid] };
  const start = Object.fromEntries(Object.entries(pids).map(([k, v]) => [k, cpuOf(v)]));
  await run("count", total);
  const ms = (seconds: number) => Math.round((seconds / total) * 100_000) / 100;
  const perWebhookMs = Object.fromEntries(
    Object.entries(pids).map(([k, v]) => {
      const [user, system] = cpuOf(v);
      return [k, { user: ms(user - start[k]![0]), system: ms(system - start[k]![1]) }];
    }),
  );
  log(
    `${total} webhooks at ${RATE}/s, ${TARGETED ? "each to its assignee" : `each to 100 agents, ${subscribers} of them subscribed`}: CPU ms per webhook ${JSON.stringify(perWebhookMs)}`,
  );
  for (const s of sockets) s.close();
  if (subscribers > 0) {
    const cores = availableParallelism();
    const cpuMs = Object.values(perWebhookMs).reduce((sum, p) => sum + p.user + p.system, 0);
    const baseline = await startBaselineServers();
    const raw = await wsBroadcastThroughput(baseline.wsUrl, subscribers, frameText);
    baseline.stop();
    const webhooksPerSecond = (cores * 1000) / cpuMs;
    log(
      `${cpuMs.toFixed(1)} ms of CPU per webhook on ${cores} cores: at most ${Math.round(webhooksPerSecond)} webhooks/s, ${Math.round(webhooksPerSecond * subscribers)} frames/s; ` +
        `raw ws broadcast ${raw.framesPerSecond} frames/s → broadcast-capacity ≤ ${((webhooksPerSecond * subscribers) / raw.framesPerSecond).toFixed(3)}; ` +
        `the goal's 0.20 needs ≤ ${((cores * 1000 * subscribers) / (0.2 * raw.framesPerSecond)).toFixed(1)} ms per webhook, all processes together`,
    );
  }
} finally {
  await aviso.stop();
}
