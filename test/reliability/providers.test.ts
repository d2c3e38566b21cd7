import { encodeGlobalID } from "@pothos/plugin-relay";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DeliveryStatus } from "../../src/db/client.js";
import type { ExternalChannel } from "../../src/delivery/channel-types.js";
import { createLogger } from "../../src/observability/log.js";
import { createNotificationWithDelivery, enqueue } from "../delivery/fixtures.js";
import { RetryDeadDeliveriesDocument } from "../../src/client/index.js";
import { RetryDeliveryDocument } from "../generated/operations.js";
import { eventually } from "../helpers/eventually.js";
import { metaAccepted, metaError, startGraphApi } from "../helpers/graph-api.js";
import type { FakeReply, HttpFake, RecordedRequest } from "../helpers/http-fake.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { slackOk, slackRateLimited, startSlackWebhook } from "../helpers/slack.js";
import { startSmtp, type FakeSmtp } from "../helpers/smtp.js";

/**
 * All three providers misbehave at once: SMTP answers 451 to a third of the messages
 * (always the same ones, until it heals), Slack answers 429 with Retry-After in
 * bursts, the Graph API answers 500 to its first requests. Every delivery must end
 * SENT or DEAD, the DEAD ones must go out when replayed, the circuit breaker must open
 * and close, and no delivery may reach a provider more than DELIVERY_RETRY_LIMIT + 1
 * times in a round.
 */

const PER_CHANNEL = 12;
const RETRY_LIMIT = 2;
const GRAPH_FAILURES = 6;
const CHANNELS: ExternalChannel[] = ["EMAIL", "SLACK", "WHATSAPP"];
/** System alerts a channel's dying deliveries raise for demo's admins (src/alerts/deliveries-dying.ts). */
const SYSTEM_ALERT_TITLE = /Entregas por (EMAIL|SLACK|WHATSAPP) estão falhando/;

let server: TestServer;
let smtp: FakeSmtp;
let slack: HttpFake & { webhookUrl: string };
let graph: HttpFake;
const logLines: Array<Record<string, unknown>> = [];

/** delivery id → its channel and the contact name its messages carry (Slack and WhatsApp bodies name it). */
const deliveries = new Map<string, { channel: ExternalChannel; contact: string }>();
/** Email deliveries SMTP refuses with 451 until it heals: every third one. */
const refusedByEmail = new Set<string>();
let healed = false;
let slackCalls = 0;
/** Provider calls per delivery and round: [delivery id, accepted]. */
const calls: Record<"first" | "replay", Array<[string, boolean]>> = { first: [], replay: [] };
let round: keyof typeof calls = "first";

/**
 * The delivery a Slack or Graph request is for, by the unique contact name in its body;
 * undefined for requests that are for none of them: the admins' Slack posts of the
 * system alerts dying deliveries raise (the email one is asserted below).
 */
function deliveryOf(request: RecordedRequest): string | undefined {
  const body = JSON.stringify(request.body);
  const matches = [...deliveries].filter(([, d]) => d.channel !== "EMAIL" && body.includes(d.contact));
  if (matches.length === 0 && SYSTEM_ALERT_TITLE.test(body)) return undefined;
  expect(matches, `one delivery named in ${body.slice(0, 200)}`).toHaveLength(1);
  return matches[0]![0];
}

function answer(request: RecordedRequest, reply: FakeReply): FakeReply {
  const id = deliveryOf(request);
  if (id) calls[round].push([id, reply.status < 300]);
  return reply;
}

