import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TransientDeliveryError } from "../../src/delivery/channel.js";
import { deliverBatch, type DeliveryJob } from "../../src/delivery/deliver.js";
import { deliveryJobs } from "../../src/delivery/jobs.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { startSmtp, type FakeSmtp } from "../helpers/smtp.js";
import { createNotificationWithDelivery, waitForStatus } from "./fixtures.js";

let server: TestServer;
let smtp: FakeSmtp;

beforeAll(async () => {
  smtp = await startSmtp();
  server = await startTestServer({
    env: { SMTP_HOST: "127.0.0.1", SMTP_PORT: String(smtp.port), SMTP_USE_TLS: "false", DELIVERY_RETRY_LIMIT: "2", DELIVERY_RETRY_DELAY_SECONDS: "1" },
  });
});
afterAll(async () => {
  await server?.stop();
  await smtp?.close();
});

const sentFor = (deliveryId: string) => smtp.messages.filter((m) => m.headers["x-aviso-delivery"] === deliveryId);

/** A user of the demo organization with an address of its own, so the sink can answer it alone. */
async function recipient(address: string): Promise<string> {
  const { prisma } = server.app.runtime;
  const admin = await prisma.user.findUniqueOrThrow({ where: { email: "admin@demo.test" } });
  await prisma.user.create({ data: { organizationId: admin.organizationId, email: address, name: address.split("@")[0]!, role: "AGENT" } });
  return address;
}

async function emailDelivery(address: string, title = "Lote") {
  const { delivery } = await createNotificationWithDelivery(server.app.runtime.prisma, { userEmail: address, channel: "EMAIL", title });
  return delivery;
}

const job = (deliveryId: string, n: number): DeliveryJob => ({
  data: { deliveryId },
  attempt: { id: `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`, retryCount: 0 },
});

