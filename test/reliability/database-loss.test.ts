import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { reprocessWebhookEventJob } from "../../src/webhooks/meta/jobs.js";
import { withDatabase } from "../setup/global.js";
import { createTestDatabase, type TestDatabase } from "../helpers/db.js";
import { eventually } from "../helpers/eventually.js";
import { inboundWebhook, postWebhook } from "../helpers/meta.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { startTcpProxy, type TcpProxy } from "../helpers/tcp-proxy.js";

// The database goes away under webhook traffic, twice: its backends are terminated
// every 150 ms, then it refuses connections altogether (through a proxy this test
// cuts — the shared PostgreSQL is never touched). A webhook is answered 200 only once
// it is safe: whatever was answered 200 is stored; anything else is a 5xx Meta
// retries. The same process recovers on its own.

const TERMINATE_ROUNDS = 40;
const TERMINATE_EVERY_MS = 150;
const LANES = 4;
const OUTAGE_WEBHOOKS = 10;

let database: TestDatabase;
let proxy: TcpProxy;
let server: TestServer;
let admin: pg.Client;

beforeAll(async () => {
  database = await createTestDatabase();
  const direct = new URL(database.url);
  proxy = await startTcpProxy({ host: direct.hostname, port: Number(direct.port || 5432) });
  const proxied = new URL(database.url);
  proxied.port = String(proxy.port);
  server = await startTestServer({ database, env: { DATABASE_URL: proxied.toString() } });
  admin = new pg.Client({ connectionString: withDatabase(inject("adminDatabaseUrl"), "postgres") });
  await admin.connect();
}, 60_000);

afterAll(async () => {
  proxy?.restore();
  await server?.stop();
  await proxy?.close();
  await admin?.end();
  await database?.drop();
});

interface Traffic {
  wamids: string[];
  statuses: Record<string, number>;
  redeliveries: number;
}

/** Like Meta: posts `body` until it is answered 200; any other answer must be a 5xx. */
async function deliverUntilAccepted(body: unknown, traffic: Traffic): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (attempt > 0) traffic.redeliveries++;
    const status = await postWebhook(server.url, body).then(
      async (response) => {
        await response.arrayBuffer();
        return response.status;
      },
      () => 0,
    );
    traffic.statuses[status] = (traffic.statuses[status] ?? 0) + 1;
    if (status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("a webhook was never accepted");
}

async function readiness() {
  const response = await fetch(`${server.url}/readyz`);
  return { status: response.status, body: (await response.json()) as { ready: boolean; checks: Record<string, string> } };
}

const storedCount = (wamids: string[]) => server.app.runtime.prisma.message.count({ where: { externalId: { in: wamids } } });

