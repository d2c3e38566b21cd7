// Only the outbound scenario, briefly, without the rest of the bench:
//   npx tsx bench/outbound-run.ts   (BENCH_OUTBOUND_MESSAGES=300 by default)
// Prints sends/s through the outbox beside raw HTTP posts to the same stand-in.
import { freePort, freshDatabase, startAviso, tokenFor } from "./lib/aviso.js";
import { seedBenchData } from "./lib/setup.js";
import { outboxSends, rawPosts, startGraphStandIn } from "./outbound.js";

const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const REDIS_URL = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
const MESSAGES = Number(process.env.BENCH_OUTBOUND_MESSAGES ?? 300);

const databaseUrl = await freshDatabase(ADMIN_URL, "aviso_bench_outbound");
const standIn = await startGraphStandIn();
const aviso = await startAviso({ DATABASE_URL: databaseUrl, REDIS_URL, WHATSAPP_API_URL: standIn.url, WHATSAPP_MAX_MESSAGES_PER_SECOND: "1000" }, await freePort());
try {
  const data = await seedBenchData(databaseUrl, { agents: 20, fanoutAdmins: 0, idleUsers: 0 });
  const pgc = await import("pg");
  const db = new pgc.default.Client({ connectionString: databaseUrl });
  await db.connect();
  const conversations = (await db.query(`SELECT id::text FROM "Conversation" WHERE "organizationId" = $1`, [data.benchOrgId])).rows.map((r: { id: string }) => r.id);
  await db.end();
  const token = await tokenFor(data.agents[0]!);
  const raw = await rawPosts(standIn, MESSAGES * 2);
  const outbox = await outboxSends(aviso.url, databaseUrl, token, conversations, MESSAGES);
  console.log(JSON.stringify({ rawPostsPerSecond: raw.postsPerSecond, outbox, ratio: Math.round((outbox.sendsPerSecond / raw.postsPerSecond) * 1000) / 1000 }, null, 2));
} finally {
  await aviso.stop();
  await standIn.close();
}
