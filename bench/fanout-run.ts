// npx tsx bench/fanout-run.ts: only the fanout-alert goal of bench/run.ts — an alert to
// 1,000 subscribed admins, time from the mutation to the last frame — beside the raw `ws`
// broadcast to as many clients, in the same run. Quick to run while working on the
// alert's path (BENCH_PROFILE_DIR for a CPU profile of the server); prints JSON.
import { startBaselineServers, wsBroadcast } from "./baselines.js";
import { AlertFrames, alertFanout, deliveriesDrained, openSubscribers } from "./fanout.js";
import { freePort, freshDatabase, startAviso, tokenFor } from "./lib/aviso.js";
import { seedBenchData } from "./lib/setup.js";
import { startSmtpSink } from "./lib/smtp-sink.js";

const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const REDIS_URL = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
const ADMINS = Number(process.env.BENCH_FANOUT_ADMINS ?? 1000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const log = (msg: string) => process.stderr.write(`[fanout] ${msg}\n`);

const smtp = await startSmtpSink();
const databaseUrl = await freshDatabase(ADMIN_URL, "aviso_bench_fanout");
const base = await startBaselineServers();
const rawBroadcast = await wsBroadcast(base.wsUrl, ADMINS);
base.stop();

const aviso = await startAviso({ DATABASE_URL: databaseUrl, REDIS_URL, ...smtp.env }, await freePort());
const data = await seedBenchData(databaseUrl, { agents: 1, fanoutAdmins: ADMINS, idleUsers: 1, broadcastAgents: 1 });
const tokens = await Promise.all(data.fanoutAdmins.map(tokenFor));
const frames = new AlertFrames();
const sockets = await openSubscribers(aviso.wsUrl, tokens, (index, body) => frames.record(index, body));
log("warm-up");
await alertFanout(aviso.url, tokens[0]!, frames, ADMINS, 2);
await deliveriesDrained(databaseUrl);
frames.clear();
log("measuring");
const rounds = [];
for (let r = 0; r < ROUNDS; r++) {
  rounds.push((await alertFanout(aviso.url, tokens[0]!, frames, ADMINS, 1)).p50);
  frames.clear();
  // The alert's emails are sent meanwhile: each round starts with the worker idle.
  await deliveriesDrained(databaseUrl);
}
await Promise.all(sockets.map((s) => s.dispose()));
await aviso.stop();
smtp.close();
const sorted = [...rounds].sort((a, b) => a - b);
const median = sorted[Math.floor(sorted.length / 2)]!;
console.log(
  JSON.stringify(
    { admins: ADMINS, lastFrameMs: rounds, medianMs: median, rawBroadcastP50Ms: rawBroadcast.p50, ratio: Math.round((median / rawBroadcast.p50) * 10) / 10 },
    null,
    2,
  ),
);
