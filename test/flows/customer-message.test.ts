import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AssignConversationDocument,
  ConversationsPageDocument,
  MyIdDocument,
  NotificationAddedDocument,
  NotificationDeliveriesDocument,
  NotificationsPageDocument,
} from "../generated/operations.js";
import { eventually } from "../helpers/eventually.js";
import { metaAccepted, startGraphApi } from "../helpers/graph-api.js";
import type { HttpFake } from "../helpers/http-fake.js";
import { DEMO_PHONE_NUMBER_ID, inboundWebhook, postWebhook, sampleChange, sampleStatus, sampleWebhook } from "../helpers/meta.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { startSmtp, type FakeSmtp } from "../helpers/smtp.js";
import { connect, subscribe } from "../helpers/ws.js";

// One customer message, followed through every layer: webhook → conversation →
// engine → the agent's socket, inbox, email and WhatsApp → Meta's status webhooks.
let server: TestServer;
let smtp: FakeSmtp;
let graph: HttpFake;

beforeAll(async () => {
  smtp = await startSmtp();
  graph = await startGraphApi();
  graph.setDefault(metaAccepted);
  server = await startTestServer({
    env: {
      NOTIFY_NEW_MESSAGE_ENABLED: "true",
      SMTP_HOST: "127.0.0.1",
      SMTP_PORT: String(smtp.port),
      SMTP_USE_TLS: "false",
      WHATSAPP_API_URL: graph.url,
    },
  });
  // Every message its own notification, so each one reaches email and WhatsApp.
  await server.app.runtime.prisma.organization.update({ where: { slug: "demo" }, data: { coalesceWindowSeconds: 0 } });
  await server.app.runtime.prisma.user.update({ where: { email: "agent@demo.test" }, data: { whatsappLastInboundAt: new Date() } });
});
afterAll(async () => {
  await server?.stop();
  await smtp?.close();
  await graph?.close();
});

describe("a customer message", () => {
  it("reaches the assigned agent in the app, by email and on WhatsApp, and Meta's read receipt marks it READ", async () => {
    const agentToken = await server.token("agent@demo.test");
    const adminToken = await server.token("admin@demo.test");
    const customer = "5511955554444";

    // The first message opens the conversation; an admin assigns it to the agent.
    const first = inboundWebhook({ from: customer, text: "Olá, bom dia", name: "Marina Souza" });
    expect((await postWebhook(server.url, first.body)).status).toBe(200);
    const conversation = await eventually(() => server.app.runtime.prisma.conversation.findFirst({ where: { contact: { waId: customer } } }), {
      what: "the customer's conversation",
    });
    const listed = await server.gql(ConversationsPageDocument, { first: 5 }, adminToken);
    const conversationId = listed.data!.conversations.edges.find((e) => e.node.number === conversation.number)!.node.id;
    const agentId = (await server.gql(MyIdDocument, {}, agentToken)).data!.me.id;
    const assigned = await server.gql(AssignConversationDocument, { c: conversationId, u: agentId }, adminToken);
    expect(assigned.errors).toBeUndefined();

    // Subscribe from the newest notification the agent has: whatever arrives after it is
    // replayed or live, so the test does not depend on when the subscription starts.
    const newest = await server.gql(NotificationsPageDocument, { first: 1 }, agentToken);
    const socket = connect(server.wsUrl, `Bearer ${agentToken}`);
    await socket.connected;
    const feed = subscribe(socket, NotificationAddedDocument, { after: newest.data!.notifications.edges[0]?.node.id ?? null });

    const body = "Quero trocar o produto 42, veio com defeito";
    expect((await postWebhook(server.url, inboundWebhook({ from: customer, text: body, name: "Marina Souza" }).body)).status).toBe(200);

    // In the app, at once.
    let frame = await feed.next(10_000);
    while (frame.data?.notificationAdded.type !== "NEW_MESSAGE") frame = await feed.next(10_000);
    expect(frame.data.notificationAdded).toMatchObject({ body, conversation: { number: conversation.number } });
    expect(frame.data.notificationAdded.title).toContain("Marina Souza");

    // By email, rendered from the template.
    const email = await eventually(async () => smtp.messages.find((m) => m.to.includes("agent@demo.test") && m.text.includes("produto 42")), {
      what: "the email to the agent",
    });
    expect(email.subject).toContain("Marina Souza");
    expect(email.html).toContain(`#${conversation.number}`);

    // On WhatsApp, to the agent's own number, through the organization's number.
    const whatsapp = await eventually(async () => graph.requests.find((r) => JSON.stringify(r.body).includes("produto 42")), {
      what: "the WhatsApp message to the agent",
    });
    expect(whatsapp.path).toBe(`/v21.0/${DEMO_PHONE_NUMBER_ID}/messages`);
    expect(whatsapp.headers.authorization).toBe("Bearer demo-access-token");
    const sent = whatsapp.body as { to: string; text: { body: string } };
    expect(sent.to.replace(/\D/g, "")).toBe("5511988880001");
    expect(sent.text.body).toContain(`#${conversation.number}`);

    // Meta reports the WhatsApp message delivered, then read (and a late "delivered" changes nothing).
    // The delivery is this message's: the first one notified the agent too, and Graph API's
    // request arrives before the delivery row records it as SENT.
    const delivery = await eventually(
      () =>
        server.app.runtime.prisma.delivery.findFirst({
          where: { channel: "WHATSAPP", user: { email: "agent@demo.test" }, notification: { body }, status: "SENT", providerMessageId: { not: null } },
        }),
      { what: "the agent's WhatsApp delivery of this message to be SENT" },
    );
    const wamid = delivery.providerMessageId!;
    const statuses = (status: "delivered" | "read") =>
      sampleWebhook([sampleChange({ phoneNumberId: DEMO_PHONE_NUMBER_ID, statuses: [sampleStatus(wamid, status)] })]);
    expect((await postWebhook(server.url, statuses("delivered"))).status).toBe(200);
    expect((await postWebhook(server.url, statuses("read"))).status).toBe(200);
    expect((await postWebhook(server.url, statuses("delivered"))).status).toBe(200);
    const read = await server.app.runtime.prisma.delivery.findUniqueOrThrow({ where: { id: delivery.id } });
    expect(read.status).toBe("READ");
    expect(read.deliveredAt).not.toBeNull();
    expect(read.readAt).not.toBeNull();

    // The inbox agrees, over GraphQL (the email's row turns SENT once the SMTP server has answered,
    // which may come after the test's server has the message).
    const latest = await eventually(
      async () => {
        const inbox = await server.gql(NotificationDeliveriesDocument, { first: 10, type: "NEW_MESSAGE" }, agentToken);
        const node = inbox.data!.notifications.edges.find((e) => e.node.body === body)!.node;
        return node.deliveries.some((d) => d.channel === "EMAIL" && d.status !== "PENDING") && node;
      },
      { what: "the email delivery to leave PENDING" },
    );
    expect(latest.deliveries).toEqual(
      expect.arrayContaining([
        { channel: "WHATSAPP", status: "READ" },
        { channel: "EMAIL", status: "SENT" },
      ]),
    );
    await socket.dispose();
  });
});
