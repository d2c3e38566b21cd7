import { readFileSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { ACME_PHONE_NUMBER_ID, inboundWebhook, metaFixture, postWebhook, TEST_META_VERIFY_TOKEN } from "../helpers/meta.js";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.stop());

const prisma = () => server.app.runtime.prisma;
const counts = async () => ({
  events: await prisma().webhookEvent.count(),
  messages: await prisma().message.count(),
  contacts: await prisma().contact.count(),
  conversations: await prisma().conversation.count(),
});

describe("GET /webhooks/meta (Meta's verification handshake)", () => {
  it("echoes hub.challenge as plain text when the verify token matches", async () => {
    const response = await fetch(`${server.url}/webhooks/meta?hub.mode=subscribe&hub.verify_token=${TEST_META_VERIFY_TOKEN}&hub.challenge=1158201444`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(await response.text()).toBe("1158201444");
  });

  it("answers 403 to a wrong token or mode", async () => {
    const wrongToken = await fetch(`${server.url}/webhooks/meta?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1`);
    expect(wrongToken.status).toBe(403);
    const wrongMode = await fetch(`${server.url}/webhooks/meta?hub.mode=unsubscribe&hub.verify_token=${TEST_META_VERIFY_TOKEN}&hub.challenge=1`);
    expect(wrongMode.status).toBe(403);
    expect((await fetch(`${server.url}/webhooks/meta`)).status).toBe(403);
  });
});

describe("POST /webhooks/meta refuses what Meta did not send", () => {
  it("answers 401 and stores nothing without a signature, with a bad one, or with another secret's", async () => {
    const before = await counts();
    const { body } = inboundWebhook({ text: "unsigned" });
    expect((await postWebhook(server.url, body, { secret: null })).status).toBe(401);
    expect((await postWebhook(server.url, body, { signature: "sha256=deadbeef" })).status).toBe(401);
    expect((await postWebhook(server.url, body, { signature: "not-a-signature" })).status).toBe(401);
    expect((await postWebhook(server.url, body, { secret: "another-app-secret" })).status).toBe(401);
    expect(await counts()).toEqual(before);
  });

  it("answers 400 to malformed JSON and to JSON that is not a WhatsApp Business Account webhook", async () => {
    const before = await counts();
    expect((await postWebhook(server.url, '{"object": "whatsapp_business_account", "entry": [')).status).toBe(400);
    expect((await postWebhook(server.url, { object: "page", entry: [{ id: "1", messaging: [] }] })).status).toBe(400);
    expect((await postWebhook(server.url, { object: "whatsapp_business_account", entry: [{ changes: [{ field: "messages", value: { messaging_product: "whatsapp" } }] }] })).status).toBe(400);
    expect((await postWebhook(server.url, [1, 2, 3])).status).toBe(400);
    expect(await counts()).toEqual(before);
  });

  it("answers 413 to a body over 3 MB and stores nothing", async () => {
    const before = await counts();
    const { body } = inboundWebhook({ text: "x".repeat(3 * 1024 * 1024) });
    expect((await postWebhook(server.url, body)).status).toBe(413);
    expect(await counts()).toEqual(before);
  });

  it("answers 413 to a chunked body that grows past 3 MB, without reading it all", async () => {
    const before = await counts();
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${server.url}/webhooks/meta`, { method: "POST", headers: { "content-type": "application/json", "x-hub-signature-256": "sha256=00" } });
      req.on("response", (res) => resolve(res.statusCode ?? 0));
      req.on("error", reject);
      const chunk = Buffer.alloc(256 * 1024, 32);
      let sent = 0;
      const pump = () => {
        while (sent < 16) {
          sent++;
          if (!req.write(chunk)) return void req.once("drain", pump);
        }
        req.end();
      };
      pump();
    });
    expect(status).toBe(413);
    expect(await counts()).toEqual(before);
  });

  it("refuses to start in production without an app secret, naming META_APP_SECRET (never accepts unsigned posts)", async () => {
    await expect(startTestServer({ env: { META_APP_SECRET: "", NODE_ENV: "production", JWT_SECRET: "x".repeat(40) } })).rejects.toThrow(/META_APP_SECRET/);
  });
});

describe("POST /webhooks/meta accepts Meta's deliveries", () => {
  it("in development without META_APP_SECRET, uses the secret generated under .aviso/ (as npm run simulate does)", async () => {
    const dev = await startTestServer({ env: { META_APP_SECRET: "", NODE_ENV: "development" } });
    try {
      const { body } = inboundWebhook({ text: "dev" });
      expect((await postWebhook(dev.url, body)).status).toBe(401);
      const secret = readFileSync(join(dev.config.AVISO_HOME, "meta-app-secret"), "utf8").trim();
      expect(secret).toMatch(/^[0-9a-f]{64}$/);
      expect((await postWebhook(dev.url, body, { secret })).status).toBe(200);
    } finally {
      await dev.stop();
    }
  });

  it("stores a message from an unknown phone_number_id, answers 200 and touches no organization", async () => {
    const before = await counts();
    const { body } = inboundWebhook({ text: "para quem?" }, "999999999999999");
    expect((await postWebhook(server.url, body)).status).toBe(200);
    const event = await prisma().webhookEvent.findFirstOrThrow({ orderBy: { receivedAt: "desc" } });
    expect(event).toMatchObject({ status: "IGNORED", organizationId: null, phoneNumberId: "999999999999999" });
    expect(await counts()).toEqual({ ...before, events: before.events + 1 });
  });

  it("stores the same message posted 20 times at once only once, in one conversation", async () => {
    const { body, message } = inboundWebhook({ text: "só uma vez", from: "5511955550020" });
    const responses = await Promise.all(Array.from({ length: 20 }, () => postWebhook(server.url, body)));
    expect(responses.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(await prisma().webhookEvent.count({ where: { payload: { path: ["entry", "0", "changes", "0", "value", "messages", "0", "id"], equals: message.id } } })).toBe(20);
    expect(await prisma().message.count({ where: { externalId: message.id } })).toBe(1);
    const contact = await prisma().contact.findFirstOrThrow({ where: { waId: "5511955550020" } });
    expect(contact.messageCount).toBe(1);
    const conversations = await prisma().conversation.findMany({ where: { contactId: contact.id } });
    expect(conversations).toHaveLength(1);
    expect(conversations[0]!.unreadCount).toBe(1);
  });

  it("applies two changes of one POST, each in its own conversation", async () => {
    expect((await postWebhook(server.url, metaFixture("two-changes"))).status).toBe(200);
    const messages = await prisma().message.findMany({ where: { text: { in: ["Primeira mudança", "Segunda mudança"] } }, include: { conversation: { include: { contact: true } } } });
    expect(messages.map((m) => [m.text, m.conversation.contact.name]).sort()).toEqual([
      ["Primeira mudança", "Maria Souza"],
      ["Segunda mudança", "Paulo Lima"],
    ]);
    expect(new Set(messages.map((m) => m.conversationId)).size).toBe(2);
  });

  it("routes by phone_number_id: acme's number lands in acme", async () => {
    const { body, message } = inboundWebhook({ text: "hello acme", from: "12125550199" }, ACME_PHONE_NUMBER_ID);
    expect((await postWebhook(server.url, body)).status).toBe(200);
    const stored = await prisma().message.findFirstOrThrow({ where: { externalId: message.id }, include: { organization: true, conversation: { include: { queue: true } } } });
    expect(stored.organization.slug).toBe("acme");
    expect(stored.conversation.queue?.name).toBe("Support");
  });

  it("keeps errors Meta reports for a whole change and answers 200", async () => {
    expect((await postWebhook(server.url, metaFixture("change-errors"))).status).toBe(200);
    const event = await prisma().webhookEvent.findFirstOrThrow({ orderBy: { receivedAt: "desc" } });
    expect(event.status).toBe("PROCESSED");
    expect(JSON.stringify(event.payload)).toContain("131000");
  });
});
