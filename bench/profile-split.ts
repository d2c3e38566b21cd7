// npx tsx bench/profile-split.ts <file.cpuprofile>...: where the server's CPU went, by layer.
// Self time of every sampled function, attributed by the file it lives in (the layer a
// webhook or a frame passes through). Profiles come from BENCH_PROFILE_DIR=dir (bench/lib/aviso.ts).
import { readFileSync } from "node:fs";
import { z } from "zod";

const profileSchema = z.object({
  nodes: z.array(
    z.object({
      id: z.number(),
      callFrame: z.object({ functionName: z.string(), url: z.string() }),
    }),
  ),
  samples: z.array(z.number()),
  timeDeltas: z.array(z.number()),
});

/** First match wins: the layer a file belongs to. */
const LAYERS: Array<[layer: string, test: (url: string, fn: string) => boolean]> = [
  ["idle", (_u, fn) => fn === "(idle)" || fn === "(program)"],
  ["gc", (_u, fn) => fn === "(garbage collector)"],
  ["socket writes", (_u, fn) => /^(writev|writeBuffer|writeUtf8String|writeLatin1String|writeAsciiString)$/.test(fn)],
  ["start-up (module loading)", (u) => /node:internal\/modules\//.test(u) || u.includes("node_modules/tsx/") || u.includes("node_modules/esbuild/")],
  ["prisma", (u) => /@prisma\/|\/generated\/prisma\//.test(u)],
  ["pg", (u) => /node_modules\/(pg|pg-protocol|pg-pool|pg-types|postgres-array|pgpass)\//.test(u)],
  ["pg-boss", (u) => u.includes("node_modules/pg-boss/")],
  ["pubsub (ioredis)", (u) => /node_modules\/(ioredis|graphql-redis-subscriptions|redis-parser|@ioredis)\//.test(u)],
  ["ws", (u) => /node_modules\/(ws|graphql-ws)\//.test(u)],
  ["graphql", (u) => /node_modules\/(graphql|@pothos|@envelop|graphql-jit|@graphql-tools)\//.test(u)],
  ["http (yoga, whatwg)", (u) => /node_modules\/(graphql-yoga|@whatwg-node|@graphql-yoga)\//.test(u) || /node:(_)?http/.test(u)],
  ["hmac, crypto", (u, fn) => /node:(internal\/)?crypto/.test(u) || /createHmac|timingSafeEqual|digest/.test(fn)],
  ["validation (zod)", (u) => u.includes("node_modules/zod/")],
  ["logging (pino)", (u) => /node_modules\/(pino|thread-stream|sonic-boom)/.test(u)],
  ["aviso", (u) => u.includes("/src/")],
  ["node internals", (u) => u.startsWith("node:") || u === ""],
  ["other libraries", () => true],
];

const totals = new Map<string, number>();
let all = 0;
for (const file of process.argv.slice(2)) {
  const profile = profileSchema.parse(JSON.parse(readFileSync(file, "utf8")));
  const layerOf = new Map<number, string>();
  for (const node of profile.nodes) {
    const { url, functionName } = node.callFrame;
    layerOf.set(node.id, LAYERS.find(([, test]) => test(url, functionName))![0]);
  }
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i] ?? 0;
    const layer = layerOf.get(id) ?? "other libraries";
    totals.set(layer, (totals.get(layer) ?? 0) + us);
    all += us;
  });
}
const busy = all - (totals.get("idle") ?? 0);
const rows = [...totals].filter(([layer]) => layer !== "idle").sort((a, b) => b[1] - a[1]);
const split = Object.fromEntries(rows.map(([layer, us]) => [layer, Math.round((us / busy) * 1000) / 10]));
console.log(JSON.stringify({ busyMs: Math.round(busy / 1000), idleMs: Math.round((totals.get("idle") ?? 0) / 1000), percentOfBusy: split }, null, 2));