describe("the database lost under webhook traffic", () => {
  it("answers 200 only for what it stored while its backends are terminated every 150 ms", async () => {
    const traffic: Traffic = { wamids: [], statuses: {}, redeliveries: 0 };
    let terminating = true;
    let terminated = 0;
    const terminator = (async () => {
      for (let round = 0; round < TERMINATE_ROUNDS; round++) {
        const result = await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", [
          database.name,
        ]);
        terminated += result.rowCount ?? 0;
        await new Promise((resolve) => setTimeout(resolve, TERMINATE_EVERY_MS));
      }
      terminating = false;
    })();
    // Customers keep writing while it happens: one message per body, some with two.
    const lanes = Array.from({ length: LANES }, async (_, lane) => {
      for (let i = 0; terminating; i++) {
        const first = inboundWebhook({ from: `55219888${String(lane).padStart(2, "0")}${String(i % 7).padStart(3, "0")}`, text: `db-loss ${lane}-${i}` });
        traffic.wamids.push(first.message.id);
        await deliverUntilAccepted(first.body, traffic);
      }
    });
    await Promise.all([terminator, ...lanes]);

    expect(terminated).toBeGreaterThan(0);
    expect(
      Object.keys(traffic.statuses)
        .map(Number)
        .filter((s) => s !== 200 && s < 500),
    ).toEqual([]);
    // Answered 200 means applied, or stored raw together with its reprocess job (one
    // commit). A job that lost its completion with its connection stays active until it
    // expires (120 s) and then waits for the sweeper, which runs every 5 minutes: that
    // sweep is done here instead of waiting for it.
    const prisma = server.app.runtime.prisma;
    const queued = async () =>
      Number(
        (
          await prisma.$queryRaw<
            Array<{ n: bigint }>
          >`SELECT count(*) AS n FROM pgboss.job WHERE name = ${reprocessWebhookEventJob.name} AND state IN ('created', 'retry')`
        )[0]!.n,
      );
    await eventually(async () => (await storedCount(traffic.wamids)) === traffic.wamids.length || (await queued()) === 0, {
      what: "every webhook stored or none queued",
      timeoutMs: 60_000,
      intervalMs: 250,
    });
    const awaitingSweep = await prisma.webhookEvent.findMany({ where: { status: "RECEIVED" }, select: { id: true } });
    for (const { id } of awaitingSweep) await server.app.runtime.jobs.send(reprocessWebhookEventJob, { webhookEventId: id });
    await eventually(async () => (await storedCount(traffic.wamids)) === traffic.wamids.length, {
      what: "every webhook stored",
      timeoutMs: 60_000,
      intervalMs: 250,
    });
    const perWamid = await server.app.runtime.prisma.message.groupBy({ by: ["externalId"], where: { externalId: { in: traffic.wamids } }, _count: true });
    expect(perWamid.filter((g) => g._count !== 1)).toEqual([]);
    expect((await readiness()).status).toBe(200);
    console.log(
      JSON.stringify({
        databaseTerminations: {
          rounds: TERMINATE_ROUNDS,
          backendsTerminated: terminated,
          webhooks: traffic.wamids.length,
          statuses: traffic.statuses,
          redeliveries: traffic.redeliveries,
          eventsAwaitingSweeper: awaitingSweep.length,
          stored: perWamid.length,
          lost: traffic.wamids.length - perWamid.length,
        },
      }),
    );
  }, 180_000);

  it("answers 503 while the database refuses connections, is unready, and stores the redeliveries once it is back", async () => {
    proxy.cut();
    const down = await eventually(
      async () => {
        const r = await readiness();
        return r.status === 503 ? r : undefined;
      },
      { what: "readiness to report 503 with the database down" },
    );
    expect(down.body).toMatchObject({ ready: false, checks: { database: "down" } });

    const refused: Array<{ wamid: string; body: unknown }> = [];
    const statuses: Record<string, number> = {};
    for (let i = 0; i < OUTAGE_WEBHOOKS; i++) {
      const { message, body } = inboundWebhook({ from: "5521977700001", text: `durante a queda ${i}` });
      const response = await postWebhook(server.url, body);
      statuses[response.status] = (statuses[response.status] ?? 0) + 1;
      refused.push({ wamid: message.id, body });
    }
    // Nothing could be stored, so nothing was acknowledged: Meta will deliver them again.
    expect(statuses).toEqual({ 503: OUTAGE_WEBHOOKS });
    expect((await readiness()).status).toBe(503);

    proxy.restore();
    await eventually(async () => (await readiness()).status === 200, {
      what: "readiness to report 200 with the database back",
      timeoutMs: 30_000,
      intervalMs: 250,
    });
    const traffic: Traffic = { wamids: [], statuses: {}, redeliveries: 0 };
    for (const { body } of refused) await deliverUntilAccepted(body, traffic);
    const wamids = refused.map((r) => r.wamid);
    expect(await storedCount(wamids)).toBe(OUTAGE_WEBHOOKS);
    console.log(
      JSON.stringify({
        databaseRefusing: {
          webhooksDuringOutage: OUTAGE_WEBHOOKS,
          answered: statuses,
          redelivered: OUTAGE_WEBHOOKS,
          redeliveryStatuses: traffic.statuses,
          stored: OUTAGE_WEBHOOKS,
          lost: 0,
        },
      }),
    );
  }, 120_000);
});