beforeAll(async () => {
  smtp = await startSmtp({
    refuseData: (email) => {
      const id = email.headers["x-aviso-delivery"] ?? "";
      const refused = !healed && refusedByEmail.has(id);
      calls[round].push([id, !refused]);
      return refused ? 451 : undefined;
    },
  });
  slack = await startSlackWebhook();
  // Bursts of four 429s out of every twelve requests, each naming a 1 s Retry-After.
  slack.setDefault((request) => answer(request, !healed && Math.floor(slackCalls++ / 4) % 3 === 0 ? slackRateLimited(1) : slackOk));
  graph = await startGraphApi();
  let graphCalls = 0;
  graph.setDefault((request) => answer(request, graphCalls++ < GRAPH_FAILURES ? metaError(500, 131000, "Something went wrong") : metaAccepted(request)));

  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString("utf8").split("\n")) if (line) logLines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  server = await startTestServer({
    log: createLogger("info", {}, sink),
    env: {
      // The Slack stand-in listens on loopback over http.
      UNSAFE_ALLOW_LOCAL_TARGETS: "true",
      SMTP_HOST: "127.0.0.1",
      SMTP_PORT: String(smtp.port),
      SMTP_USE_TLS: "false",
      WHATSAPP_API_URL: graph.url,
      DELIVERY_RETRY_LIMIT: String(RETRY_LIMIT),
      DELIVERY_RETRY_DELAY_SECONDS: "1",
      DELIVERY_BREAKER_FAILURES: "3",
      DELIVERY_BREAKER_OPEN_SECONDS: "2",
      RATE_LIMIT_MUTATIONS_PER_MINUTE: "10000",
    },
  });
  const { prisma } = server.app.runtime;
  await prisma.organization.update({ where: { slug: "demo" }, data: { slackWebhookUrl: slack.webhookUrl } });
  // Inside WhatsApp's 24-hour window: free text, which names the contact.
  await prisma.user.update({ where: { email: "agent@demo.test" }, data: { whatsappLastInboundAt: new Date() } });
});
afterAll(async () => {
  await server?.stop();
  await Promise.all([smtp?.close(), slack?.close(), graph?.close()]);
});

const statusesOf = async () =>
  new Map(
    (await server.app.runtime.prisma.delivery.findMany({ where: { id: { in: [...deliveries.keys()] } } })).map(
      (d) => [d.id, d.status] as [string, DeliveryStatus],
    ),
  );

function waitUntilAll(statuses: DeliveryStatus[], what: string) {
  return eventually(
    async () => {
      const current = await statusesOf();
      return [...current.values()].every((s) => statuses.includes(s)) ? current : undefined;
    },
    { what, timeoutMs: 90_000 },
  );
}

/** Provider calls per delivery in a round; and how many each had accepted. */
function callsPerDelivery(which: keyof typeof calls) {
  const total = new Map<string, number>();
  const accepted = new Map<string, number>();
  for (const [id, ok] of calls[which]) {
    total.set(id, (total.get(id) ?? 0) + 1);
    if (ok) accepted.set(id, (accepted.get(id) ?? 0) + 1);
  }
  return { total, accepted };
}

const circuitLog = (message: string, channel: ExternalChannel) => logLines.filter((l) => l.msg === message && l.channel === channel).length;

