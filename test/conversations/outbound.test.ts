import { encodeGlobalID } from "@pothos/plugin-relay";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { sendOutboundMessage } from "../../src/conversations/outbound/outbox-job.js";
import { sendSlaWarnings } from "../../src/notifications/jobs.js";
import { SyncMessageTemplatesDocument } from "../../src/client/index.js";
import {
  ApprovedMessageTemplatesDocument,
  ConversationMessageAddedDocument,
  CustomerWindowDocument,
  MessageMediaDocument,
  MessageOutcomeDocument,
  MessageUpdatedDocument,
  SendMessageDocument,
  type SendMessageInput,
} from "../generated/operations.js";
import { eventually } from "../helpers/eventually.js";
import { metaError, startGraphApiStandIn, type GraphApiStandIn } from "../helpers/graph-api.js";
import { DEMO_PHONE_NUMBER_ID, inboundWebhook, postWebhook, sampleChange, sampleStatus, sampleWebhook } from "../helpers/meta.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { connect, subscribe, type SocketClient, type Subscription } from "../helpers/ws.js";

let server: TestServer;
let graph: GraphApiStandIn;
const sockets: SocketClient[] = [];
let agentToken: string;
/** Every messageUpdated frame of the organization, over graphql-ws. */
let orgUpdates: Subscription<{ data?: { messageUpdated: { id: string; status: string } }; errors?: unknown[] }>;
const frames: Array<{ id: string; status: string }> = [];

beforeAll(async () => {
  graph = await startGraphApiStandIn();
  server = await startTestServer({ env: { WHATSAPP_API_URL: graph.url, DELIVERY_RETRY_DELAY_SECONDS: "1" } });
  agentToken = await server.token("agent@demo.test");
  const socket = connect(server.wsUrl, `Bearer ${agentToken}`);
  sockets.push(socket);
  await socket.connected;
  orgUpdates = subscribe(socket, MessageUpdatedDocument);
});

/** Waits for the messageUpdated frame that says `id` is now `status`. */
async function frameSays(id: string, status: string) {
  return eventually(
    async () => {
      for (const frame of orgUpdates.pending()) if (frame.data) frames.push(frame.data.messageUpdated);
      return frames.some((f) => f.id === id && f.status === status);
    },
    { what: `a messageUpdated frame saying ${id} is ${status}`, timeoutMs: 15_000, intervalMs: 50 },
  );
}

/** Meta reports the message delivered, then read: the row moves and the frames arrive. */
async function deliveredAndRead(id: string, wamid: string) {
  await frameSays(id, "SENT");
  await report(wamid, "delivered");
  await frameSays(id, "DELIVERED");
  await report(wamid, "read");
  await frameSays(id, "READ");
  expect((await messageRow(id)).status).toBe("READ");
}
afterAll(async () => {
  await Promise.all(sockets.map((s) => s.dispose()));
  await server?.stop();
  await graph?.close();
});

let customerSeq = 0;
/** A customer writes to demo's number: returns the conversation's and the message's global ids and wamid. */
async function customerWrites(text = "Olá, preciso de ajuda", extra: { type?: "image"; id?: string } = {}) {
  const from = `55119${String(7_000_000 + ++customerSeq * 37).padStart(8, "0")}`;
  const { message, body } = inboundWebhook({ text, from, ...extra });
  expect((await postWebhook(server.url, body)).status).toBe(200);
  const row = await server.app.runtime.prisma.message.findFirstOrThrow({ where: { externalId: message.id } });
  return {
    from,
    conversationId: encodeGlobalID("Conversation", row.conversationId),
    conversationDbId: row.conversationId,
    messageId: encodeGlobalID("Message", row.id),
    messageDbId: row.id,
    wamid: message.id,
  };
}

async function send(input: Record<string, unknown>, token = agentToken) {
  // Some tests send deliberately invalid input: the input type does not describe it.
  return server.gql(SendMessageDocument, { input: input as SendMessageInput }, token);
}

async function messageRow(globalId: string) {
  const id = Buffer.from(globalId, "base64").toString("utf8").split(":")[1]!;
  return server.app.runtime.prisma.message.findUniqueOrThrow({ where: { id } });
}