describe("a batch of email deliveries", () => {
  it("records each outcome of a mixed batch: accepted → SENT, 5xx → FAILED, 4xx → retried", async () => {
    const accepted = await emailDelivery(await recipient("ok-batch@demo.test"));
    const rejected = await emailDelivery(await recipient("gone-batch@demo.test"));
    const busy = await emailDelivery(await recipient("busy-batch@demo.test"));
    smtp.refuse("gone-batch@demo.test", 550);
    smtp.refuse("busy-batch@demo.test", 451);

    const outcomes = await deliverBatch(server.app.runtime, "EMAIL", [job(accepted.id, 1), job(rejected.id, 2), job(busy.id, 3)]);
    expect(outcomes[0]).toBeNull();
    expect(outcomes[1]).toBeNull(); // a permanent failure completes the job
    expect(outcomes[2]).toBeInstanceOf(TransientDeliveryError); // the job fails: pg-boss retries it

    const rows = new Map(
      (await server.app.runtime.prisma.delivery.findMany({ where: { id: { in: [accepted.id, rejected.id, busy.id] } } })).map((row) => [row.id, row]),
    );
    expect(rows.get(accepted.id)).toMatchObject({ status: "SENT", attempts: 1, lastError: null, providerMessageId: expect.stringContaining(accepted.id) });
    expect(rows.get(accepted.id)!.sentAt).toBeInstanceOf(Date);
    expect(rows.get(rejected.id)).toMatchObject({ status: "FAILED", attempts: 1, lastError: expect.stringContaining("SMTP 550") });
    expect(rows.get(rejected.id)!.failedAt).toBeInstanceOf(Date);
    expect(rows.get(busy.id)).toMatchObject({ status: "PENDING", attempts: 1, lastError: expect.stringContaining("SMTP 451"), sentAt: null });
    expect(sentFor(accepted.id)).toHaveLength(1);
    expect(sentFor(rejected.id)).toHaveLength(0);
    expect(sentFor(busy.id)).toHaveLength(0);

    // The same jobs again (pg-boss retrying the batch): settled deliveries are left alone,
    // the 4xx one is accepted now.
    const again = await deliverBatch(server.app.runtime, "EMAIL", [job(accepted.id, 1), job(rejected.id, 2), job(busy.id, 3)]);
    expect(again).toEqual([null, null, null]);
    const retried = await server.app.runtime.prisma.delivery.findUniqueOrThrow({ where: { id: busy.id } });
    expect(retried).toMatchObject({ status: "SENT", attempts: 2, lastError: null });
    expect(sentFor(accepted.id)).toHaveLength(1);
    expect(sentFor(rejected.id)).toHaveLength(0);
    expect(sentFor(busy.id)).toHaveLength(1);
  });

  it("sends once when a job runs twice: in the same batch, in two batches at once, and after it was sent", async () => {
    const address = await recipient("twice-batch@demo.test");
    const inOneBatch = await emailDelivery(address, "Mesmo lote");
    const outcomes = await deliverBatch(server.app.runtime, "EMAIL", [job(inOneBatch.id, 11), job(inOneBatch.id, 12)]);
    expect(outcomes[0]).toBeNull();
    // The second job waits (pg-boss retries it) and then finds the delivery SENT.
    expect(outcomes[1]).toBeInstanceOf(Error);
    expect(await deliverBatch(server.app.runtime, "EMAIL", [job(inOneBatch.id, 12)])).toEqual([null]);
    expect(sentFor(inOneBatch.id)).toHaveLength(1);

    const inTwoBatches = await emailDelivery(address, "Dois lotes");
    await Promise.all([
      deliverBatch(server.app.runtime, "EMAIL", [job(inTwoBatches.id, 21)]),
      deliverBatch(server.app.runtime, "EMAIL", [job(inTwoBatches.id, 22)]),
    ]);
    expect(await deliverBatch(server.app.runtime, "EMAIL", [job(inTwoBatches.id, 23)])).toEqual([null]);
    expect(sentFor(inTwoBatches.id)).toHaveLength(1);
    const rows = await server.app.runtime.prisma.delivery.findMany({ where: { id: { in: [inOneBatch.id, inTwoBatches.id] } } });
    expect(rows.map((row) => [row.status, row.attempts])).toEqual([
      ["SENT", 1],
      ["SENT", 1],
    ]);
  });

  it("settles a batch the worker fetched together, each job on its own outcome", async () => {
    const accepted = await emailDelivery(await recipient("ok-worker@demo.test"));
    const rejected = await emailDelivery(await recipient("gone-worker@demo.test"));
    const busy = await emailDelivery(await recipient("busy-worker@demo.test"));
    smtp.refuse("gone-worker@demo.test", 550);
    smtp.refuse("busy-worker@demo.test", 451);
    await server.app.runtime.jobs.sendMany(
      deliveryJobs.EMAIL,
      [accepted, rejected, busy].map((d) => ({ data: { deliveryId: d.id }, key: d.id })),
    );
    expect(await waitForStatus(server, accepted.id, ["SENT", "FAILED", "DEAD"])).toMatchObject({ status: "SENT", attempts: 1 });
    expect(await waitForStatus(server, rejected.id, ["SENT", "FAILED", "DEAD"])).toMatchObject({ status: "FAILED", attempts: 1 });
    // Retried after the backoff, then accepted.
    expect(await waitForStatus(server, busy.id, ["SENT", "FAILED", "DEAD"])).toMatchObject({ status: "SENT", attempts: 2 });
    expect([accepted, rejected, busy].map((d) => sentFor(d.id).length)).toEqual([1, 0, 1]);
  });

  it("never reads another organization's rows into a delivery", async () => {
    const { prisma } = server.app.runtime;
    const acme = await prisma.user.findUniqueOrThrow({ where: { email: "admin@acme.test" } });
    // A demo delivery whose notification names an acme user: a stray id must not pull acme's address in.
    const stray = await emailDelivery(await recipient("stray-batch@demo.test"), "Estranho");
    await prisma.delivery.update({ where: { id: stray.id }, data: { userId: acme.id } });
    expect(await deliverBatch(server.app.runtime, "EMAIL", [job(stray.id, 31)])).toEqual([null]);
    expect(sentFor(stray.id)).toHaveLength(0);
    expect(smtp.messages.some((m) => m.to.includes("admin@acme.test") && m.headers["x-aviso-delivery"] === stray.id)).toBe(false);
  });
});
