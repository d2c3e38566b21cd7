import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { metaFixture, postWebhook } from "../helpers/meta.js";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.stop());

type Envelope = { entry: Array<{ changes: Array<{ value: { messages: Array<{ id: string }> } }> }> };

/** Posts a fixture and returns the Message stored for its (first) message. */
async function store(fixture: string) {
  const body = metaFixture<Envelope>(fixture);
  const response = await postWebhook(server.url, body);
  expect(response.status).toBe(200);
  const wamid = body.entry[0]!.changes[0]!.value.messages[0]!.id;
  return server.app.runtime.prisma.message.findFirstOrThrow({ where: { externalId: wamid }, include: { conversation: { include: { contact: true } } } });
}

// Fixtures in test/fixtures/meta are written from Meta's documented webhook payloads.
describe("every kind of inbound WhatsApp message is stored with its type and a readable text", () => {
  it.each([
    ["message-text", "TEXT", "Olá! Vocês têm em outra cor?"],
    ["message-image", "IMAGE", "Foto do produto com defeito"],
    ["message-video", "VIDEO", "Vídeo do problema"],
    ["message-audio", "AUDIO", null],
    ["message-document", "DOCUMENT", "nota-fiscal-1234.pdf"],
    ["message-sticker", "STICKER", null],
    ["message-location", "LOCATION", "MASP — Av. Paulista, 1578 - Bela Vista, São Paulo - SP"],
    ["message-contacts", "CONTACTS", "João Pereira"],
    ["message-interactive-button-reply", "INTERACTIVE", "Confirmar pedido"],
    ["message-interactive-list-reply", "INTERACTIVE", "Entrega expressa"],
    ["message-button", "BUTTON", "Parar promoções"],
    ["message-reaction", "REACTION", "👍"],
    ["message-order", "UNSUPPORTED", "Quero estes dois"],
    ["message-system", "UNSUPPORTED", "User Maria Souza changed from 5511999990001 to 5511999990009"],
  ])("%s → %s", async (fixture, type, text) => {
    const message = await store(fixture);
    expect(message).toMatchObject({ direction: "INBOUND", type, text, status: "RECEIVED" });
    expect(message.sentAt?.toISOString()).toBe(new Date(1749416383 * 1000).toISOString());
    // The raw message is kept: media ids, context, everything Meta sent.
    expect((message.payload as { id: string }).id).toBe(message.externalId);
    expect(message.conversation.contact).toMatchObject({ waId: "5511999990001", phone: "+5511999990001", name: "Maria Souza" });
  });

  it("keeps the media id of a voice note and the target of a reaction in the payload", async () => {
    const audio = await server.app.runtime.prisma.message.findFirstOrThrow({ where: { type: "AUDIO" } });
    expect(audio.payload).toMatchObject({ audio: { id: "1213783623349185", voice: true } });
    const reaction = await server.app.runtime.prisma.message.findFirstOrThrow({ where: { type: "REACTION" } });
    expect(reaction.payload).toMatchObject({ reaction: { message_id: "wamid.HBgLMTQxMjU1NTA4MjkVAgASGBQzQUNCNjk5RDUwNUZGMUZEM0VBRwA=" } });
  });

  it("stores an unsupported message with the errors Meta attached", async () => {
    const message = await store("message-unsupported");
    expect(message.type).toBe("UNSUPPORTED");
    expect(message.text).toBeNull();
    expect(message.errors).toEqual([
      { code: 131051, title: "Message type unknown", message: "Message type unknown", error_data: { details: "Message type is currently not supported." } },
    ]);
  });

  it("put all of one customer's messages in one conversation and counted them", async () => {
    const { prisma } = server.app.runtime;
    const contact = await prisma.contact.findFirstOrThrow({ where: { waId: "5511999990001" } });
    const conversations = await prisma.conversation.findMany({ where: { contactId: contact.id } });
    expect(conversations).toHaveLength(1);
    const total = await prisma.message.count({ where: { conversationId: conversations[0]!.id } });
    expect(total).toBe(15);
    expect(contact.messageCount).toBe(15);
    expect(conversations[0]).toMatchObject({ unreadCount: 15, status: "OPEN", lastMessageAt: new Date(1749416383 * 1000) });
    expect(conversations[0]!.awaitingReplySince).not.toBeNull();
  });

  it("recognises a customer who hides their number by their business-scoped user id", async () => {
    const message = await store("message-bsuid-only");
    expect(message.text).toBe("Oi, sou eu pelo username");
    expect(message.conversation.contact).toMatchObject({ waId: null, phone: null, bsuid: "BR.1502576394655843", name: "Lia" });
  });
});
