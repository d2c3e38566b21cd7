import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { RetryDeadDeliveriesDocument } from "../../src/client/index.js";
import { DeliveriesDocument, RetryDeliveryDocument } from "../generated/operations.js";
import { metaAccepted, metaError, startGraphApi } from "../helpers/graph-api.js";
import type { HttpFake } from "../helpers/http-fake.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { createNotificationWithDelivery, enqueue, waitForStatus } from "./fixtures.js";

let server: TestServer;
let graph: HttpFake;

beforeAll(async () => {
  graph = await startGraphApi();
  server = await startTestServer({
    env: {
      WHATSAPP_API_URL: graph.url,
      WHATSAPP_API_VERSION: "v21.0",
      DELIVERY_RETRY_LIMIT: "2",
      DELIVERY_RETRY_DELAY_SECONDS: "1",
      DELIVERY_BREAKER_FAILURES: "50",
    },
  });
});
afterAll(async () => {
  await server?.stop();
  await graph?.close();
});
beforeEach(async () => {
  graph.requests.length = 0;
  graph.setDefault(metaAccepted);
  // Inside Meta's 24-hour window unless a test says otherwise.
  await server.app.runtime.prisma.user.updateMany({ where: { whatsappNotificationNumber: { not: null } }, data: { whatsappLastInboundAt: new Date() } });
});

type SentBody = {
  to: string;
  type: string;
  text?: { body: string; preview_url: boolean };
  template?: { name: string; language: { code: string }; components: Array<{ parameters: Array<{ text: string }> }> };
};
const bodyOf = (index: number) => graph.requests[index]!.body as SentBody;

