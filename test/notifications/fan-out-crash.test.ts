import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signToken } from "../../src/auth/jwt.js";
import { loadConfig } from "../../src/config/index.js";
import { createPrisma, type PrismaClient } from "../../src/db/client.js";
import { createTestDatabase, type TestDatabase } from "../helpers/db.js";
import { eventually } from "../helpers/eventually.js";
import { processEnv, spawnAviso, type AvisoProcess } from "../helpers/process.js";
import { TEST_JWT_SECRET } from "../helpers/server.js";
import { startSmtp, type FakeSmtp } from "../helpers/smtp.js";
import { createUser } from "./fixtures.js";

// An API process SIGKILLed between a large fan-out's two phases: the notifications and
// the pending fan-out are committed, the deliveries are not. Two workers then start at
// once; their start-up sweeps race for the pending row, and every admin gets exactly one
// delivery, one job and one email.
//
// The kill lands inside phase two deterministically: a SHARE lock on "Delivery" (taken
// by the test) makes phase two wait at its insert, which phase one never does.

let database: TestDatabase;
let prisma: PrismaClient;
let pool: pg.Pool;
let smtp: FakeSmtp;
const processes: AvisoProcess[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  prisma = createPrisma(database.url, 2);
  pool = new pg.Pool({ connectionString: database.url, max: 3 });
  // Dropping the database at the end terminates connections still closing; an idle client's
  // error is then the pool's to emit, and unheard it would fail the whole run.
  pool.on("error", () => {});
  smtp = await startSmtp();
}, 60_000);

afterAll(async () => {
  if (process.env.SHOW_PROCESS_LOGS) for (const p of processes) console.log(`--- ${p.role}\n${p.output()}`);
  await Promise.allSettled(processes.map((p) => p.kill()));
  await pool?.end();
  await prisma?.$disconnect();
  await smtp?.close();
  await database?.drop();
});

async function count(sql: string, params: unknown[] = []): Promise<number> {
  return Number((await pool.query<{ n: string }>(`SELECT count(*)::text AS n FROM (${sql}) AS q`, params)).rows[0]!.n);
}

describe("a process killed between a fan-out's two phases", () => {
  it("loses no delivery: a worker's sweep writes each exactly once, even with two workers sweeping", async () => {
    const env = processEnv(database.url, "fan-out-crash", {
      FANOUT_SPLIT_MIN_DELIVERIES: "2",
      SMTP_HOST: "127.0.0.1",
      SMTP_PORT: String(smtp.port),
      SMTP_USE_TLS: "false",
      DELIVERY_RETRY_DELAY_SECONDS: "1",
    });
    const extra = await Promise.all([1, 2, 3, 4].map(() => createUser(prisma, "demo", "ORG_ADMIN")));
    const admins = ["admin@demo.test", ...extra.map((a) => a.email)];
    const raiser = await prisma.user.findUniqueOrThrow({ where: { email: "admin@demo.test" } });
    const token = await signToken(loadConfig({ NODE_ENV: "test", JWT_SECRET: TEST_JWT_SECRET }), raiser, "1h");

    const lock = await pool.connect();
    await lock.query(`BEGIN; LOCK TABLE "Delivery" IN SHARE MODE`);
    const api = await spawnAviso("serve", env);
    processes.push(api);
    const mutation = fetch(`${api.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: `mutation { createAlert(input: { title: "Disco cheio", severity: LOW }) { id } }` }),
    }).catch(() => undefined);

    // Phase one committed; phase two is inside its transaction, waiting to insert the deliveries.
    await eventually(
      async () =>
        (await count(`SELECT 1 FROM "PendingFanOut"`)) === 1 &&
        (await count(
          `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%INSERT INTO "Delivery"%'`,
        )) === 1,
      { what: "phase two to wait at its delivery insert", timeoutMs: 30_000 },
    );
    await api.signal("SIGKILL");
    await mutation;
    await lock.query("ROLLBACK");
    lock.release();

    // The dead process's transaction rolled back: the plan is still pending, nothing written.
    await eventually(async () => (await count(`SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`)) === 0, {
      what: "the killed process's transaction to end",
    });
    const alertNotifications = `SELECT n.id FROM "Notification" n JOIN "Alert" a ON a.id = n."alertId" WHERE a.title = 'Disco cheio'`;
    expect(await count(alertNotifications)).toBe(admins.length);
    expect(await count(`SELECT 1 FROM "PendingFanOut"`)).toBe(1);
    expect(await count(`SELECT 1 FROM "Delivery" WHERE "notificationId" IN (${alertNotifications})`)).toBe(0);

    const workers = await Promise.allSettled([spawnAviso("worker", env), spawnAviso("worker", env)]);
    for (const worker of workers) if (worker.status === "fulfilled") processes.push(worker.value);
    expect(workers.map((w) => w.status)).toEqual(["fulfilled", "fulfilled"]);

    // Both start-up sweeps have run, and every email has gone out.
    await eventually(async () => (await count(`SELECT 1 FROM pgboss.job WHERE name = 'notification-fan-outs' AND state = 'completed'`)) >= 2, {
      what: "both workers' start-up sweeps to complete",
      timeoutMs: 60_000,
    });
    await eventually(
      async () => (await count(`SELECT 1 FROM "Delivery" WHERE "notificationId" IN (${alertNotifications}) AND status = 'SENT'`)) === admins.length,
      { what: "every admin's email SENT", timeoutMs: 60_000 },
    );

    expect(await count(`SELECT 1 FROM "PendingFanOut"`)).toBe(0);
    const deliveries = await pool.query<{ userId: string; channel: string; jobs: number }>(
      `SELECT d."userId"::text AS "userId", d.channel::text AS channel,
              (SELECT count(*)::int FROM pgboss.job j WHERE j.name = 'deliver-email' AND j.data->>'deliveryId' = d.id::text) AS jobs
       FROM "Delivery" d WHERE d."notificationId" IN (${alertNotifications})`,
    );
    expect(deliveries.rows).toHaveLength(admins.length);
    expect(new Set(deliveries.rows.map((d) => d.userId)).size).toBe(admins.length);
    expect(deliveries.rows.every((d) => d.channel === "EMAIL" && d.jobs === 1)).toBe(true);
    for (const admin of admins) expect(smtp.messages.filter((m) => m.to.includes(admin))).toHaveLength(1);
  }, 180_000);
});
