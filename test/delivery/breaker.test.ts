import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { metaAccepted, metaError, startGraphApi } from "../helpers/graph-api.js";
import type { HttpFake } from "../helpers/http-fake.js";
import { deliveryJobs } from "../../src/delivery/jobs.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { eventually } from "../helpers/eventually.js";
import { createNotificationWithDelivery, enqueue, waitForStatus } from "./fixtures.js";

let server: TestServer;
let graph: HttpFake;

beforeAll(async () => {
  graph = await startGraphApi();
  server = await startTestServer({
    env: {
      WHATSAPP_API_URL: graph.url,
      DELIVERY_RETRY_LIMIT: "2",
      DELIVERY_RETRY_DELAY_SECONDS: "1",
      DELIVERY_BREAKER_FAILURES: "3",
      DELIVERY_BREAKER_OPEN_SECONDS: "6",
    },
  });
  await server.app.runtime.prisma.user.updateMany({ where: { whatsappNotificationNumber: { not: null } }, data: { whatsappLastInboundAt: new Date() } });
});
afterAll(async () => {
  await server?.stop();
  await graph?.close();
});

const newDelivery = async (name: string) =>
  (
    await createNotificationWithDelivery(server.app.runtime.prisma, {
      userEmail: "agent@demo.test",
      channel: "WHATSAPP",
      conversation: { contactName: name, text: "Oi" },
    })
  ).delivery;
const row = (id: string) => server.app.runtime.prisma.delivery.findUniqueOrThrow({ where: { id } });

describe("the circuit breaker", () => {
  // Waits up to 20 s twice for the failures and the held deliveries, then up to 30 s for the recovery.
  it("stops calling a failing provider after N failures, holds deliveries without using their retries, and sends them all once it recovers", {
    timeout: 120_000,
  }, async () => {
    graph.setDefault(metaError(500, 131000, "Something went wrong"));
    const first = [await newDelivery("A"), await newDelivery("B"), await newDelivery("C")];
    for (const d of first) await enqueue(server, "WHATSAPP", d.id);
    await eventually(async () => (await Promise.all(first.map((d) => row(d.id)))).every((r) => r.attempts >= 1 && r.lastError !== null), {
      what: "three failures",
    });
    expect(graph.requests).toHaveLength(3);

    // The breaker is open: new deliveries wait instead of reaching the provider.
    const later = [await newDelivery("D"), await newDelivery("E"), await newDelivery("F")];
    for (const d of later) await enqueue(server, "WHATSAPP", d.id);
    const held = await eventually(
      async () => {
        const rows = await Promise.all(later.map((d) => row(d.id)));
        return rows.every((r) => r.lastError?.startsWith("circuit open")) ? rows : undefined;
      },
      { what: "the later deliveries to wait for the circuit" },
    );
    expect(held.map((r) => [r.status, r.attempts])).toEqual([
      ["PENDING", 0],
      ["PENDING", 0],
      ["PENDING", 0],
    ]);
    expect(graph.requests).toHaveLength(3);

    graph.setDefault(metaAccepted);
    const all = [...first, ...later];
    for (const d of all) {
      const done = await waitForStatus(server, d.id, ["SENT", "FAILED", "DEAD"], 30_000);
      expect(done.status).toBe("SENT");
    }
    expect(graph.requests).toHaveLength(9);
  });

  // Waits up to 20 s twice, then up to 30 s for the send once the circuit lets it through.
  it("leaves one waiting job per delivery when two of its jobs meet the open circuit together", { timeout: 90_000 }, async () => {
    graph.setDefault(metaError(500, 131000, "Something went wrong"));
    const failing = [await newDelivery("G"), await newDelivery("H"), await newDelivery("I")];
    for (const d of failing) await enqueue(server, "WHATSAPP", d.id);
    await eventually(async () => (await Promise.all(failing.map((d) => row(d.id)))).every((r) => r.attempts >= 1 && r.lastError !== null), {
      what: "three failures",
    });

    // Two jobs for one delivery at once (a replay racing the engine's job, say), in one batch.
    const delivery = await newDelivery("J");
    await server.app.runtime.jobs.sendMany(deliveryJobs.WHATSAPP, [
      { data: { deliveryId: delivery.id }, key: delivery.id },
      { data: { deliveryId: delivery.id }, key: delivery.id },
    ]);
    const states = () =>
      server.app.runtime.prisma.$queryRaw<
        Array<{ state: string }>
      >`SELECT state::text FROM pgboss.job WHERE name = 'deliver-whatsapp' AND data->>'deliveryId' = ${delivery.id}`;
    const settled = await eventually(
      async () => {
        const jobs = (await states()).map((j) => j.state);
        return jobs.filter((s) => s === "completed").length === 2 ? jobs : undefined;
      },
      { what: "both jobs to meet the open circuit" },
    );
    expect(settled.filter((s) => s === "created" || s === "retry")).toHaveLength(1);
    expect((await row(delivery.id)).lastError).toMatch(/^circuit open/);

    graph.setDefault(metaAccepted);
    const done = await waitForStatus(server, delivery.id, ["SENT", "FAILED", "DEAD"], 30_000);
    expect(done).toMatchObject({ status: "SENT", attempts: 1 });
  });
});