describe("WhatsApp delivery", () => {
  it("sends the new-message text from the organization's number, cut to 140 characters on one line", async () => {
    const long = `Oi!\nPreciso de ajuda com ${"o pedido ".repeat(30)}`;
    const { delivery, conversationId } = await createNotificationWithDelivery(server.app.runtime.prisma, {
      userEmail: "agent@demo.test",
      channel: "WHATSAPP",
      conversation: { contactName: "João", text: long },
    });
    await enqueue(server, "WHATSAPP", delivery.id);
    const sent = await waitForStatus(server, delivery.id, ["SENT", "FAILED", "DEAD"]);
    expect(sent.status).toBe("SENT");

    expect(graph.requests).toHaveLength(1);
    const request = graph.requests[0]!;
    expect(request.path).toBe("/v21.0/100000000000001/messages");
    expect(request.headers.authorization).toBe("Bearer demo-access-token");
    const body = bodyOf(0);
    expect(body).toMatchObject({
      messaging_product: "whatsapp",
      recipient_type: "individual",
      to: "5511988880001",
      type: "text",
      text: { preview_url: false },
    });
    const number = (await server.app.runtime.prisma.conversation.findUniqueOrThrow({ where: { id: conversationId! } })).number;
    const prefix = `[Demo] Nova mensagem de João no ticket #${number}: `;
    expect(body.text!.body.startsWith(prefix)).toBe(true);
    const preview = body.text!.body.slice(prefix.length);
    expect(Array.from(preview)).toHaveLength(140);
    expect(preview.startsWith("Oi! Preciso de ajuda")).toBe(true);
    expect(preview.endsWith("…")).toBe(true);
    expect(body.text!.body).not.toContain("\n");
    // The wamid Meta returned is what status webhooks will look the delivery up by.
    expect(sent.providerMessageId).toMatch(/^wamid\./);
  });

  it("shows media as a marker, in the recipient's language", async () => {
    const { prisma } = server.app.runtime;
    await prisma.user.update({ where: { email: "agent2@demo.test" }, data: { locale: "en" } });
    const { delivery } = await createNotificationWithDelivery(prisma, {
      userEmail: "agent2@demo.test",
      channel: "WHATSAPP",
      conversation: { contactName: "Ana", text: "nota fiscal", messageType: "IMAGE" },
    });
    await enqueue(server, "WHATSAPP", delivery.id);
    await waitForStatus(server, delivery.id, ["SENT"]);
    expect(bodyOf(0).text!.body).toMatch(/^\[Demo\] New message from Ana on ticket #\d+: \[Image\] nota fiscal$/);

    await prisma.user.update({ where: { email: "agent2@demo.test" }, data: { locale: null } });
    const audio = await createNotificationWithDelivery(prisma, {
      userEmail: "agent2@demo.test",
      channel: "WHATSAPP",
      conversation: { contactName: "Ana", messageType: "AUDIO" },
    });
    await enqueue(server, "WHATSAPP", audio.delivery.id);
    await waitForStatus(server, audio.delivery.id, ["SENT"]);
    expect(bodyOf(1).text!.body).toMatch(/: \[Áudio\]$/);
  });

  it("sends the approved template outside the 24-hour window", async () => {
    const { prisma } = server.app.runtime;
    await prisma.user.update({ where: { email: "agent@demo.test" }, data: { whatsappLastInboundAt: new Date(Date.now() - 25 * 3600 * 1000) } });
    const { delivery } = await createNotificationWithDelivery(prisma, {
      userEmail: "agent@demo.test",
      channel: "WHATSAPP",
      conversation: { contactName: "Pedro", text: "Oi" },
    });
    await enqueue(server, "WHATSAPP", delivery.id);
    await waitForStatus(server, delivery.id, ["SENT"]);
    expect(graph.requests).toHaveLength(1);
    const body = bodyOf(0);
    expect(body.type).toBe("template");
    expect(body.template).toMatchObject({ name: "aviso_new_message", language: { code: "pt_BR" } });
    expect(body.template!.components[0]!.parameters.map((p) => p.text)).toEqual(["Demo", "Pedro", expect.stringMatching(/^#\d+$/), "Oi"]);
  });

  it("falls back to the template when Meta answers 131047 (re-engagement required)", async () => {
    graph.enqueue(metaError(400, 131047, "Re-engagement message"));
    const { delivery } = await createNotificationWithDelivery(server.app.runtime.prisma, {
      userEmail: "agent@demo.test",
      channel: "WHATSAPP",
      conversation: { contactName: "Lia", text: "Olá" },
    });
    await enqueue(server, "WHATSAPP", delivery.id);
    const sent = await waitForStatus(server, delivery.id, ["SENT", "FAILED", "DEAD"]);
    expect(sent.status).toBe("SENT");
    expect(sent.attempts).toBe(1);
    expect(graph.requests.map((r) => (r.body as SentBody).type)).toEqual(["text", "template"]);
  });

  it("fails at once when Meta says the message is undeliverable (131026)", async () => {
    graph.setDefault(metaError(400, 131026, "Message Undeliverable"));
    const { delivery } = await createNotificationWithDelivery(server.app.runtime.prisma, {
      userEmail: "agent@demo.test",
      channel: "WHATSAPP",
      conversation: { contactName: "Rui", text: "?" },
    });
    await enqueue(server, "WHATSAPP", delivery.id);
    const failed = await waitForStatus(server, delivery.id, ["SENT", "FAILED", "DEAD"]);
    expect(failed.status).toBe("FAILED");
    expect(failed.attempts).toBe(1);
    expect(failed.lastError).toContain("131026");
  });

  it("skips a user without a WhatsApp number", async () => {
    const { delivery } = await createNotificationWithDelivery(server.app.runtime.prisma, { userEmail: "admin@demo.test", channel: "WHATSAPP" });
    await enqueue(server, "WHATSAPP", delivery.id);
    const skipped = await waitForStatus(server, delivery.id, ["SKIPPED", "SENT", "FAILED"]);
    expect(skipped).toMatchObject({ status: "SKIPPED", lastError: "no WhatsApp number" });
    expect(graph.requests).toHaveLength(0);
  });
});

const DEAD_QUERY = DeliveriesDocument;

describe("dead letters and replay", () => {
  // Waits up to 30 s for the retries to run out, then for the replay to be sent.
  it("marks a delivery DEAD when Graph API keeps failing, lists it for admins only, and replays it", { timeout: 90_000 }, async () => {
    graph.setDefault(metaError(500, 131000, "Something went wrong"));
    const { delivery } = await createNotificationWithDelivery(server.app.runtime.prisma, {
      userEmail: "agent@demo.test",
      channel: "WHATSAPP",
      conversation: { contactName: "Bia", text: "Oi" },
    });
    await enqueue(server, "WHATSAPP", delivery.id);
    const dead = await waitForStatus(server, delivery.id, ["DEAD", "FAILED", "SENT"], 30_000);
    expect(dead.status).toBe("DEAD");
    expect(dead.attempts).toBe(3);
    expect(dead.lastError).toContain("131000");
    expect(graph.requests).toHaveLength(3);

    const demoAdmin = await server.token("admin@demo.test");
    const listed = await server.gql(DEAD_QUERY, { status: "DEAD", channel: "WHATSAPP" }, demoAdmin);
    expect(listed.errors).toBeUndefined();
    const node = listed.data!.deliveries.edges.map((e) => e.node).find((n) => n.status === "DEAD");
    expect(node).toMatchObject({ status: "DEAD", attempts: 3 });
    const globalId = node!.id;

    const asAgent = await server.gql(DEAD_QUERY, { status: "DEAD" }, await server.token("agent@demo.test"));
    expect(asAgent.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");

    const acmeAdmin = await server.token("admin@acme.test");
    const asOtherOrg = await server.gql(DEAD_QUERY, { status: "DEAD" }, acmeAdmin);
    expect(asOtherOrg.data!.deliveries.edges).toEqual([]);
    const otherRetry = await server.gql("mutation($id: ID!) { retryDelivery(id: $id) { id status } }", { id: globalId }, acmeAdmin);
    expect(otherRetry.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
    const agentRetry = await server.gql("mutation($id: ID!) { retryDelivery(id: $id) { id status } }", { id: globalId }, await server.token("agent@demo.test"));
    expect(agentRetry.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const badId = await server.gql('mutation { retryDelivery(id: "not-an-id") { id } }', {}, demoAdmin);
    expect(badId.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");

    graph.setDefault(metaAccepted);
    const retried = await server.gql(RetryDeliveryDocument, { id: globalId }, demoAdmin);
    expect(retried.errors).toBeUndefined();
    expect(retried.data!.retryDelivery).toEqual({ id: globalId, status: "PENDING" });
    const sent = await waitForStatus(server, delivery.id, ["SENT", "DEAD", "FAILED"]);
    expect(sent.status).toBe("SENT");
    expect(sent.providerMessageId).toMatch(/^wamid\./);

    const again = await server.gql("mutation($id: ID!) { retryDelivery(id: $id) { id } }", { id: globalId }, demoAdmin);
    expect(again.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  });

  it("replays every dead delivery of a channel for the admin's organization only", async () => {
    const { prisma } = server.app.runtime;
    const demo = await createNotificationWithDelivery(prisma, {
      userEmail: "agent2@demo.test",
      channel: "WHATSAPP",
      status: "DEAD",
      conversation: { contactName: "Caio", text: "Oi" },
    });
    await prisma.user.update({ where: { email: "agent@acme.test" }, data: { whatsappNotificationNumber: "+12125550100", whatsappLastInboundAt: new Date() } });
    const acme = await createNotificationWithDelivery(prisma, {
      userEmail: "agent@acme.test",
      channel: "WHATSAPP",
      status: "DEAD",
      conversation: { contactName: "Sam", text: "Hi" },
    });

    const acmeCount = await server.gql(RetryDeadDeliveriesDocument, { channel: "WHATSAPP" }, await server.token("admin@acme.test"));
    expect(acmeCount.data!.retryDeadDeliveries).toBe(1);
    await waitForStatus(server, acme.delivery.id, ["SENT"]);
    expect((await prisma.delivery.findUniqueOrThrow({ where: { id: demo.delivery.id } })).status).toBe("DEAD");
    const acmeRequest = graph.requests.find((r) => (r.body as SentBody).to === "12125550100")!;
    expect(acmeRequest.path).toBe("/v21.0/100000000000002/messages");
    expect((acmeRequest.body as SentBody).text!.body).toMatch(/^\[Acme\] New message from Sam on ticket #\d+: Hi$/);
  });
});
