import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NotificationAddedDocument as ADDED } from "../generated/operations.js";
import { createAlertAs, databaseId } from "../alerts/helpers.js";
import { eventually } from "../helpers/eventually.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { connect, subscribe, type SocketClient } from "../helpers/ws.js";
import { anchorNotification, createUser, orgId } from "./fixtures.js";

// A large fan-out commits its notifications (with a pending fan-out row) first, publishes
// the frames, then writes the deliveries in a second transaction. The threshold is
// lowered here so a handful of admins is "large". A SHARE lock on "Delivery" holds the
// second phase back (it waits to insert) while leaving the first one free: what the
// sockets receive meanwhile was published before any delivery was written.

let server: TestServer;
let pool: pg.Pool;
const sockets: SocketClient[] = [];

beforeAll(async () => {
  server = await startTestServer({ role: "serve", env: { FANOUT_SPLIT_MIN_DELIVERIES: "2" } });
  pool = new pg.Pool({ connectionString: server.database.url, max: 4 });
});
afterAll(async () => {
  await Promise.all(sockets.map((s) => s.dispose()));
  await pool?.end();
  await server?.stop();
});

/** Holds every insert into "Delivery" until `release` (reads go on). */
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

async function count(sql: string, params: unknown[]): Promise<number> {
  return Number((await pool.query<{ n: string }>(`SELECT count(*)::text AS n FROM (${sql}) AS q`, params)).rows[0]!.n);
}

const pendingFanOuts = () => count(`SELECT 1 FROM "PendingFanOut"`, []);

describe("a large fan-out", () => {
  it("publishes its frames before the deliveries are written, and never before the notifications commit", async () => {
    const { prisma } = server.app.runtime;
    const admins = [{ email: "admin@demo.test" }, ...(await Promise.all([1, 2, 3].map(() => createUser(prisma, "demo", "ORG_ADMIN"))))];
    const subscriptions = await Promise.all(
      admins.map(async ({ email }) => {
        const socket = connect(server.wsUrl, `Bearer ${await server.token(email)}`);
        sockets.push(socket);
        await socket.connected;
        return subscribe(socket, ADDED, { after: await anchorNotification(prisma, email) });
      }),
    );

    const held = await holdDeliveryWrites();
    const created = createAlertAs(server, await server.token("admin@demo.test"), { title: "Fila parada", severity: "HIGH" });
    try {
      for (const subscription of subscriptions) {
        const frame = (await subscription.next(20_000)).data!.notificationAdded;
        expect(frame).toMatchObject({ type: "ALERT_CREATED" });
        const notificationId = databaseId(frame.id);
        // Committed: another connection sees the notification…
        expect(await count(`SELECT 1 FROM "Notification" WHERE id = $1`, [notificationId])).toBe(1);
        // …and no delivery of it yet: its email is still only planned.
        expect(await count(`SELECT 1 FROM "Delivery" WHERE "notificationId" = $1`, [notificationId])).toBe(0);
      }
      expect(await pendingFanOuts()).toBe(1);
    } finally {
      await held.release();
    }

    const alert = await created;
    const deliveries = await prisma.delivery.findMany({ where: { notification: { alertId: databaseId(alert.id) } }, select: { userId: true, channel: true } });
    expect(deliveries.map((d) => d.channel)).toEqual(admins.map(() => "EMAIL"));
    expect(new Set(deliveries.map((d) => d.userId)).size).toBe(admins.length);
    expect(await pendingFanOuts()).toBe(0);
    // Each email has its one job.
    expect(
      await count(
        `SELECT 1 FROM pgboss.job j JOIN "Delivery" d ON d.id::text = j.data->>'deliveryId' JOIN "Notification" n ON n.id = d."notificationId" WHERE n."alertId" = $1`,
        [databaseId(alert.id)],
      ),
    ).toBe(admins.length);
  }, 60_000);

  it("keeps the hourly email limit when a second fan-out decides while the first one's emails are only planned", async () => {
    const { prisma } = server.app.runtime;
    const demo = await orgId(prisma, "demo");
    await prisma.organization.update({ where: { id: demo }, data: { emailHourlyLimit: 1 } });
    const fresh = await Promise.all([1, 2].map(() => createUser(prisma, "demo", "ORG_ADMIN")));
    const token = await server.token("admin@demo.test");

    const held = await holdDeliveryWrites();
    let first: Promise<unknown>;
    let second: Promise<unknown>;
    try {
      first = createAlertAs(server, token, { title: "Primeiro", severity: "HIGH" });
      await eventually(async () => (await pendingFanOuts()) === 1, { what: "the first fan-out's phase one to commit" });
      second = createAlertAs(server, token, { title: "Segundo", severity: "HIGH" });
      // The second decided its emails while none of the first's was a Delivery row.
      await eventually(async () => (await pendingFanOuts()) === 2, { what: "the second fan-out's phase one to commit" });
      expect(
        await count(
          `SELECT 1 FROM "Delivery" d JOIN "Notification" n ON n.id = d."notificationId" JOIN "Alert" a ON a.id = n."alertId" WHERE a.title = 'Primeiro'`,
          [],
        ),
      ).toBe(0);
    } finally {
      await held.release();
    }
    await Promise.all([first!, second!]);

    // Every admin: at most one email of their own in the hour; the rest wait for the digest.
    const sent = await prisma.delivery.groupBy({
      by: ["userId"],
      where: { organizationId: demo, channel: "EMAIL", status: { not: "SKIPPED" }, digestId: null },
      _count: { _all: true },
    });
    for (const row of sent) expect(row._count._all).toBeLessThanOrEqual(1);
    for (const admin of fresh) {
      const emails = await prisma.delivery.findMany({ where: { userId: admin.id, channel: "EMAIL" }, select: { digestId: true } });
      expect(emails).toHaveLength(2);
      expect(emails.filter((e) => e.digestId === null)).toHaveLength(1);
      // The held one waits in the admin's own digest, which has its one job.
      const digestId = emails.find((e) => e.digestId)!.digestId!;
      expect(await prisma.digest.findUniqueOrThrow({ where: { id: digestId } })).toMatchObject({ userId: admin.id, channel: "EMAIL", status: "SCHEDULED" });
      expect(await count(`SELECT 1 FROM pgboss.job WHERE name = 'send-digest' AND data->>'digestId' = $1`, [digestId])).toBe(1);
    }
    expect(await pendingFanOuts()).toBe(0);
  }, 60_000);

  it("keeps one transaction below the threshold", async () => {
    const { prisma } = server.app.runtime;
    const acme = await orgId(prisma, "acme");
    // acme has one admin: one email, under the threshold of 2.
    const held = await holdDeliveryWrites();
    const created = createAlertAs(server, await server.token("admin@acme.test"), { title: "Só um", severity: "LOW" });
    try {
      // Phase one itself waits for the lock: nothing is committed, nothing pending.
      await eventually(async () => (await count(`SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`, [])) >= 1, {
        what: "the alert's transaction to wait for the delivery lock",
      });
      expect(
        await count(`SELECT 1 FROM "Notification" n JOIN "Alert" a ON a.id = n."alertId" WHERE n."organizationId" = $1 AND a.title = 'Só um'`, [acme]),
      ).toBe(0);
      expect(await pendingFanOuts()).toBe(0);
    } finally {
      await held.release();
    }
    await created;
    expect(await count(`SELECT 1 FROM "Notification" n JOIN "Alert" a ON a.id = n."alertId" WHERE n."organizationId" = $1 AND a.title = 'Só um'`, [acme])).toBe(
      1,
    );
  }, 60_000);
});
