import { encodeGlobalID } from "@pothos/plugin-relay";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signToken } from "../../src/auth/jwt.js";
import { MarkConversationReadDocument } from "../../src/client/index.js";
import {
  ContactDetailDocument,
  ContactsSearchDocument as CONTACTS,
  ConversationIdsPageDocument,
  ConversationMutedUntilDocument,
  ConversationUnreadCountDocument as COUNT,
  ConversationUnreadCountsDocument,
  MarkConversationReadCountDocument,
  MuteConversationDocument as MUTE,
  TeammatesDocument as USERS,
  UpdateContactDocument as UPDATE,
} from "../generated/operations.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { receiveMessage } from "../notifications/fixtures.js";
import { createInboxOrganization } from "./fixtures.js";

let server: TestServer;
let org: Awaited<ReturnType<typeof createInboxOrganization>>;
const tokens: Record<string, string> = {};
let joao: { id: string };
let conversationId: string;

beforeAll(async () => {
  server = await startTestServer();
  const { prisma } = server.app.runtime;
  org = await createInboxOrganization(prisma, "contacts");
  for (const key of ["admin", "agentA", "agentB", "viewer"] as const) tokens[key] = await signToken(server.config, org[key], "1h");
  joao = await prisma.contact.create({
    data: { organizationId: org.organizationId, waId: "5511987654321", phone: "5511987654321", name: "João da Silva", lastMessageAt: new Date() },
  });
  await prisma.contact.create({ data: { organizationId: org.organizationId, waId: "5521911112222", phone: "5521911112222", name: "Maria Souza" } });
  const conversation = await prisma.conversation.create({
    data: {
      organizationId: org.organizationId,
      number: 1,
      contactId: joao.id,
      queueId: org.support.id,
      assigneeId: org.agentA.id,
      lastMessageAt: new Date(),
      awaitingReplySince: new Date("2026-11-29T10:00:00Z"),
    },
  });
  conversationId = conversation.id;
  await prisma.message.create({
    data: { organizationId: org.organizationId, conversationId, direction: "INBOUND", type: "TEXT", text: "Bom dia, quero saber do boleto" },
  });
});
afterAll(() => server?.stop());

const gid = (type: string, id: string) => encodeGlobalID(type, id);

