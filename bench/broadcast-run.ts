// Only the broadcast scenario, without the rest of the bench:
//   npx tsx bench/broadcast-run.ts
// (knobs: BENCH_BROADCAST_STEP_SECONDS, _LATENCY_SECONDS, _START_RATE, _MAX_STEPS, _COALESCE_SECONDS;
// BENCH_BROADCAST_CHART=path also writes the chart there). Prints the ramp, the raw
// baseline, the latency points and the two goals' ratios, measured in this run.
import { writeFileSync } from "node:fs";
import { pgTransaction, redisRoundTrip, startBaselineServers, wsEcho } from "./baselines.js";
import { broadcastBench } from "./broadcast.js";
import { freePort, freshDatabase, startAviso, tokenFor } from "./lib/aviso.js";
import { broadcastChart } from "./lib/chart.js";
import { seedBenchData } from "./lib/setup.js";

const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const REDIS_URL = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
const log = (msg: string) => process.stderr.write(`[bench:broadcast] ${msg}\n`);

const databaseUrl = await freshDatabase(ADMIN_URL, "aviso_bench_broadcast");
const base = await startBaselineServers();
const floor = { wsEchoMs: await wsEcho(base.wsUrl), pgTransactionMs: await pgTransaction(databaseUrl), redisRoundTripMs: await redisRoundTrip(REDIS_URL) };
base.stop();
const aviso = await startAviso({ DATABASE_URL: databaseUrl, REDIS_URL }, await freePort());
try {
  const data = await seedBenchData(databaseUrl, { agents: 1, fanoutAdmins: 0, idleUsers: 0, broadcastAgents: 100 });
  const result = await broadcastBench({
    avisoUrl: aviso.url,
    avisoWsUrl: aviso.wsUrl,
    baselineWsUrl: async () => {
      const servers = await startBaselineServers();
      return { url: servers.wsUrl, stop: servers.stop };
    },
    tokens: await Promise.all(data.broadcastAgents.map(tokenFor)),
    log,
  });
  const floorMs = floor.pgTransactionMs.p99 + floor.redisRoundTripMs.p99 + floor.wsEchoMs.p99;
  const at50 = result.latency.find((l) => l.fractionOfCapacity === 0.5)!;
  console.log(
    JSON.stringify(
      {
        floor,
        broadcast: result,
        capacityRatio: Math.round((result.saturation.framesPerSecond / result.raw.framesPerSecond) * 1000) / 1000,
        latencyRatio: Math.round((at50.p99 / floorMs) * 100) / 100,
      },
      null,
      2,
    ),
  );
  if (process.env.BENCH_BROADCAST_CHART) {
    writeFileSync(
      process.env.BENCH_BROADCAST_CHART,
      broadcastChart(result.ramp, result.raw.framesPerSecond, result.agents, "Broadcast: 100 agents hear every webhook"),
    );
  }
} finally {
  await aviso.stop();
}
