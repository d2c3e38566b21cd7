import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../helpers/eventually.js";
import { inboundWebhook, postWebhook } from "../helpers/meta.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { TrailingPublishes } from "../../src/webhooks/meta/trailing-publishes.js";

// A webhook is answered once its commit is durable; what agents hear follows it. The
// threshold of a large fan-out is lowered so a new conversation's notifications are
// one: their deliveries are written by a second transaction after the frames. A SHARE
// lock on "Delivery" holds that second transaction back while leaving the webhook's own
// free, so whether Meta's answer waits for it shows.

let server: TestServer;
let pool: pg.Pool;

beforeAll(async () => {
  server = await startTestServer({ env: { FANOUT_SPLIT_MIN_DELIVERIES: "2", NOTIFY_NEW_MESSAGE_ENABLED: "true" } });
  pool = new pg.Pool({ connectionString: server.database.url, max: 4 });
  // Both demo agents hear of every new conversation by email too: two deliveries make it large.
  const { prisma } = server.app.runtime;
  const demo = await prisma.organization.update({ where: { slug: "demo" }, data: { notifyNewMessage: true, emailHourlyLimit: 1_000 } });
  const agents = await prisma.user.findMany({ where: { email: { in: ["agent@demo.test", "agent2@demo.test"] } } });
  await prisma.user.updateMany({ where: { id: { in: agents.map((a) => a.id) } }, data: { notifyOnNewMessage: true } });
  await prisma.notificationPreference.createMany({
    data: agents.map((agent) => ({ organizationId: demo.id, userId: agent.id, type: "NEW_MESSAGE" as const, channel: "EMAIL" as const, enabled: true })),
    skipDuplicates: true,
  });
});
afterAll(async () => {
  await pool?.end();
  await server?.stop();
});

async function holdDeliveryWrites(): Promise<{ release(): Promise<void> }> {
  const client = await pool.connect();
  await client.query(`BEGIN; LOCK TABLE "Delivery" IN SHARE MODE`);
  return {
    async release() {
      await client.query("ROLLBACK");
      client.release();
    },
  };
}

async function count(sql: string, params: unknown[] = []): Promise<number> {
  return Number((await pool.query<{ n: string }>(`SELECT count(*)::text AS n FROM (${sql}) AS q`, params)).rows[0]!.n);
}

const deliveriesOf = (wamid: string) =>
  count(
    `SELECT 1 FROM "Delivery" d JOIN "Notification" n ON n.id = d."notificationId"
     WHERE n.data->>'messageId' = (SELECT id::text FROM "Message" WHERE "externalId" = $1)`,
    [wamid],
  );
const notificationsOf = (wamid: string) =>
  count(`SELECT 1 FROM "Notification" WHERE data->>'messageId' = (SELECT id::text FROM "Message" WHERE "externalId" = $1)`, [wamid]);

describe("a webhook's answer", () => {
  it("comes once the commit is durable, without waiting for the deliveries of the fan-out it caused", async () => {
    const { body, message } = inboundWebhook({ from: "5511977000001", text: "Olá, preciso de ajuda" });
    const held = await holdDeliveryWrites();
    try {
      const response = await postWebhook(server.url, body);
      expect(response.status).toBe(200);
      // Answered with the message and its notifications committed, the deliveries still held back.
      expect(await notificationsOf(message.id)).toBeGreaterThanOrEqual(2);
      expect(await deliveriesOf(message.id)).toBe(0);
      expect(await count(`SELECT 1 FROM "PendingFanOut"`)).toBe(1);
    } finally {
      await held.release();
    }
    await eventually(async () => (await count(`SELECT 1 FROM "PendingFanOut"`)) === 0, { what: "the fan-out's second phase" });
    expect(await deliveriesOf(message.id)).toBeGreaterThanOrEqual(2);
  });

  it("is followed through by stop(): what answered webhooks still publish is finished before anything closes", async () => {
    const { body, message } = inboundWebhook({ from: "5511977000002", text: "Outra dúvida" });
    // Holds the publishing at its read of the unread counters, before the fan-out's second phase.
    const client = await pool.connect();
    await client.query(`BEGIN; LOCK TABLE "NotificationCounter" IN ACCESS EXCLUSIVE MODE`);
    let stopping: Promise<void> | undefined;
    try {
      expect((await postWebhook(server.url, body)).status).toBe(200);
      await eventually(async () => (await count(`SELECT 1 FROM pg_locks WHERE NOT granted AND relation = '"NotificationCounter"'::regclass`)) > 0, {
        what: "the publishing waiting on the lock",
      });
      stopping = server.app.stop();
      expect(await count(`SELECT 1 FROM "PendingFanOut"`)).toBe(1);
    } finally {
      await client.query("ROLLBACK");
      client.release();
    }
    // Had the bus, the job queue or the database closed first, the second phase would have failed here.
    await stopping;
    expect(await count(`SELECT 1 FROM "PendingFanOut"`)).toBe(0);
    expect(await deliveriesOf(message.id)).toBeGreaterThanOrEqual(2);
  });
});

describe("the publishing that follows answered webhooks", () => {
  it("is bounded, and drained only once every adopted publishing has ended", async () => {
    const trailing = new TrailingPublishes();
    const ends: Array<() => void> = [];
    let adopted = 0;
    while (trailing.tryAdopt(new Promise<void>((resolve) => ends.push(resolve)))) adopted++;
    // Past the bound the caller publishes before answering, as before.
    expect(adopted).toBe(64);
    let drained = false;
    const draining = trailing.drain().then(() => void (drained = true));
    const last = ends[adopted - 1]!;
    for (const end of ends.slice(0, adopted - 1)) end();
    await new Promise((resolve) => setImmediate(resolve));
    expect(drained).toBe(false);
    expect(trailing.tryAdopt(Promise.resolve())).toBe(true);
    last();
    await draining;
    expect(drained).toBe(true);
  });
});
