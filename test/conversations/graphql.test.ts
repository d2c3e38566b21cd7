import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MarkConversationReadDocument as MARK_READ } from "../../src/client/index.js";
import {
  AssignConversationDocument as ASSIGN,
  ConversationDetailDocument as CONVERSATION,
  ConversationsPageDocument as LIST,
  MyIdDocument as ME,
  NodeByIdDocument,
  ResolveConversationDocument as RESOLVE,
} from "../generated/operations.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { inboundWebhook, postWebhook } from "../helpers/meta.js";

let server: TestServer;
let tokens: Record<"agent" | "agent2" | "viewer" | "admin" | "acmeAgent" | "acmeAdmin", string>;
let conversationId: string;

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
  const list = await server.gql(LIST, {}, tokens.agent);
  conversationId = list.data!.conversations.edges.find((e) => e.node.contact.name === "Caio")!.node.id;
});
afterAll(() => server?.stop());

const userId = async (token: string) => (await server.gql(ME, {}, token)).data!.me.id;

describe("reading conversations", () => {
  it("lists the organization's conversations newest first, as a relay connection", async () => {
    const page1 = await server.gql(LIST, {}, tokens.viewer);
    expect(page1.errors).toBeUndefined();
    expect(page1.data!.conversations.edges.map((e) => e.node.contact.name)).toEqual(["Caio", "Beto"]);
    expect(page1.data!.conversations.pageInfo.hasNextPage).toBe(true);
    const page2 = await server.gql(LIST, { after: page1.data!.conversations.pageInfo.endCursor }, tokens.viewer);
    expect(page2.data!.conversations.edges.map((e) => e.node.contact.name)).toEqual(["Ana"]);
  });

  it("shows a conversation with its contact and messages", async () => {
    const result = await server.gql(CONVERSATION, { id: conversationId }, tokens.viewer);
    expect(result.errors).toBeUndefined();
    expect(result.data!.conversation!.contact).toMatchObject({ name: "Caio", phone: "+5511900000002" });
    expect(result.data!.conversation!.unreadCount).toBe(1);
    expect(result.data!.conversation!.messages.edges.map((e) => e.node)).toMatchObject([{ text: "Oi, sou Caio", direction: "INBOUND", type: "TEXT" }]);
  });

  it("another organization sees none of it: empty list, NOT_FOUND by id", async () => {
    const list = await server.gql(LIST, {}, tokens.acmeAgent);
    expect(list.data!.conversations.edges).toEqual([]);
    const one = await server.gql(CONVERSATION, { id: conversationId }, tokens.acmeAgent);
    expect(one.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
    const node = await server.gql(NodeByIdDocument, { id: conversationId }, tokens.acmeAgent);
    expect(node.data?.node ?? null).toBeNull();
  });

  it("a malformed id is BAD_USER_INPUT, not a server error", async () => {
    for (const id of [
      "nonsense",
      Buffer.from("Conversation:not-a-uuid").toString("base64"),
      Buffer.from("User:0190a0a0-0000-7000-8000-000000000000").toString("base64"),
    ]) {
      const result = await server.gql(CONVERSATION, { id }, tokens.agent);
      expect(result.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    }
  });
});

describe("changing conversations", () => {
  it("an agent assigns a conversation to a colleague, and assignedToMe finds it", async () => {
    const result = await server.gql(ASSIGN, { c: conversationId, u: await userId(tokens.agent2) }, tokens.agent);
    expect(result.errors).toBeUndefined();
    // Agents see teammates' names, not their emails (admins only).
    expect(result.data!.assignConversation.assignee).toEqual({ name: "Carla Agente", email: null });
    const mine = await server.gql(LIST, { mine: true }, tokens.agent2);
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
    const u = await userId(tokens.agent);
    for (const attempt of [
      () => server.gql(ASSIGN, { c: conversationId, u }, tokens.viewer),
      () => server.gql(RESOLVE, { id: conversationId }, tokens.viewer),
      () => server.gql(MARK_READ, { id: conversationId }, tokens.viewer),
    ]) {
      const result = await attempt();
      expect(result.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    }
    const row = await server.app.runtime.prisma.conversation.findFirstOrThrow({ where: { contact: { name: "Caio" } }, include: { assignee: true } });
    expect(row.assignee?.email).toBe("agent2@demo.test");
    expect(row.status).toBe("OPEN");
  });

  it("another organization cannot assign, resolve or mark read demo's conversation", async () => {
    const u = await userId(tokens.acmeAgent);
    for (const attempt of [
      () => server.gql(ASSIGN, { c: conversationId, u }, tokens.acmeAdmin),
      () => server.gql(RESOLVE, { id: conversationId }, tokens.acmeAdmin),
      () => server.gql(MARK_READ, { id: conversationId }, tokens.acmeAdmin),
    ]) {
      const result = await attempt();
      expect(result.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
    }
    const row = await server.app.runtime.prisma.conversation.findFirstOrThrow({ where: { contact: { name: "Caio" } } });
    expect(row).toMatchObject({ status: "OPEN", unreadCount: 1 });
  });

  it("marks read, resolves (idempotently), and the customer's next message reopens it", async () => {
    const read = await server.gql(MARK_READ, { id: conversationId }, tokens.agent);
    expect(read.data!.markConversationRead.unreadCount).toBe(0);
    for (let i = 0; i < 2; i++) {
      const resolved = await server.gql(RESOLVE, { id: conversationId }, tokens.agent);
      expect(resolved.data!.resolveConversation.status).toBe("RESOLVED");
    }
    expect(await server.app.runtime.prisma.auditLog.count({ where: { action: "conversation.resolved" } })).toBe(1);
    const resolvedList = await server.gql(LIST, { status: "RESOLVED" }, tokens.agent);
    expect(resolvedList.data!.conversations.edges.map((e) => e.node.id)).toEqual([conversationId]);

    await postWebhook(server.url, inboundWebhook({ text: "Ainda preciso de ajuda", from: "5511900000002" }).body);
    const reopened = await server.gql(CONVERSATION, { id: conversationId }, tokens.agent);
    expect(reopened.data!.conversation).toMatchObject({ status: "OPEN", unreadCount: 1 });
    expect(reopened.data!.conversation!.messages.edges).toHaveLength(2);
  });
});
