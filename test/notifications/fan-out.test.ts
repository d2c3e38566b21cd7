import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NotificationAddedDocument as ADDED } from "../generated/operations.js";
import { createAlertAs, databaseId } from "../alerts/helpers.js";
import { eventually } from "../helpers/eventually.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { connect, subscribe, type SocketClient } from "../helpers/ws.js";
import { finishPendingFanOuts } from "../../src/notifications/fan-out.js";
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
  // The database is dropped at the end with its connections: an idle client's error is the pool's to emit.
  pool.on("error", () => {});
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

  it("keeps the hourly email limit when two fan-outs' second phases decide it at once", async () => {
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
      // Both first phases committed while neither fan-out's emails was decided or written.
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

  it("finishes a pending fan-out recorded with its email limit already decided (before phase two decided it)", async () => {
    const { prisma } = server.app.runtime;
    const demo = await orgId(prisma, "demo");
    const [within, over] = await Promise.all([1, 2].map(() => createUser(prisma, "demo", "ORG_ADMIN")));
    const notificationOf = async (userId: string) =>
      (await prisma.notification.create({ data: { organizationId: demo, userId, type: "ALERT_CREATED", title: "Antigo", body: "Plano antigo" } })).id;
    const row = (userId: string, notificationId: string, overLimit: boolean) => ({
      notificationId,
      userId,
      channel: "EMAIL",
      status: overLimit ? "SCHEDULED" : "PENDING",
      scheduledFor: null,
      lastError: overLimit ? "over the email limit: 5 emails in the last hour (limit 5 per user), held for the next digest" : null,
      webPushSubscriptionId: null,
      overLimit,
      timeZone: null,
    });
    const rows = [row(within!.id, await notificationOf(within!.id), false), row(over!.id, await notificationOf(over!.id), true)];
    // The row an older version's first phase wrote: decisions in the rows, the counted emails in emailUserIds, no limit.
    await pool.query(
      `INSERT INTO "PendingFanOut" (id, "organizationId", "plannedAt", deliveries, "emailUserIds", "createdAt")
       VALUES (gen_random_uuid(), $1, now() AT TIME ZONE 'UTC', $2::json, $3::uuid[], now() AT TIME ZONE 'UTC')`,
      [demo, JSON.stringify({ rows }), [within!.id]],
    );

    expect(await finishPendingFanOuts(server.app.runtime, 0)).toBe(1);
    expect(await pendingFanOuts()).toBe(0);
    const [sent] = await prisma.delivery.findMany({ where: { userId: within!.id } });
    expect(sent).toMatchObject({ channel: "EMAIL", status: "PENDING", digestId: null });
    expect(await count(`SELECT 1 FROM pgboss.job WHERE data->>'deliveryId' = $1`, [sent!.id])).toBe(1);
    const [held] = await prisma.delivery.findMany({ where: { userId: over!.id } });
    expect(held).toMatchObject({ channel: "EMAIL", status: "SCHEDULED" });
    expect(held!.digestId).not.toBeNull();
    expect(held!.lastError).toMatch(/^over the email limit/);
  }, 60_000);
});