describe("contacts", () => {
  it("finds customers by folded name and by phone digits in any format", async () => {
    for (const search of ["joao", "JOÃO DA", "987654321", "+55 (11) 98765-4321"]) {
      const result = await server.gql(CONTACTS, { s: search }, tokens.viewer);
      expect(
        result.data?.contacts.edges.map((e) => e.node.name),
        search,
      ).toEqual(["João da Silva"]);
    }
    const all = await server.gql(CONTACTS, {}, tokens.viewer);
    expect(all.data?.contacts.edges.map((e) => e.node.name)).toEqual(["João da Silva", "Maria Souza"]);
  });

  it("shows one contact with its conversations, and what the inbox row needs", async () => {
    const result = await server.gql(ContactDetailDocument, { id: gid("Contact", joao.id) }, tokens.viewer);
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({
      contact: {
        name: "João da Silva",
        tags: [],
        notes: null,
        conversations: {
          edges: [
            {
              node: {
                id: gid("Conversation", conversationId),
                unreadCount: 0,
                waitingSince: "2026-11-29T10:00:00.000Z",
                lastMessage: { text: "Bom dia, quero saber do boleto" },
                assignee: { name: "Bruno Agente" },
              },
            },
          ],
        },
      },
    });
    const foreign = await server.gql(ContactDetailDocument, { id: gid("Contact", joao.id) }, await server.token("agent@demo.test"));
    expect(foreign.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
  });

  it("lets agents update name, notes and tags (audited); viewers are read-only", async () => {
    const updated = await server.gql(
      UPDATE,
      { id: gid("Contact", joao.id), input: { name: "João S.", notes: "Cliente VIP", tags: [" vip ", "boleto", "vip"] } },
      tokens.agentB,
    );
    expect(updated.errors).toBeUndefined();
    expect(updated.data).toEqual({ updateContact: { name: "João S.", notes: "Cliente VIP", tags: ["vip", "boleto"] } });
    const partial = await server.gql(UPDATE, { id: gid("Contact", joao.id), input: { notes: null } }, tokens.admin);
    expect(partial.data).toEqual({ updateContact: { name: "João S.", notes: null, tags: ["vip", "boleto"] } });
    const byViewer = await server.gql(UPDATE, { id: gid("Contact", joao.id), input: { name: "X" } }, tokens.viewer);
    expect(byViewer.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const tooMany = await server.gql(UPDATE, { id: gid("Contact", joao.id), input: { tags: Array.from({ length: 21 }, (_, i) => `t${i}`) } }, tokens.agentB);
    expect(tooMany.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "tags" });
    const audit = await server.app.runtime.prisma.auditLog.findMany({ where: { entityType: "Contact", entityId: joao.id }, orderBy: { createdAt: "asc" } });
    expect(audit.map((a) => [a.action, a.actorId, a.data])).toEqual([
      ["contact.updated", org.agentB.id, { fields: ["name", "notes", "tags"] }],
      ["contact.updated", org.admin.id, { fields: ["notes"] }],
    ]);
  });
});

describe("users(...)", () => {
  it("lists teammates for everyone, with emails and phones for admins only", async () => {
    const asAgent = await server.gql(USERS, { role: "AGENT", active: true }, tokens.agentB);
    expect(asAgent.errors).toBeUndefined();
    expect(asAgent.data!.users.edges.map((e) => e.node)).toEqual([
      { name: "Bruno Agente", role: "AGENT", email: null, phone: null, online: false, queues: [{ name: "Atendimento" }] },
      { name: "Célia Agente", role: "AGENT", email: org.agentB.email, phone: null, online: false, queues: [{ name: "Atendimento" }] },
      { name: "Davi Vendas", role: "AGENT", email: null, phone: null, online: false, queues: [{ name: "Vendas" }] },
    ]);
    const asAdmin = await server.gql(USERS, { s: "bruno" }, tokens.admin);
    expect(asAdmin.data!.users.edges.map((e) => e.node)).toEqual([
      { name: "Bruno Agente", role: "AGENT", email: org.agentA.email, phone: "+5511900000002", online: false, queues: [{ name: "Atendimento" }] },
    ]);
    const inactive = await server.gql(USERS, { active: false }, tokens.viewer);
    expect(inactive.data!.users.edges.map((e) => e.node.name)).toEqual(["Fábio Antigo"]);
    // Accents folded; non-admins cannot find people by email.
    expect((await server.gql(USERS, { s: "celia" }, tokens.viewer)).data!.users.edges.map((e) => e.node.name)).toEqual(["Célia Agente"]);
    expect((await server.gql(USERS, { s: org.agentA.email.slice(0, 8) }, tokens.viewer)).data!.users.edges).toEqual([]);
  });
});

describe("muteConversation", () => {
  it("stops NEW_MESSAGE notifications to the muting user until then, shows it, and unmutes", async () => {
    const conversation = { id: conversationId, organizationId: org.organizationId };
    const until = new Date(Date.now() + 3600_000).toISOString();
    const muted = await server.gql(MUTE, { id: gid("Conversation", conversationId), until }, tokens.agentA);
    expect(muted.data).toEqual({ muteConversation: { mutedUntil: until } });
    // Another user does not see the caller's mute.
    const seenByOther = await server.gql(ConversationMutedUntilDocument, { id: gid("Conversation", conversationId) }, tokens.agentB);
    expect(seenByOther.data).toEqual({ conversation: { mutedUntil: null } });

    // The assignee muted it: nobody is told (the mute does not pass it on to the queue).
    const whileMuted = await receiveMessage(server, conversation, "enquanto silenciada");
    expect(whileMuted.notificationIds).toEqual([]);

    const unmuted = await server.gql(MUTE, { id: gid("Conversation", conversationId), until: null }, tokens.agentA);
    expect(unmuted.data).toEqual({ muteConversation: { mutedUntil: null } });
    const afterUnmute = await receiveMessage(server, conversation, "depois");
    const again = await server.app.runtime.prisma.notification.findMany({ where: { id: { in: afterUnmute.notificationIds } }, select: { userId: true } });
    expect(again.map((r) => r.userId)).toEqual([org.agentA.id]);

    const tooFar = await server.gql(MUTE, { id: gid("Conversation", conversationId), until: "2099-01-01T00:00:00Z" }, tokens.agentA);
    expect(tooFar.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "until" });
  });
});

