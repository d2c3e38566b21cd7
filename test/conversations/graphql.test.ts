import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { inboundWebhook, postWebhook } from "../helpers/meta.js";

let server: TestServer;
let tokens: Record<"agent" | "agent2" | "viewer" | "admin" | "acmeAgent" | "acmeAdmin", string>;
let conversationId: string;

const CONVERSATION = `query($id: ID!) { conversation(id: $id) { id number status unreadCount lastMessageAt contact { id name phone } assignee { email }
  messages(first: 10) { edges { cursor node { id direction type text status externalId conversation { id } } } pageInfo { hasNextPage } } } }`;
// Agents see teammates' names, not their emails (admins only).
const ASSIGN = `mutation($c: ID!, $u: ID!) { assignConversation(conversationId: $c, userId: $u) { id assignee { name } } }`;
const RESOLVE = `mutation($id: ID!) { resolveConversation(id: $id) { id status } }`;
const MARK_READ = `mutation($id: ID!) { markConversationRead(id: $id) { id unreadCount } }`;
const LIST = `query($status: ConversationStatus, $mine: Boolean, $after: String) { conversations(status: $status, assignedToMe: $mine, first: 2, after: $after) {
  edges { cursor node { id number status contact { name } } } pageInfo { hasNextPage endCursor } } }`;
const ME = `{ me { id } }`;

beforeAll(async () => {
  server = await startTestServer();
  tokens = {
    agent: await server.token("agent@demo.test"),
    agent2: await server.token("agent2@demo.test"),
    viewer: await server.token("viewer@demo.test"),
    admin: await server.token("admin@demo.test"),
    acmeAgent: await server.token("agent@acme.test"),
    acmeAdmin: await server.token("admin@acme.test"),
  };
  for (const [i, name] of ["Ana", "Beto", "Caio"].entries()) {
    await postWebhook(server.url, inboundWebhook({ text: `Oi, sou ${name}`, from: `551190000000${i}`, name, timestamp: 1_760_000_000 + i }).body);
  }
  const list = await server.gql<{ conversations: { edges: Array<{ node: { id: string; contact: { name: string } } }> } }>(LIST, {}, tokens.agent);
  conversationId = list.data!.conversations.edges.find((e) => e.node.contact.name === "Caio")!.node.id;
});
afterAll(() => server?.stop());

const userId = async (token: string) => (await server.gql<{ me: { id: string } }>(ME, {}, token)).data!.me.id;

