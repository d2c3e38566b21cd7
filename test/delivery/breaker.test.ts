import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { metaAccepted, metaError, startGraphApi } from "../helpers/graph-api.js";
import type { HttpFake } from "../helpers/http-fake.js";
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
  (await createNotificationWithDelivery(server.app.runtime.prisma, { userEmail: "agent@demo.test", channel: "WHATSAPP", conversation: { contactName: name, text: "Oi" } })).delivery;
const row = (id: string) => server.app.runtime.prisma.delivery.findUniqueOrThrow({ where: { id } });

describe("the circuit breaker", () => {
  it("stops calling a failing provider after N failures, holds deliveries without using their retries, and sends them all once it recovers", async () => {
    graph.setDefault(metaError(500, 131000, "Something went wrong"));
    const first = [await newDelivery("A"), await newDelivery("B"), await newDelivery("C")];
    for (const d of first) await enqueue(server, "WHATSAPP", d.id);
    await eventually(async () => (await Promise.all(first.map((d) => row(d.id)))).every((r) => r.attempts >= 1 && r.lastError !== null), { what: "three failures" });
    expect(graph.requests).toHaveLength(3);

    // The breaker is open: new deliveries wait instead of reaching the provider.
    const later = [await newDelivery("D"), await newDelivery("E"), await newDelivery("F")];
    for (const d of later) await enqueue(server, "WHATSAPP", d.id);
    const held = await eventually(async () => {
      const rows = await Promise.all(later.map((d) => row(d.id)));
      return rows.every((r) => r.lastError?.startsWith("circuit open")) ? rows : undefined;
    }, { what: "the later deliveries to wait for the circuit" });
    expect(held.map((r) => [r.status, r.attempts])).toEqual([["PENDING", 0], ["PENDING", 0], ["PENDING", 0]]);
    expect(graph.requests).toHaveLength(3);

    graph.setDefault(metaAccepted);
    const all = [...first, ...later];
    for (const d of all) {
      const done = await waitForStatus(server, d.id, ["SENT", "FAILED", "DEAD"], 30_000);
      expect(done.status).toBe("SENT");
    }
    expect(graph.requests).toHaveLength(9);
  });
});
