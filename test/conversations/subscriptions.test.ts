import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ConversationUpdatedDocument as CONVERSATION_UPDATED,
  MessageAddedDocument as MESSAGE_ADDED,
  ResolveConversationDocument,
} from "../generated/operations.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { connect, subscribe, type SocketClient } from "../helpers/ws.js";
import { ACME_PHONE_NUMBER_ID, inboundWebhook, postWebhook } from "../helpers/meta.js";

let server: TestServer;
const sockets: SocketClient[] = [];

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await Promise.all(sockets.map((s) => s.dispose()));
  await server?.stop();
});

async function socketFor(email: string): Promise<SocketClient> {
  const socket = connect(server.wsUrl, `Bearer ${await server.token(email)}`);
  sockets.push(socket);
  await socket.connected;
  return socket;
}

/**
 * Waits until the subscription is live: the server registers it asynchronously, so a
 * warm-up message is posted (again, if the first went unheard) until one arrives.
 */
async function warmUp(sub: { next(timeoutMs?: number): Promise<unknown> }, phoneNumberId?: string) {
  for (let attempt = 1; ; attempt++) {
    await postWebhook(server.url, inboundWebhook({ text: "aquecimento", from: "5511900009999" }, phoneNumberId).body);
    try {
      return await sub.next(3000);
    } catch (error) {
      if (attempt >= 5) throw error;
    }
  }
}