describe("reading conversations", () => {
  it("lists the organization's conversations newest first, as a relay connection", async () => {
    const page1 = await server.gql<{ conversations: { edges: Array<{ node: { contact: { name: string } } }>; pageInfo: { hasNextPage: boolean; endCursor: string } } }>(
      LIST,
      {},
      tokens.viewer,
    );
    expect(page1.errors).toBeUndefined();
    expect(page1.data!.conversations.edges.map((e) => e.node.contact.name)).toEqual(["Caio", "Beto"]);
    expect(page1.data!.conversations.pageInfo.hasNextPage).toBe(true);
    const page2 = await server.gql<{ conversations: { edges: Array<{ node: { contact: { name: string } } }> } }>(
      LIST,
      { after: page1.data!.conversations.pageInfo.endCursor },
      tokens.viewer,
    );
    expect(page2.data!.conversations.edges.map((e) => e.node.contact.name)).toEqual(["Ana"]);
  });

  it("shows a conversation with its contact and messages", async () => {
    const result = await server.gql<{ conversation: { contact: { name: string; phone: string }; unreadCount: number; messages: { edges: Array<{ node: { text: string; direction: string; type: string } }> } } }>(
      CONVERSATION,
      { id: conversationId },
      tokens.viewer,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data!.conversation.contact).toMatchObject({ name: "Caio", phone: "+5511900000002" });
    expect(result.data!.conversation.unreadCount).toBe(1);
    expect(result.data!.conversation.messages.edges.map((e) => e.node)).toMatchObject([{ text: "Oi, sou Caio", direction: "INBOUND", type: "TEXT" }]);
  });

  it("another organization sees none of it: empty list, NOT_FOUND by id", async () => {
    const list = await server.gql<{ conversations: { edges: unknown[] } }>(LIST, {}, tokens.acmeAgent);
    expect(list.data!.conversations.edges).toEqual([]);
    const one = await server.gql(CONVERSATION, { id: conversationId }, tokens.acmeAgent);
    expect(one.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
    const node = await server.gql<{ node: unknown }>(`query($id: ID!) { node(id: $id) { id } }`, { id: conversationId }, tokens.acmeAgent);
    expect(node.data?.node ?? null).toBeNull();
  });

  it("a malformed id is BAD_USER_INPUT, not a server error", async () => {
    for (const id of ["nonsense", Buffer.from("Conversation:not-a-uuid").toString("base64"), Buffer.from("User:0190a0a0-0000-7000-8000-000000000000").toString("base64")]) {
      const result = await server.gql(CONVERSATION, { id }, tokens.agent);
      expect(result.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    }
  });
});

describe("changing conversations", () => {
  it("an agent assigns a conversation to a colleague, and assignedToMe finds it", async () => {
    const result = await server.gql<{ assignConversation: { assignee: { name: string } } }>(ASSIGN, { c: conversationId, u: await userId(tokens.agent2) }, tokens.agent);
    expect(result.errors).toBeUndefined();
    expect(result.data!.assignConversation.assignee.name).toBe("Carla Agente");
    const mine = await server.gql<{ conversations: { edges: Array<{ node: { id: string } }> } }>(LIST, { mine: true }, tokens.agent2);
    expect(mine.data!.conversations.edges.map((e) => e.node.id)).toEqual([conversationId]);
    const audit = await server.app.runtime.prisma.auditLog.findFirst({ where: { action: "conversation.assigned" } });
    expect(audit).not.toBeNull();
  });

  it("cannot assign to a viewer, nor to another organization's user", async () => {
    const toViewer = await server.gql(ASSIGN, { c: conversationId, u: await userId(tokens.viewer) }, tokens.admin);
    expect(toViewer.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
    const toAcme = await server.gql(ASSIGN, { c: conversationId, u: await userId(tokens.acmeAgent) }, tokens.admin);
    expect(toAcme.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
  });

  it("viewers read but cannot assign, resolve or mark read (FORBIDDEN)", async () => {
    for (const [query, variables] of [
      [ASSIGN, { c: conversationId, u: await userId(tokens.agent) }],
      [RESOLVE, { id: conversationId }],
      [MARK_READ, { id: conversationId }],
    ] as const) {
      const result = await server.gql(query, variables, tokens.viewer);
      expect(result.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    }
    const row = await server.app.runtime.prisma.conversation.findFirstOrThrow({ where: { contact: { name: "Caio" } }, include: { assignee: true } });
    expect(row.assignee?.email).toBe("agent2@demo.test");
    expect(row.status).toBe("OPEN");
  });

  it("another organization cannot assign, resolve or mark read demo's conversation", async () => {
    for (const [query, variables] of [
      [ASSIGN, { c: conversationId, u: await userId(tokens.acmeAgent) }],
      [RESOLVE, { id: conversationId }],
      [MARK_READ, { id: conversationId }],
    ] as const) {
      const result = await server.gql(query, variables, tokens.acmeAdmin);
      expect(result.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
    }
    const row = await server.app.runtime.prisma.conversation.findFirstOrThrow({ where: { contact: { name: "Caio" } } });
    expect(row).toMatchObject({ status: "OPEN", unreadCount: 1 });
  });

  it("marks read, resolves (idempotently), and the customer's next message reopens it", async () => {
    const read = await server.gql<{ markConversationRead: { unreadCount: number } }>(MARK_READ, { id: conversationId }, tokens.agent);
    expect(read.data!.markConversationRead.unreadCount).toBe(0);
    for (let i = 0; i < 2; i++) {
      const resolved = await server.gql<{ resolveConversation: { status: string } }>(RESOLVE, { id: conversationId }, tokens.agent);
      expect(resolved.data!.resolveConversation.status).toBe("RESOLVED");
    }
    expect(await server.app.runtime.prisma.auditLog.count({ where: { action: "conversation.resolved" } })).toBe(1);
    const resolvedList = await server.gql<{ conversations: { edges: Array<{ node: { id: string } }> } }>(LIST, { status: "RESOLVED" }, tokens.agent);
    expect(resolvedList.data!.conversations.edges.map((e) => e.node.id)).toEqual([conversationId]);

    await postWebhook(server.url, inboundWebhook({ text: "Ainda preciso de ajuda", from: "5511900000002" }).body);
    const reopened = await server.gql<{ conversation: { status: string; unreadCount: number; messages: { edges: unknown[] } } }>(CONVERSATION, { id: conversationId }, tokens.agent);
    expect(reopened.data!.conversation).toMatchObject({ status: "OPEN", unreadCount: 1 });
    expect(reopened.data!.conversation.messages.edges).toHaveLength(2);
  });
});