async function settled(globalId: string) {
  return eventually(
    async () => {
      const row = await messageRow(globalId);
      return row.status !== "PENDING" ? row : undefined;
    },
    { what: "the message to leave PENDING", timeoutMs: 30_000 },
  );
}

function report(wamid: string, status: "delivered" | "read") {
  return postWebhook(server.url, sampleWebhook([sampleChange({ phoneNumberId: DEMO_PHONE_NUMBER_ID, statuses: [sampleStatus(wamid, status)] })]));
}

const sendsWith = (predicate: (body: Record<string, unknown>) => boolean) => graph.sends().filter((r) => predicate(r.body as Record<string, unknown>));

describe("an agent answers a customer on WhatsApp", () => {
  it("sends text to Meta's path with the number's token and Meta's body, stores the wamid, and streams SENT → DELIVERED → READ over graphql-ws", async () => {
    const customer = await customerWrites();
    const socket = connect(server.wsUrl, `Bearer ${agentToken}`);
    sockets.push(socket);
    await socket.connected;
    const updates = subscribe(socket, MessageUpdatedDocument, { c: customer.conversationId });
    const added = subscribe(socket, ConversationMessageAddedDocument, { c: customer.conversationId });
    // Subscriptions register asynchronously: wait until messageAdded hears a customer message.
    await eventually(
      async () => {
        await postWebhook(server.url, inboundWebhook({ text: "ainda aí?", from: customer.from }).body);
        return (await added.next(2000).catch(() => undefined)) ?? undefined;
      },
      { what: "messageAdded to hear a customer message", timeoutMs: 20_000, intervalMs: 10 },
    );
    added.pending();

    const result = await send({ conversationId: customer.conversationId, text: "Olá! Como posso ajudar?", clientMessageId: "c-text-1" });
    expect(result.errors).toBeUndefined();
    const sent = result.data!.sendMessage;
    expect(sent).toMatchObject({ status: "PENDING", direction: "OUTBOUND", text: "Olá! Como posso ajudar?", sentBy: { email: "agent@demo.test" } });
    expect((await added.next(10_000)).data!.messageAdded).toMatchObject({ id: sent.id, direction: "OUTBOUND" });

    const row = await settled(sent.id);
    expect(row.status).toBe("SENT");
    const [post] = sendsWith((b) => (b.text as { body?: string } | undefined)?.body === "Olá! Como posso ajudar?");
    expect(post!.path).toBe(`/v21.0/${DEMO_PHONE_NUMBER_ID}/messages`);
    expect(post!.headers.authorization).toBe("Bearer demo-access-token");
    expect(post!.body).toEqual({
      messaging_product: "whatsapp",
      recipient_type: "individual",
      to: customer.from,
      type: "text",
      text: { preview_url: false, body: "Olá! Como posso ajudar?" },
    });
    expect(row.externalId).toMatch(/^wamid\./);

    const first = (await updates.next(10_000)).data!.messageUpdated;
    expect(first).toEqual({ id: sent.id, status: "SENT", externalId: row.externalId });
    await report(row.externalId!, "delivered");
    expect((await updates.next(10_000)).data!.messageUpdated.status).toBe("DELIVERED");
    await report(row.externalId!, "read");
    expect((await updates.next(10_000)).data!.messageUpdated.status).toBe("READ");
    // Forward only: a late "delivered" changes nothing.
    await report(row.externalId!, "delivered");
    expect((await messageRow(sent.id)).status).toBe("READ");

    // The answer ends the wait and, with assignOnReply, makes the agent the assignee.
    const conversation = await server.app.runtime.prisma.conversation.findUniqueOrThrow({
      where: { id: customer.conversationDbId },
      include: { assignee: true },
    });
    expect(conversation.awaitingReplySince).toBeNull();
    expect(conversation.firstResponseAt).not.toBeNull();
    expect(conversation.assignee?.email).toBe("agent@demo.test");
  });

  it("a reply carries WhatsApp's context.message_id of the message it answers", async () => {
    const customer = await customerWrites("Qual o prazo?");
    const result = await send({ conversationId: customer.conversationId, text: "Três dias úteis.", replyToMessageId: customer.messageId });
    expect(result.data?.sendMessage.replyTo).toEqual({ id: customer.messageId, externalId: customer.wamid });
    const replyRow = await settled(result.data!.sendMessage.id);
    expect(replyRow.status).toBe("SENT");
    await deliveredAndRead(result.data!.sendMessage.id, replyRow.externalId!);
    const [post] = sendsWith((b) => (b.text as { body?: string } | undefined)?.body === "Três dias úteis.");
    expect(post!.body).toEqual({
      messaging_product: "whatsapp",
      recipient_type: "individual",
      to: customer.from,
      context: { message_id: customer.wamid },
      type: "text",
      text: { preview_url: false, body: "Três dias úteis." },
    });
  });

  it("uploads media (POST /media → Meta's /{phone_number_id}/media) and sends it by id with its caption", async () => {
    const customer = await customerWrites("Manda a foto?");
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(2000, 7)]);
    const form = new FormData();
    form.set("file", new Blob([png], { type: "image/png" }), "produto.png");
    form.set("conversationId", customer.conversationId);
    const uploaded = await fetch(`${server.url}/media`, { method: "POST", headers: { authorization: `Bearer ${agentToken}` }, body: form });
    expect(uploaded.status).toBe(201);
    const { uploadId, kind } = (await uploaded.json()) as { uploadId: string; kind: string };
    expect(kind).toBe("IMAGE");
    const upload = graph.requests.find((r) => r.method === "POST" && r.path === `/v21.0/${DEMO_PHONE_NUMBER_ID}/media`)!;
    expect(upload.headers.authorization).toBe("Bearer demo-access-token");
    expect(upload.headers["content-type"]).toMatch(/^multipart\/form-data/);
    const multipart = upload.raw.toString("latin1");
    expect(multipart).toContain('name="messaging_product"\r\n\r\nwhatsapp');
    expect(multipart).toContain('name="type"\r\n\r\nimage/png');
    expect(upload.raw.includes(png)).toBe(true);
    const mediaId = (await server.app.runtime.prisma.mediaUpload.findUniqueOrThrow({ where: { id: uploadId } })).mediaId;

    const result = await send({ conversationId: customer.conversationId, media: { kind: "IMAGE", uploadId, caption: "Nosso produto" } });
    expect(result.errors).toBeUndefined();
    expect(result.data!.sendMessage.media).toMatchObject({ kind: "IMAGE", mediaId, caption: "Nosso produto" });
    const mediaRow = await settled(result.data!.sendMessage.id);
    expect(mediaRow.status).toBe("SENT");
    await deliveredAndRead(result.data!.sendMessage.id, mediaRow.externalId!);
    const [post] = sendsWith((b) => b.type === "image" && (b.image as { id?: string }).id === mediaId);
    expect(post!.body).toEqual({
      messaging_product: "whatsapp",
      recipient_type: "individual",
      to: customer.from,
      type: "image",
      image: { id: mediaId, caption: "Nosso produto" },
    });

    // A file WhatsApp does not take is refused before Meta is called.
    const bad = new FormData();
    bad.set("file", new Blob([Buffer.from("MZ")], { type: "application/x-msdownload" }), "virus.exe");
    const refused = await fetch(`${server.url}/media`, { method: "POST", headers: { authorization: `Bearer ${agentToken}` }, body: bad });
    expect(refused.status).toBe(415);
    const viewer = await fetch(`${server.url}/media`, {
      method: "POST",
      headers: { authorization: `Bearer ${await server.token("viewer@demo.test")}` },
      body: form,
    });
    expect(viewer.status).toBe(403);
  });

  it("syncs templates from the WABA and sends an approved one with its body parameters; refuses unknown, unapproved and miscounted ones before calling Meta", async () => {
    const admin = await server.token("admin@demo.test");
    const connected = await server.gql(
      `mutation($input: ConnectWhatsAppNumberInput!) { connectWhatsAppNumber(input: $input) { businessAccountId } }`,
      {
        input: {
          phoneNumberId: DEMO_PHONE_NUMBER_ID,
          displayPhoneNumber: "+55 11 4000-0001",
          accessToken: "demo-access-token",
          businessAccountId: "102290129340398",
        },
      },
      admin,
    );
    expect(connected.errors).toBeUndefined();
    graph.templates.splice(
      0,
      graph.templates.length,
      {
        name: "retomar_atendimento",
        language: "pt_BR",
        status: "APPROVED",
        category: "UTILITY",
        id: "1001",
        components: [{ type: "BODY", text: "Olá {{1}}, sobre o pedido {{2}}: podemos continuar?" }],
      },
      { name: "promo_natal", language: "pt_BR", status: "REJECTED", category: "MARKETING", id: "1002", components: [{ type: "BODY", text: "Promoção!" }] },
    );
    const synced = await server.gql(SyncMessageTemplatesDocument, {}, admin);
    expect(synced.data?.syncMessageTemplates).toBe(2);
    expect(
      graph.requests.some(
        (r) => r.method === "GET" && r.path.startsWith("/v21.0/102290129340398/message_templates") && r.headers.authorization === "Bearer demo-access-token",
      ),
    ).toBe(true);
    const listed = await server.gql(ApprovedMessageTemplatesDocument, {}, agentToken);
    expect(listed.data?.messageTemplates).toEqual([
      {
        name: "retomar_atendimento",
        language: "pt_BR",
        category: "UTILITY",
        status: "APPROVED",
        bodyText: "Olá {{1}}, sobre o pedido {{2}}: podemos continuar?",
        parameterCount: 2,
      },
    ]);
    expect((await server.gql(`mutation { syncMessageTemplates }`, {}, agentToken)).errors?.[0]?.extensions?.code).toBe("FORBIDDEN");

    const customer = await customerWrites("oi");
    const before = graph.sends().length;
    for (const [template, field] of [
      [{ name: "nao_existe", language: "pt_BR", parameters: [] }, "template.name"],
      [{ name: "promo_natal", language: "pt_BR" }, "template.name"],
      [{ name: "retomar_atendimento", language: "pt_BR", parameters: ["Maria"] }, "template.parameters"],
    ] as const) {
      const refused = await send({ conversationId: customer.conversationId, template });
      expect(refused.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field });
      expect(refused.errors?.[0]?.message).toContain(template.name);
    }
    const result = await send({
      conversationId: customer.conversationId,
      template: { name: "retomar_atendimento", language: "pt_BR", parameters: ["Maria", "#123"] },
    });
    expect(result.data?.sendMessage.text).toBe("Olá Maria, sobre o pedido #123: podemos continuar?");
    const templateRow = await settled(result.data!.sendMessage.id);
    expect(templateRow.status).toBe("SENT");
    await deliveredAndRead(result.data!.sendMessage.id, templateRow.externalId!);
    expect(graph.sends().length).toBe(before + 1);
    expect(graph.sends().at(-1)!.body).toEqual({
      messaging_product: "whatsapp",
      recipient_type: "individual",
      to: customer.from,
      type: "template",
      template: {
        name: "retomar_atendimento",
        language: { code: "pt_BR" },
        components: [
          {
            type: "body",
            parameters: [
              { type: "text", text: "Maria" },
              { type: "text", text: "#123" },
            ],
          },
        ],
      },
    });
  });

  it("outside the 24-hour window refuses free text with CUSTOMER_WINDOW_CLOSED and sends nothing; a template goes through", async () => {
    const customer = await customerWrites("mensagem antiga");
    const lastInboundAt = new Date(Date.now() - 25 * 3600_000);
    await server.app.runtime.prisma.conversation.update({ where: { id: customer.conversationDbId }, data: { lastInboundAt } });
    const window = await server.gql(CustomerWindowDocument, { id: customer.conversationId }, agentToken);
    expect(window.data?.conversation?.customerWindowExpiresAt).toBe(new Date(lastInboundAt.getTime() + 24 * 3600_000).toISOString());
    const before = graph.sends().length;
    const refused = await send({ conversationId: customer.conversationId, text: "Ainda precisa de ajuda?" });
    expect(refused.errors?.[0]?.extensions?.code).toBe("CUSTOMER_WINDOW_CLOSED");
    const media = await send({ conversationId: customer.conversationId, media: { kind: "DOCUMENT", url: "https://example.com/a.pdf" } });
    expect(media.errors?.[0]?.extensions?.code).toBe("CUSTOMER_WINDOW_CLOSED");
    expect(await server.app.runtime.prisma.message.count({ where: { conversationId: customer.conversationDbId, direction: "OUTBOUND" } })).toBe(0);
    const template = await send({
      conversationId: customer.conversationId,
      template: { name: "retomar_atendimento", language: "pt_BR", parameters: ["João", "#9"] },
    });
    expect(template.errors).toBeUndefined();
    expect((await settled(template.data!.sendMessage.id)).status).toBe("SENT");
    expect(graph.sends().length).toBe(before + 1);
    expect((graph.sends().at(-1)!.body as { type: string }).type).toBe("template");
  });

  it("the same clientMessageId sent 10 times at once makes one message and one POST", async () => {
    const customer = await customerWrites("oi de novo");
    const results = await Promise.all(
      Array.from({ length: 10 }, () => send({ conversationId: customer.conversationId, text: "Uma vez só", clientMessageId: "dup-key-1" })),
    );
    const ids = new Set(results.map((r) => r.data?.sendMessage.id));
    expect(results.every((r) => r.errors === undefined)).toBe(true);
    expect(ids.size).toBe(1);
    const [id] = [...ids];
    expect((await settled(id!)).status).toBe("SENT");
    // A later retry of the frontend with the same key is the same message, still not resent.
    const again = await send({ conversationId: customer.conversationId, text: "Uma vez só", clientMessageId: "dup-key-1" });
    expect(again.data?.sendMessage).toMatchObject({ id, status: "SENT" });
    expect(await server.app.runtime.prisma.message.count({ where: { conversationId: customer.conversationDbId, direction: "OUTBOUND" } })).toBe(1);
    expect(sendsWith((b) => b.to === customer.from && (b.text as { body?: string } | undefined)?.body === "Uma vez só")).toHaveLength(1);
  });

  it("a send job run twice (at once, then again) posts once", async () => {
    const customer = await customerWrites("teste de job");
    const { prisma } = server.app.runtime;
    const number = await prisma.whatsAppNumber.findUniqueOrThrow({ where: { phoneNumberId: DEMO_PHONE_NUMBER_ID } });
    const conversation = await prisma.conversation.findUniqueOrThrow({ where: { id: customer.conversationDbId } });
    // A PENDING outbound message with no job of its own: only the two runs below send it.
    const message = await prisma.message.create({
      data: {
        organizationId: conversation.organizationId,
        conversationId: conversation.id,
        direction: "OUTBOUND",
        type: "TEXT",
        text: "job duplicado",
        status: "PENDING",
        outbound: { kind: "text", whatsAppNumberId: number.id },
      },
    });
    graph.enqueue({ status: 200, body: { messaging_product: "whatsapp", contacts: [], messages: [{ id: "wamid.job-twice" }] }, delayMs: 300 });
    await Promise.all([sendOutboundMessage(server.app.runtime, message.id), sendOutboundMessage(server.app.runtime, message.id)]);
    await sendOutboundMessage(server.app.runtime, message.id);
    expect(await prisma.message.findUniqueOrThrow({ where: { id: message.id } })).toMatchObject({
      status: "SENT",
      externalId: "wamid.job-twice",
      sendAttempts: 1,
    });
    expect(sendsWith((b) => (b.text as { body?: string } | undefined)?.body === "job duplicado")).toHaveLength(1);
  });

  it("a failed status webhook after SENT marks the message FAILED with Meta's error, and says so on messageUpdated", async () => {
    const customer = await customerWrites("vai falhar depois");
    const result = await send({ conversationId: customer.conversationId, text: "Mensagem que a Meta não entrega" });
    const id = result.data!.sendMessage.id;
    const row = await settled(id);
    expect(row.status).toBe("SENT");
    const errors = [
      {
        code: 131047,
        title: "Re-engagement message",
        message: "Re-engagement message",
        error_data: { details: "Message failed to send because more than 24 hours have passed since the customer last replied to this number." },
      },
    ];
    await postWebhook(
      server.url,
      sampleWebhook([sampleChange({ phoneNumberId: DEMO_PHONE_NUMBER_ID, statuses: [sampleStatus(row.externalId!, "failed", { errors })] })]),
    );
    await frameSays(id, "FAILED");
    const failed = await messageRow(id);
    expect(failed).toMatchObject({ status: "FAILED", errorCode: 131047 });
    expect(failed.error).toMatch(/^131047 Re-engagement message: Message failed to send/);
  });

  it("131026 fails at once with Meta's code and a readable reason", async () => {
    const customer = await customerWrites("número estranho");
    graph.enqueue(metaError(400, 131026, "Message Undeliverable."));
    const result = await send({ conversationId: customer.conversationId, text: "Olá?" });
    const row = await settled(result.data!.sendMessage.id);
    expect(row).toMatchObject({ status: "FAILED", errorCode: 131026 });
    expect(row.error).toMatch(/^131026 Mensagem não entregue/); // the organization writes pt-BR
    expect(sendsWith((b) => b.to === customer.from)).toHaveLength(1);
    const read = await server.gql(MessageOutcomeDocument, { id: result.data!.sendMessage.id }, agentToken);
    expect(read.data?.node).toMatchObject({ status: "FAILED", errorCode: 131026 });
  });

  it("130429 and a 5xx are retried, then SENT", async () => {
    const customer = await customerWrites("vai e volta");
    graph.enqueue(metaError(400, 130429, "Rate limit hit"), { status: 503, body: { error: { message: "Service temporarily unavailable", code: 2 } } });
    const result = await send({ conversationId: customer.conversationId, text: "Tentando de novo" });
    const row = await settled(result.data!.sendMessage.id);
    expect(row).toMatchObject({ status: "SENT", error: null, sendAttempts: 3 });
    expect(sendsWith((b) => b.to === customer.from)).toHaveLength(3);
  });

  it("190 (expired token) fails the message and raises an alert that reaches the organization's admins", async () => {
    const customer = await customerWrites("token vencido");
    graph.enqueue(metaError(401, 190, "Error validating access token: Session has expired"));
    const result = await send({ conversationId: customer.conversationId, text: "Alô" });
    const row = await settled(result.data!.sendMessage.id);
    expect(row).toMatchObject({ status: "FAILED", errorCode: 190 });
    expect(row.error).toContain("Token de acesso expirado");
    const { prisma } = server.app.runtime;
    const alert = await eventually(() => prisma.alert.findFirst({ where: { dedupeKey: `whatsapp-token-expired:${DEMO_PHONE_NUMBER_ID}` } }), {
      what: "the expired-token system alert",
    });
    expect(alert.title).toBe("Token do WhatsApp expirado para +55 11 4000-0001");
    const admin = await prisma.user.findUniqueOrThrow({ where: { email: "admin@demo.test" } });
    await eventually(() => prisma.notification.findFirst({ where: { userId: admin.id, alertId: alert.id, type: "ALERT_CREATED" } }), {
      what: "the admin's ALERT_CREATED notification",
    });
  });

  it("a viewer may not send (FORBIDDEN), and another organization's conversation is NOT_FOUND", async () => {
    const customer = await customerWrites("visualizador");
    const viewer = await send({ conversationId: customer.conversationId, text: "oi" }, await server.token("viewer@demo.test"));
    expect(viewer.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const acme = await send({ conversationId: customer.conversationId, text: "oi" }, await server.token("agent@acme.test"));
    expect(acme.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
    const both = await send({ conversationId: customer.conversationId, text: "oi", template: { name: "x", language: "pt_BR" } });
    expect(both.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  });

  it("GET /media/:id streams an inbound image to its organization, 404 to another's token, 401 without one", async () => {
    const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(50_000, 3)]);
    graph.addMedia("987654321000", jpeg, "image/jpeg");
    const { prisma } = server.app.runtime;
    const customer = await customerWrites("foto", { type: "image" });
    // The sample's media id is random: point it at the stand-in's file.
    const row = await prisma.message.findUniqueOrThrow({ where: { id: customer.messageDbId } });
    const payload = row.payload as { image: Record<string, unknown> };
    payload.image.id = "987654321000";
    await prisma.message.update({ where: { id: row.id }, data: { payload: payload as object } });

    const media = await server.gql(MessageMediaDocument, { id: customer.messageId }, agentToken);
    const node = media.data?.node;
    const shown = node && "media" in node ? node.media : undefined;
    expect(shown).toEqual({ kind: "IMAGE", mediaId: "987654321000", mimeType: "image/jpeg", url: `/media/${customer.messageDbId}` });
    const response = await fetch(`${server.url}${shown!.url}`, { headers: { authorization: `Bearer ${agentToken}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("image/jpeg");
    expect(Buffer.from(await response.arrayBuffer()).equals(jpeg)).toBe(true);
    expect(graph.requests.some((r) => r.path === "/files/987654321000" && r.headers.authorization === "Bearer demo-access-token")).toBe(true);

    // A file over MEDIA_MAX_BYTES (16 MiB by default) is refused, not streamed.
    graph.addMedia("987654321999", Buffer.alloc(17 * 1024 * 1024, 1), "video/mp4");
    const big = await customerWrites("vídeo grande", { type: "image" });
    const bigRow = await prisma.message.findUniqueOrThrow({ where: { id: big.messageDbId } });
    await prisma.message.update({
      where: { id: bigRow.id },
      data: { payload: { ...(bigRow.payload as object), image: { id: "987654321999", mime_type: "video/mp4" } } },
    });
    expect((await fetch(`${server.url}/media/${big.messageDbId}`, { headers: { authorization: `Bearer ${agentToken}` } })).status).toBe(413);

    const foreign = await fetch(`${server.url}/media/${customer.messageId}`, { headers: { authorization: `Bearer ${await server.token("admin@acme.test")}` } });
    expect(foreign.status).toBe(404);
    expect((await fetch(`${server.url}/media/${customer.messageDbId}`)).status).toBe(401);
  });

  it("markConversationRead tells WhatsApp the last inbound message was read", async () => {
    const customer = await customerWrites("lê aí");
    const read = await server.gql(`mutation($id: ID!) { markConversationRead(id: $id) { unreadCount } }`, { id: customer.conversationId }, agentToken);
    expect(read.errors).toBeUndefined();
    const receipt = await eventually(async () => graph.requests.find((r) => (r.body as { message_id?: string } | null)?.message_id === customer.wamid), {
      what: "the read receipt for the customer's message",
    });
    expect(receipt.path).toBe(`/v21.0/${DEMO_PHONE_NUMBER_ID}/messages`);
    expect(receipt.body).toEqual({ messaging_product: "whatsapp", status: "read", message_id: customer.wamid });
  });

  it("SLA_WARNING means waiting for an answer: an answered conversation is not warned, an unanswered one is", async () => {
    const { prisma } = server.app.runtime;
    const answered = await customerWrites("preciso de ajuda urgente");
    const waiting = await customerWrites("alguém aí?");
    const longAgo = new Date(Date.now() - 3600_000);
    await prisma.conversation.updateMany({
      where: { id: { in: [answered.conversationDbId, waiting.conversationDbId] } },
      data: { awaitingReplySince: longAgo },
    });
    const result = await send({ conversationId: answered.conversationId, text: "Estou aqui!" });
    expect(result.errors).toBeUndefined();
    await sendSlaWarnings(server.app.runtime);
    const rows = await prisma.conversation.findMany({ where: { id: { in: [answered.conversationDbId, waiting.conversationDbId] } } });
    const byId = new Map(rows.map((r) => [r.id, r]));
    expect(byId.get(answered.conversationDbId)).toMatchObject({ awaitingReplySince: null, slaWarnedAt: null });
    expect(byId.get(waiting.conversationDbId)!.slaWarnedAt).not.toBeNull();
    expect(await prisma.notification.count({ where: { conversationId: answered.conversationDbId, type: "SLA_WARNING" } })).toBe(0);
    expect(await prisma.notification.count({ where: { conversationId: waiting.conversationDbId, type: "SLA_WARNING" } })).toBeGreaterThan(0);
    // The customer writes again: the clock starts over from that message.
    await postWebhook(server.url, inboundWebhook({ text: "obrigado, mais uma dúvida", from: answered.from }).body);
    expect((await prisma.conversation.findUniqueOrThrow({ where: { id: answered.conversationDbId } })).awaitingReplySince).not.toBeNull();
  });

  it("npm run simulate -- --status read --for <wamid> moves a sent message's ticks", async () => {
    const customer = await customerWrites("simulação");
    const result = await send({ conversationId: customer.conversationId, text: "Veja os ticks" });
    const row = await settled(result.data!.sendMessage.id);
    const run = promisify(execFile);
    const root = join(import.meta.dirname, "..", "..");
    const { stdout } = await run(
      process.execPath,
      ["--import", "tsx", "scripts/simulate.ts", "--status", "read", "--for", row.externalId!, "--url", server.url],
      {
        cwd: root,
        env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", META_APP_SECRET: "test-app-secret", NODE_ENV: "test" },
      },
    );
    expect(stdout).toContain("→ 200");
    expect((await messageRow(result.data!.sendMessage.id)).status).toBe("READ");
  }, 60_000);
});
