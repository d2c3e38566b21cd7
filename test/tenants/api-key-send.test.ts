import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CreateApiKeyDocument, type ApiKeyScope } from "../../src/client/index.js";
import { ConversationsPageDocument, SendTextMessageDocument as SEND } from "../generated/operations.js";
import { eventually } from "../helpers/eventually.js";
import { startGraphApi } from "../helpers/graph-api.js";
import type { HttpFake } from "../helpers/http-fake.js";
import { inboundWebhook, postWebhook } from "../helpers/meta.js";
import { startTestServer, type TestServer } from "../helpers/server.js";

// An integrator's key with MESSAGES_SEND answers a customer: the message leaves from the
// organization's number, sent by no person, and takes the conversation from nobody.

let server: TestServer;
let graph: HttpFake;

beforeAll(async () => {
  graph = await startGraphApi();
  server = await startTestServer({ env: { WHATSAPP_API_URL: graph.url } });
}, 60_000);

afterAll(async () => {
  await server?.stop();
  await graph?.close();
});

describe("sendMessage with an API key", () => {
  it("sends for the organization within MESSAGES_SEND, and is FORBIDDEN without it", async () => {
    const admin = await server.token("admin@demo.test");
    const keyOf = async (scopes: ApiKeyScope[]) =>
      (await server.gql(CreateApiKeyDocument, { input: { name: `crm ${scopes.join(", ")}`, scopes } }, admin)).data!.createApiKey.secret;
    const sender = await keyOf(["MESSAGES_SEND", "CONVERSATIONS_READ"]);
    const reader = await keyOf(["CONVERSATIONS_READ"]);

    expect((await postWebhook(server.url, inboundWebhook({ text: "Oi, meu pedido?", from: "5511922220001" }).body)).status).toBe(200);
    const list = await server.gql(ConversationsPageDocument, { first: 1 }, sender);
    const conversationId = list.data!.conversations.edges[0]!.node.id;
    const { prisma } = server.app.runtime;
    const before = await prisma.conversation.findFirstOrThrow({ where: { contact: { waId: "5511922220001" } } });

    const refused = await server.gql(SEND, { input: { conversationId, text: "não" } }, reader);
    expect(refused.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const sent = await server.gql(SEND, { input: { conversationId, text: "Seu pedido saiu para entrega." } }, sender);
    expect(sent.errors).toBeUndefined();
    expect(sent.data).toEqual({ sendMessage: { direction: "OUTBOUND", text: "Seu pedido saiu para entrega.", sentBy: null } });
    const request = await eventually(
      async () => graph.requests.find((r) => (r.body as { text?: { body?: string } } | null)?.text?.body === "Seu pedido saiu para entrega."),
      { what: "the message sent with the API key to reach the Graph API", timeoutMs: 20_000 },
    );
    expect((request.body as { to: string }).to).toBe("5511922220001");
    expect((await prisma.conversation.findUniqueOrThrow({ where: { id: before.id } })).assigneeId).toBe(before.assigneeId);
  }, 40_000);
});