describe("messageAdded", () => {
  it("an agent subscribed to their organization receives the message a customer just sent", async () => {
    const sub = subscribe(await socketFor("agent@demo.test"), MESSAGE_ADDED);
    await warmUp(sub);
    const { body, message } = inboundWebhook({ text: "Meu pedido não chegou", from: "5511911110001", name: "Rita" });
    expect((await postWebhook(server.url, body)).status).toBe(200);
    const result = await sub.next();
    expect(result.errors).toBeUndefined();
    expect(result.data!.messageAdded).toMatchObject({ text: "Meu pedido não chegou", conversation: { contact: { name: "Rita" } } });
    const stored = await server.app.runtime.prisma.message.findFirstOrThrow({ where: { externalId: message.id } });
    expect(Buffer.from(result.data!.messageAdded.id, "base64").toString()).toBe(`Message:${stored.id}`);
    sub.unsubscribe();
  });

  it("with a conversation id, only that conversation's messages arrive", async () => {
    const agent = await socketFor("agent@demo.test");
    await postWebhook(server.url, inboundWebhook({ text: "primeira", from: "5511911110002" }).body);
    const all = subscribe(agent, MESSAGE_ADDED);
    await warmUp(all);
    await postWebhook(server.url, inboundWebhook({ text: "de novo", from: "5511911110002" }).body);
    const conversationId = (await all.next()).data!.messageAdded.conversation.id;
    const one = subscribe(agent, MESSAGE_ADDED, { c: conversationId });
    // Registered asynchronously: post (again) until this conversation's message is heard.
    let received: Awaited<ReturnType<typeof one.next>> | undefined;
    for (let attempt = 1; !received; attempt++) {
      await postWebhook(server.url, inboundWebhook({ text: "outra conversa", from: "5511911110003" }).body);
      await postWebhook(server.url, inboundWebhook({ text: "desta conversa", from: "5511911110002" }).body);
      received = await one.next(3000).catch((error: unknown) => {
        if (attempt >= 5) throw error;
        return undefined;
      });
    }
    expect(received.data!.messageAdded).toMatchObject({ text: "desta conversa", conversation: { id: conversationId } });
    expect(one.pending().every((r) => r.data!.messageAdded.text === "desta conversa")).toBe(true);
    one.unsubscribe();
    all.unsubscribe();
  });

  it("acme's subscriber hears nothing of demo's webhooks, and cannot subscribe to demo's conversation", async () => {
    const acme = await socketFor("agent@acme.test");
    const acmeSub = subscribe(acme, MESSAGE_ADDED);
    await warmUp(acmeSub, ACME_PHONE_NUMBER_ID);
    const demoSub = subscribe(await socketFor("agent@demo.test"), MESSAGE_ADDED);
    await warmUp(demoSub);

    await postWebhook(server.url, inboundWebhook({ text: "segredo da demo", from: "5511911110004" }).body);
    const demoMessage = await demoSub.next();
    // Then an acme message: if demo's had leaked, acme would receive it first.
    await postWebhook(server.url, inboundWebhook({ text: "acme only", from: "12125550100" }, ACME_PHONE_NUMBER_ID).body);
    expect((await acmeSub.next()).data!.messageAdded.text).toBe("acme only");
    expect(acmeSub.pending()).toEqual([]);

    const foreign = subscribe(acme, MESSAGE_ADDED, { c: demoMessage.data!.messageAdded.conversation.id });
    const refused = await foreign.next();
    expect((refused.errors?.[0] as { extensions?: { code?: string } } | undefined)?.extensions?.code).toBe("NOT_FOUND");
  });

  // Frames of one message are read once per organization and selection (src/conversations/message-frame-loader.ts).
  it("gives every watcher its own organization's message in the shape it asked for, when two organizations' messages arrive together", async () => {
    const LEAN = "subscription { messageAdded { id text direction } }";
    type Lean = { messageAdded: { id: string; text: string; direction: string } };
    // Two watchers of demo (each with both selections on one socket) and one of acme.
    const demo = await Promise.all(["agent2@demo.test", "viewer@demo.test"].map(socketFor));
    const full = demo.map((socket) => subscribe(socket, MESSAGE_ADDED));
    const lean = demo.map((socket) => subscribe<Lean>(socket, LEAN));
    const acme = [subscribe<Lean>(await socketFor("agent@acme.test"), LEAN)];
    for (const sub of [...full, ...lean]) await warmUp(sub);
    for (const sub of acme) await warmUp(sub, ACME_PHONE_NUMBER_ID);
    // Forget the warm-ups already heard (pending() empties the buffer).
    for (const sub of [...full, ...lean, ...acme]) sub.pending();

    await Promise.all([
      postWebhook(server.url, inboundWebhook({ text: "da demo, junto", from: "5511911110006", name: "Lia" }).body),
      postWebhook(server.url, inboundWebhook({ text: "acme, together", from: "12125550101" }, ACME_PHONE_NUMBER_ID).body),
    ]);
    const skipWarmUps = async <T extends { messageAdded: { text: string | null } }>(sub: { next(): Promise<{ data?: T }> }) => {
      for (;;) {
        const frame = (await sub.next()).data!.messageAdded;
        if (frame.text !== "aquecimento") return frame;
      }
    };
    for (const sub of full) expect(await skipWarmUps(sub)).toMatchObject({ text: "da demo, junto", conversation: { contact: { name: "Lia" } } });
    for (const sub of lean) {
      const frame = await skipWarmUps(sub);
      expect(frame).toEqual({ id: expect.any(String), text: "da demo, junto", direction: "INBOUND" });
    }
    for (const sub of acme) expect(await skipWarmUps(sub)).toMatchObject({ text: "acme, together" });
    for (const sub of acme) expect(sub.pending()).toEqual([]);
  });
});

describe("conversationUpdated", () => {
  it("tells the organization's agents a conversation changed, and no one else", async () => {
    const demoSub = subscribe(await socketFor("viewer@demo.test"), CONVERSATION_UPDATED);
    const acmeSub = subscribe(await socketFor("agent@acme.test"), CONVERSATION_UPDATED);
    await warmUp(demoSub);
    await warmUp(acmeSub, ACME_PHONE_NUMBER_ID);

    await postWebhook(server.url, inboundWebhook({ text: "oi", from: "5511911110005" }).body);
    const update = await demoSub.next();
    expect(update.data!.conversationUpdated.unreadCount).toBe(1);

    const resolved = await server.gql(ResolveConversationDocument, { id: update.data!.conversationUpdated.id }, await server.token("agent@demo.test"));
    expect(resolved.errors).toBeUndefined();
    expect((await demoSub.next()).data!.conversationUpdated).toMatchObject({ id: update.data!.conversationUpdated.id, status: "RESOLVED" });

    await postWebhook(server.url, inboundWebhook({ text: "acme", from: "12125550101" }, ACME_PHONE_NUMBER_ID).body);
    await acmeSub.next();
    expect(acmeSub.pending()).toEqual([]);
  });
});