describe("search documents", () => {
  it("stop matching a message once its text is erased or it is deleted", async () => {
    const { prisma } = server.app.runtime;
    const ids = async (search: string) =>
      ((await server.gql(ConversationIdsPageDocument, { search, first: 5 }, tokens.viewer)).data?.conversations.edges ?? []).map((e) => e.node.id);
    const secret = await prisma.message.create({
      data: { organizationId: org.organizationId, conversationId, direction: "INBOUND", type: "TEXT", text: "meu cartão termina em zabumba" },
    });
    const other = await prisma.message.create({
      data: { organizationId: org.organizationId, conversationId, direction: "INBOUND", type: "TEXT", text: "xilofone" },
    });
    expect(await ids("zabumba")).toEqual([gid("Conversation", conversationId)]);
    await prisma.message.update({ where: { id: secret.id }, data: { text: null } });
    expect(await ids("zabumba")).toEqual([]);
    expect(await ids("xilofone")).toEqual([gid("Conversation", conversationId)]);
    await prisma.message.delete({ where: { id: other.id } });
    expect(await ids("xilofone")).toEqual([]);
    // The rest of the conversation still matches.
    expect(await ids("boleto")).toEqual([gid("Conversation", conversationId)]);
  });
});

describe("unreadCount", () => {
  it("counts, for each agent, the customer's messages after their own last read", async () => {
    const { prisma } = server.app.runtime;
    const contact = await prisma.contact.create({ data: { organizationId: org.organizationId, phone: "5511955554444", name: "Leitura" } });
    const conversation = await prisma.conversation.create({
      data: { organizationId: org.organizationId, number: 77, contactId: contact.id, unreadCount: 2, lastMessageAt: new Date() },
    });
    const inbound = (text: string) =>
      prisma.message.create({ data: { organizationId: org.organizationId, conversationId: conversation.id, direction: "INBOUND", type: "TEXT", text } });
    await inbound("um");
    await inbound("dois");
    const countFor = async (token: string | undefined) =>
      (await server.gql(COUNT, { id: gid("Conversation", conversation.id) }, token!)).data?.conversation.unreadCount;
    // Nobody read it yet: everyone sees the team's count.
    expect(await countFor(tokens.agentA)).toBe(2);
    const read = await server.gql(MarkConversationReadCountDocument, { id: gid("Conversation", conversation.id) }, tokens.agentA);
    expect(read.data).toEqual({ markConversationRead: { unreadCount: 0 } });
    await new Promise((resolve) => setTimeout(resolve, 5));
    await inbound("três");
    await prisma.conversation.update({ where: { id: conversation.id }, data: { unreadCount: { increment: 1 } } });
    // agentA read before "três"; agentB never read: the team's count, reset by agentA's read, then one more.
    expect(await countFor(tokens.agentA)).toBe(1);
    expect(await countFor(tokens.agentB)).toBe(1);
    await server.gql(MarkConversationReadDocument, { id: gid("Conversation", conversation.id) }, tokens.agentB);
    await new Promise((resolve) => setTimeout(resolve, 5));
    await inbound("quatro");
    expect(await countFor(tokens.agentA)).toBe(2);
    expect(await countFor(tokens.agentB)).toBe(1);
    // A list asks once for the page.
    const list = await server.gql(ConversationUnreadCountsDocument, {}, tokens.agentA);
    expect(list.data!.conversations.edges.find((e) => e.node.id === gid("Conversation", conversation.id))?.node.unreadCount).toBe(2);
  });
});
