import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { eventually } from "../helpers/eventually.js";
import { inboundWebhook, postWebhook } from "../helpers/meta.js";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.stop());

const prisma = () => server.app.runtime.prisma;

describe("anti-loop: messages from the organization's own agents' notification numbers", () => {
  it("are stored but raise no notification, and record when the agent's number last wrote (Meta's 24-hour window)", async () => {
    const sentAt = Math.floor(Date.now() / 1000) - 60;
    const { body, message } = inboundWebhook({ text: "ok, vou ver", from: "5511988880001", timestamp: sentAt });
    expect((await postWebhook(server.url, body)).status).toBe(200);
    // Never dropped (issue 18: a claimed number must not silence a customer)…
    const stored = await prisma().message.findFirstOrThrow({ where: { externalId: message.id } });
    // …but no NEW_MESSAGE notification about it, so notifications cannot loop.
    expect(await prisma().notification.count({ where: { conversationId: stored.conversationId, type: "NEW_MESSAGE" } })).toBe(0);
    const agent = await prisma().user.findUniqueOrThrow({ where: { email: "agent@demo.test" } });
    expect(agent.whatsappLastInboundAt?.toISOString()).toBe(new Date(sentAt * 1000).toISOString());
  });

  it("recognise a Brazilian wa_id without the ninth digit, and never move the time backwards", async () => {
    const agent2 = await prisma().user.findUniqueOrThrow({ where: { email: "agent2@demo.test" } });
    const recent = Math.floor(Date.now() / 1000);
    await postWebhook(server.url, inboundWebhook({ text: "novo", from: "551188880002", timestamp: recent }).body);
    await postWebhook(server.url, inboundWebhook({ text: "velho", from: "551188880002", timestamp: recent - 3600 }).body);
    const updated = await prisma().user.findUniqueOrThrow({ where: { id: agent2.id } });
    expect(updated.whatsappLastInboundAt?.toISOString()).toBe(new Date(recent * 1000).toISOString());
    const contact = await prisma().contact.findFirstOrThrow({ where: { waId: "551188880002" }, include: { conversations: true } });
    expect(await prisma().notification.count({ where: { conversationId: { in: contact.conversations.map((c) => c.id) } } })).toBe(0);
  });

  it("only for the organization the number belongs to: acme's customer with the same number is a customer", async () => {
    const { body, message } = inboundWebhook({ text: "I am a customer of acme", from: "5511988880001" }, "100000000000002");
    await postWebhook(server.url, body);
    const stored = await prisma().message.findFirstOrThrow({ where: { externalId: message.id }, include: { organization: true } });
    expect(stored.organization.slug).toBe("acme");
  });
});

describe("conversations follow the customer", () => {
  it("numbers new conversations per organization and reopens a resolved one on the next message", async () => {
    const first = inboundWebhook({ text: "primeira", from: "5511966660001" });
    await postWebhook(server.url, first.body);
    const conversation = await prisma().conversation.findFirstOrThrow({ where: { contact: { waId: "5511966660001" } }, include: { queue: true } });
    expect(conversation.queue?.name).toBe("Atendimento");
    const other = inboundWebhook({ text: "outro cliente", from: "5511966660002" });
    await postWebhook(server.url, other.body);
    const second = await prisma().conversation.findFirstOrThrow({ where: { contact: { waId: "5511966660002" } } });
    expect(second.number).toBe(conversation.number + 1);

    await prisma().conversation.update({ where: { id: conversation.id }, data: { status: "RESOLVED", resolvedAt: new Date(), unreadCount: 0 } });
    await postWebhook(server.url, inboundWebhook({ text: "voltei", from: "5511966660001" }).body);
    const reopened = await prisma().conversation.findUniqueOrThrow({ where: { id: conversation.id } });
    expect(reopened).toMatchObject({ status: "OPEN", resolvedAt: null, unreadCount: 1, number: conversation.number });
    expect(await prisma().conversation.count({ where: { contact: { waId: "5511966660001" } } })).toBe(1);
  });
});

describe("no event answered 200 is lost", () => {
  it("when inline processing fails, the stored event is processed by the retrying job", async () => {
    await prisma().$executeRawUnsafe(`
      CREATE OR REPLACE FUNCTION test_refuse_boom() RETURNS trigger AS $$
      BEGIN IF NEW.text = 'boom' THEN RAISE EXCEPTION 'simulated outage'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`);
    await prisma().$executeRawUnsafe(`CREATE TRIGGER test_refuse_boom BEFORE INSERT ON "Message" FOR EACH ROW EXECUTE FUNCTION test_refuse_boom()`);
    const { body, message } = inboundWebhook({ text: "boom", from: "5511944440001" });
    try {
      expect((await postWebhook(server.url, body)).status).toBe(200);
      const event = await prisma().webhookEvent.findFirstOrThrow({ orderBy: { receivedAt: "desc" } });
      expect(event.status).toBe("RECEIVED");
      expect(event.error).toContain("simulated outage");
      expect(await prisma().message.count({ where: { externalId: message.id } })).toBe(0);
    } finally {
      await prisma().$executeRawUnsafe(`DROP TRIGGER test_refuse_boom ON "Message"`);
    }
    const stored = await eventually(() => prisma().message.findFirst({ where: { externalId: message.id } }), 30_000);
    expect(stored.text).toBe("boom");
    const event = await eventually(async () => {
      const row = await prisma().webhookEvent.findFirstOrThrow({ orderBy: { receivedAt: "desc" } });
      return row.status === "PROCESSED" && row;
    });
    expect(event.error).toBeNull();
  });

  it("when the event cannot even be stored, answers 503 so Meta delivers it again", async () => {
    await prisma().$executeRawUnsafe(`
      CREATE OR REPLACE FUNCTION test_refuse_all() RETURNS trigger AS $$
      BEGIN RAISE EXCEPTION 'simulated database outage'; END $$ LANGUAGE plpgsql`);
    await prisma().$executeRawUnsafe(`CREATE TRIGGER test_refuse_all BEFORE INSERT ON "WebhookEvent" FOR EACH ROW EXECUTE FUNCTION test_refuse_all()`);
    const { body, message } = inboundWebhook({ text: "perdida?", from: "5511944440002" });
    try {
      expect((await postWebhook(server.url, body)).status).toBe(503);
    } finally {
      await prisma().$executeRawUnsafe(`DROP TRIGGER test_refuse_all ON "WebhookEvent"`);
    }
    expect(await prisma().message.count({ where: { externalId: message.id } })).toBe(0);
    // Meta's redelivery then succeeds.
    expect((await postWebhook(server.url, body)).status).toBe(200);
    expect(await prisma().message.count({ where: { externalId: message.id } })).toBe(1);
  });
});
