import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deadDeliveryReports } from "../../src/alerts/queues.js";
import { DYING_THRESHOLD, dyingDedupeKey } from "../../src/alerts/deliveries-dying.js";
import { createNotificationWithDelivery, enqueue, waitForStatus } from "../delivery/fixtures.js";
import { eventually } from "../helpers/eventually.js";
import { metaError, startGraphApi } from "../helpers/graph-api.js";
import type { HttpFake } from "../helpers/http-fake.js";
import { startTestServer, type TestServer } from "../helpers/server.js";

// Graph API always fails with a retryable error and no retries are allowed: every
// WhatsApp delivery goes DEAD on its first attempt. The breaker stays closed, so each
// one reaches the provider.
let server: TestServer;
let graph: HttpFake;

beforeAll(async () => {
  graph = await startGraphApi();
  graph.setDefault(metaError(500, 131000, "Something went wrong"));
  server = await startTestServer({
    env: {
      WHATSAPP_API_URL: graph.url,
      WHATSAPP_API_VERSION: "v21.0",
      DELIVERY_RETRY_LIMIT: "0",
      DELIVERY_RETRY_DELAY_SECONDS: "1",
      DELIVERY_BREAKER_FAILURES: "50",
    },
  });
  await server.app.runtime.prisma.user.updateMany({ where: { whatsappNotificationNumber: { not: null } }, data: { whatsappLastInboundAt: new Date() } });
});
afterAll(async () => {
  await server?.stop();
  await graph?.close();
});

/** Sends `count` WhatsApp deliveries to `email` and waits until each is DEAD. */
async function killDeliveries(email: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const { delivery } = await createNotificationWithDelivery(server.app.runtime.prisma, {
      userEmail: email,
      channel: "WHATSAPP",
      conversation: { contactName: `Morta ${i}`, text: "Oi" },
    });
    await enqueue(server, "WHATSAPP", delivery.id);
    ids.push(delivery.id);
  }
  for (const id of ids) expect((await waitForStatus(server, id, ["DEAD", "FAILED", "SENT"])).status).toBe("DEAD");
  return ids;
}

/** Waits until alerts has handled the DEAD report of every one of `deliveryIds`. */
async function reportsHandled(deliveryIds: string[]): Promise<void> {
  const { boss } = server.app.runtime.jobs;
  await eventually(
    async () => {
      const jobs = (await boss.findJobs<{ deliveryId: string }>(deadDeliveryReports.name)).filter((job) => deliveryIds.includes(job.data.deliveryId));
      return jobs.length === deliveryIds.length && jobs.every((job) => job.state === "completed");
    },
    { what: `alerts to handle ${deliveryIds.length} dead-delivery reports` },
  );
}

const dyingAlerts = (slug: string) => server.app.runtime.prisma.alert.findMany({ where: { organization: { slug }, dedupeKey: dyingDedupeKey("WHATSAPP") } });

describe("deliveries dying", () => {
  it("raises nothing below the threshold, then exactly one system alert for a burst, for that organization's admins only", async () => {
    // Below the threshold: a dead delivery or two is not an incident.
    const few = await killDeliveries("agent@demo.test", DYING_THRESHOLD - 1);
    await reportsHandled(few);
    expect(await dyingAlerts("demo")).toEqual([]);

    // A burst: more deaths than the threshold, one alert.
    const burst = await killDeliveries("agent@demo.test", DYING_THRESHOLD + 2);
    await reportsHandled(burst);
    const alerts = await dyingAlerts("demo");
    expect(alerts).toHaveLength(1);
    const alert = alerts[0]!;
    expect(alert).toMatchObject({ createdById: null, category: "delivery", severity: "HIGH", status: "OPEN" });
    expect(alert.title).toBe("Entregas por WHATSAPP estão falhando");
    // Every report past the threshold counted as an occurrence of the same alert.
    expect(alert.occurrences).toBeGreaterThan(1);
    expect(await server.app.runtime.prisma.auditLog.count({ where: { entityId: alert.id, action: "alert.created" } })).toBe(1);

    // The organization's admins are told (ALERT_CREATED), once.
    const notified = await eventually(
      () =>
        server.app.runtime.prisma.notification
          .findMany({ where: { alertId: alert.id, type: "ALERT_CREATED" }, include: { user: true } })
          .then((rows) => rows.length > 0 && rows),
      { what: "the ALERT_CREATED notifications of the system alert" },
    );
    expect(notified.map((n) => [n.user.email, n.user.role])).toEqual([["admin@demo.test", "ORG_ADMIN"]]);

    // Another organization's channel is its own: acme has no alert.
    expect(await dyingAlerts("acme")).toEqual([]);
  }, 60_000);
});
