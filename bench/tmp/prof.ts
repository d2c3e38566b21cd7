import { spawn } from "node:child_process";
import { freshDatabase, tokenFor } from "../lib/aviso.js";
import { seedBenchData } from "../lib/setup.js";
import { ingest } from "../scenarios.js";
import { waitFor } from "../lib/stats.js";
const db = await freshDatabase("postgresql://postgres@127.0.0.1:5432/postgres", "aviso_prof");
const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts", "all"], {
  env: { ...process.env, NODE_ENV: "production", LOG_LEVEL: "warn", PORT: "47200", HOST: "127.0.0.1", JWT_SECRET: "bench-jwt-secret-long-enough-for-hs256", META_APP_SECRET: "bench-app-secret", DATABASE_URL: db, REDIS_URL: "redis://127.0.0.1:6379", RATE_LIMIT_WEBHOOKS_PER_MINUTE: "1000000" },
  stdio: ["ignore", "inherit", "inherit"],
});
await waitFor(async () => (await fetch("http://127.0.0.1:47200/readyz").catch(() => undefined))?.ok === true, 60000, 200);
await seedBenchData(db, { agents: 100, fanoutAdmins: 1, idleUsers: 1 });
import pg from "pg";
const c = new pg.Client({ connectionString: "postgresql://postgres@127.0.0.1:5432/postgres" }); await c.connect();
const sampler = setInterval(async () => { const r = await c.query("select state, wait_event_type, wait_event, left(query, 60) q, count(*) from pg_stat_activity where datname='aviso_prof' group by 1,2,3,4 order by 5 desc limit 6"); console.log(JSON.stringify(r.rows)); }, 1500);
console.log(await ingest("http://127.0.0.1:47200", 6));
clearInterval(sampler);
child.kill("SIGINT");
await new Promise((r) => child.once("exit", r));
