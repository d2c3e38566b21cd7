import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { inboundWebhook, postWebhook } from "../helpers/meta.js";
import { connect, subscribe, type SocketClient } from "../helpers/ws.js";

let server: TestServer;
const sockets: SocketClient[] = [];

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await Promise.all(sockets.map((s) => s.dispose()));
  await server?.stop();
});

const ADDED = "subscription($c: ID, $after: ID) { messageAdded(conversationId: $c, after: $after) { id text } }";
type Added = { messageAdded: { id: string; text: string } };

async function socketFor(email: string) {
  const socket = connect(server.wsUrl, `Bearer ${await server.token(email)}`);
  sockets.push(socket);
  await socket.connected;
  return socket;
}

async function customerWrites(from: string, text: string) {
  expect((await postWebhook(server.url, inboundWebhook({ from, text }).body)).status).toBe(200);
}

describe("messageAdded(conversationId, after)", () => {
  it("replays exactly the 20 messages a socket dropped for 5 s missed, in order, then goes live without duplicates", async () => {
    const from = "5511933330001";
    await customerWrites(from, "primeira");
    const { prisma } = server.app.runtime;
    const contact = await prisma.contact.findFirstOrThrow({ where: { waId: from } });
    const conversation = await prisma.conversation.findFirstOrThrow({ where: { contactId: contact.id } });
    const conversationId = Buffer.from(`Conversation:${conversation.id}`).toString("base64");

    const first = await socketFor("agent@demo.test");
    const live = subscribe<Added>(first, ADDED, { c: conversationId });
    // The subscription is live once a message posted now arrives.
    await customerWrites(from, "antes da queda");
    const lastSeen = (await live.next(10_000)).data!.messageAdded;
    expect(lastSeen.text).toBe("antes da queda");
    await first.dispose();

    // 20 messages over 5 s while the socket is gone.
    const missed = Array.from({ length: 20 }, (_, i) => `perdida ${i + 1}`);
    for (const text of missed) {
      await customerWrites(from, text);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }

    const second = await socketFor("agent@demo.test");
    const replay = subscribe<Added>(second, ADDED, { c: conversationId, after: lastSeen.id });
    const received: string[] = [];
    for (let i = 0; i < 20; i++) received.push((await replay.next(10_000)).data!.messageAdded.text);
    expect(received).toEqual(missed);
    // Then live, and nothing replayed twice.
    await customerWrites(from, "depois da volta");
    expect((await replay.next(10_000)).data!.messageAdded.text).toBe("depois da volta");
    await customerWrites(from, "e mais uma");
    expect((await replay.next(10_000)).data!.messageAdded.text).toBe("e mais uma");
    expect(replay.pending()).toEqual([]);
  }, 60_000);

  it("yields each message once when messages arrive while the replay is being read", async () => {
    const from = "5511933330002";
    await customerWrites(from, "âncora");
    const { prisma } = server.app.runtime;
    const contact = await prisma.contact.findFirstOrThrow({ where: { waId: from } });
    const conversation = await prisma.conversation.findFirstOrThrow({ where: { contactId: contact.id } });
    const anchor = await prisma.message.findFirstOrThrow({ where: { conversationId: conversation.id } });
    for (let i = 0; i < 10; i++) await customerWrites(from, `antes ${i}`);
    const socket = await socketFor("agent@demo.test");
    const feed = subscribe<Added>(socket, ADDED, {
      c: Buffer.from(`Conversation:${conversation.id}`).toString("base64"),
      after: Buffer.from(`Message:${anchor.id}`).toString("base64"),
    });
    // These race the replay: each must come exactly once, whether read from the database or live.
    await Promise.all(Array.from({ length: 10 }, (_, i) => customerWrites(from, `durante ${i}`)));
    const texts: string[] = [];
    for (let i = 0; i < 20; i++) texts.push((await feed.next(10_000)).data!.messageAdded.text);
    await customerWrites(from, "sentinela");
    expect((await feed.next(10_000)).data!.messageAdded.text).toBe("sentinela");
    expect(feed.pending()).toEqual([]);
    expect(texts.slice(0, 10)).toEqual(Array.from({ length: 10 }, (_, i) => `antes ${i}`));
    expect([...texts.slice(10)].sort()).toEqual(Array.from({ length: 10 }, (_, i) => `durante ${i}`).sort());
  }, 60_000);

  it("refuses an `after` of another conversation or organization as NOT_FOUND", async () => {
    const { prisma } = server.app.runtime;
    const acmeMessage = await prisma.message.create({
      data: {
        organizationId: (await prisma.organization.findUniqueOrThrow({ where: { slug: "acme" } })).id,
        conversationId: (
          await prisma.conversation.create({
            data: {
              organizationId: (await prisma.organization.findUniqueOrThrow({ where: { slug: "acme" } })).id,
              number: 9001,
              contactId: (
                await prisma.contact.create({
                  data: { organizationId: (await prisma.organization.findUniqueOrThrow({ where: { slug: "acme" } })).id, phone: "15550000001" },
                })
              ).id,
            },
          })
        ).id,
        direction: "INBOUND",
        type: "TEXT",
        text: "acme",
      },
    });
    const socket = await socketFor("agent@demo.test");
    const feed = subscribe<Added>(socket, ADDED, { after: Buffer.from(`Message:${acmeMessage.id}`).toString("base64") });
    const result = await feed.next(10_000);
    expect(JSON.stringify(result.errors)).toContain("NOT_FOUND");
  });
});
