// npx tsx bench/fanout-run.ts: only the fanout-alert goal of bench/run.ts — an alert to
// 1,000 subscribed admins, time from the mutation to the last frame — beside the raw `ws`
// broadcast to as many clients, in the same run. Quick to run while working on the
// alert's path (BENCH_PROFILE_DIR for a CPU profile of the server); prints JSON.
import { startBaselineServers, wsBroadcast } from "./baselines.js";
import { AlertFrames, alertFanout, openSubscribers } from "./fanout.js";
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
log("measuring");
const lastFrame = await alertFanout({ url: aviso.url, databaseUrl, adminToken: tokens[0]! }, frames, ADMINS, ROUNDS);
await Promise.all(sockets.map((s) => s.dispose()));
await aviso.stop();
smtp.close();
console.log(
  JSON.stringify(
    {
      admins: ADMINS,
      lastFrameMs: lastFrame.rounds,
      p50Ms: lastFrame.p50,
      rawBroadcastP50Ms: rawBroadcast.p50,
      ratio: Math.round((lastFrame.p50 / rawBroadcast.p50) * 10) / 10,
    },
    null,
    2,
  ),
);