describe("deliveries through failing providers", () => {
  it("end SENT or DEAD, DEAD ones go out when replayed, the breaker opens and closes, and no delivery is called more than the retry limit allows", async () => {
    const { prisma } = server.app.runtime;
    for (const channel of CHANNELS) {
      for (let i = 0; i < PER_CHANNEL; i++) {
        const contact = `Cliente-${channel}-${String(i).padStart(2, "0")}`;
        const { delivery } = await createNotificationWithDelivery(prisma, {
          userEmail: "agent@demo.test",
          channel,
          conversation: { contactName: contact, text: "Oi" },
        });
        deliveries.set(delivery.id, { channel, contact });
        if (channel === "EMAIL" && i % 3 === 0) refusedByEmail.add(delivery.id);
      }
    }
    for (const [id, { channel }] of deliveries) await enqueue(server, channel, id);

    // Round one: nothing stays PENDING — each delivery is SENT or, out of retries, DEAD.
    const first = await waitUntilAll(["SENT", "DEAD"], "every delivery to end SENT or DEAD");
    const dead = [...first].filter(([, status]) => status === "DEAD").map(([id]) => id);
    for (const id of refusedByEmail) expect(first.get(id)).toBe("DEAD");
    // Those deaths raised one system alert for the admins (further deaths only count occurrences).
    const systemAlert = await eventually(() => prisma.alert.findFirst({ where: { dedupeKey: "delivery-dead:EMAIL" } }), {
      what: "the system alert for dying email deliveries",
    });
    expect(systemAlert).toMatchObject({ title: "Entregas por EMAIL estão falhando", createdById: null });
    expect(await prisma.alert.count({ where: { dedupeKey: "delivery-dead:EMAIL" } })).toBe(1);
    const firstCalls = callsPerDelivery("first");
    for (const id of deliveries.keys()) {
      expect(firstCalls.total.get(id) ?? 0, `calls for ${id}`).toBeLessThanOrEqual(RETRY_LIMIT + 1);
      expect(firstCalls.accepted.get(id) ?? 0, `accepted sends of ${id}`).toBe(first.get(id) === "SENT" ? 1 : 0);
    }
    // The Graph API's outage opened WhatsApp's circuit; its recovery closed it. SMTP's refusals opened email's.
    expect(circuitLog("delivery circuit opened: provider keeps failing", "WHATSAPP")).toBeGreaterThanOrEqual(1);
    expect(circuitLog("delivery circuit closed: provider recovered", "WHATSAPP")).toBeGreaterThanOrEqual(1);
    expect(circuitLog("delivery circuit opened: provider keeps failing", "EMAIL")).toBeGreaterThanOrEqual(1);
    expect(await statusesOf()).toEqual(first);

    // Round two: providers healed, an admin replays one DEAD delivery by id, then the rest per channel.
    healed = true;
    round = "replay";
    const admin = await server.token("admin@demo.test");
    const one = await server.gql(RetryDeliveryDocument, { id: encodeGlobalID("Delivery", dead[0]!) }, admin);
    expect(one.errors).toBeUndefined();
    expect(one.data?.retryDelivery.status).toBe("PENDING");
    let replayed = 1;
    for (const channel of CHANNELS) {
      const all = await server.gql(RetryDeadDeliveriesDocument, { channel }, admin);
      expect(all.errors).toBeUndefined();
      replayed += all.data!.retryDeadDeliveries;
    }
    expect(replayed).toBe(dead.length);
    const second = await waitUntilAll(["SENT"], "every replayed delivery to be SENT");
    expect([...second.values()].every((s) => s === "SENT")).toBe(true);
    const replayCalls = callsPerDelivery("replay");
    for (const id of deliveries.keys()) {
      expect(replayCalls.total.get(id) ?? 0).toBeLessThanOrEqual(dead.includes(id) ? RETRY_LIMIT + 1 : 0);
      expect(replayCalls.accepted.get(id) ?? 0).toBe(dead.includes(id) ? 1 : 0);
    }
    // Email's circuit, open from the refusals, let a test call through and closed.
    expect(circuitLog("delivery circuit closed: provider recovered", "EMAIL")).toBeGreaterThanOrEqual(1);

    const deadByChannel = Object.fromEntries(CHANNELS.map((c) => [c, dead.filter((id) => deliveries.get(id)!.channel === c).length]));
    console.info(
      `providers: ${deliveries.size} deliveries (${PER_CHANNEL}/channel); round one: ${calls.first.length} provider calls (${calls.first.filter(([, ok]) => !ok).length} refused), ` +
        `DEAD ${JSON.stringify(deadByChannel)}, max calls/delivery ${Math.max(...firstCalls.total.values())}; replay: ${replayed} replayed, ${calls.replay.length} calls; ` +
        `circuit opened ${JSON.stringify(Object.fromEntries(CHANNELS.map((c) => [c, circuitLog("delivery circuit opened: provider keeps failing", c)])))}, ` +
        `closed ${JSON.stringify(Object.fromEntries(CHANNELS.map((c) => [c, circuitLog("delivery circuit closed: provider recovered", c)])))}; 0 lost, 0 sent twice`,
    );
  }, 180_000);
});
