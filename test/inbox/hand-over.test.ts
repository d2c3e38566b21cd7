import { encodeGlobalID } from "@pothos/plugin-relay";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signToken } from "../../src/auth/jwt.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { connect, subscribe, type SocketClient, type Subscription } from "../helpers/ws.js";
import { createInboxOrganization } from "./fixtures.js";

let server: TestServer;
let org: Awaited<ReturnType<typeof createInboxOrganization>>;
const tokens: Record<string, string> = {};
const sockets: SocketClient[] = [];
type Frame = { conversationUpdated: { id: string; assignee: { name: string } | null; queue: { name: string } | null } };
let updates: Subscription<{ data?: Frame; errors?: unknown[] } & Record<string, unknown>>;

beforeAll(async () => {
  server = await startTestServer();
  org = await createInboxOrganization(server.app.runtime.prisma, "handover");
  for (const key of ["admin", "agentA", "agentB", "agentC", "viewer"] as const) tokens[key] = await signToken(server.config, org[key], "1h");
  const socket = connect(server.wsUrl, `Bearer ${tokens.viewer}`);
  sockets.push(socket);
  await socket.connected;
  updates = subscribe<Frame>(socket, "subscription { conversationUpdated { id assignee { name } queue { name } } }") as typeof updates;
});
afterAll(async () => {
  await Promise.all(sockets.map((s) => s.dispose()));
  await server?.stop();
});

const gid = (type: string, id: string) => encodeGlobalID(type, id);
const ASSIGN = "mutation($c: ID!, $u: ID) { assignConversation(conversationId: $c, userId: $u) { id assignee { name } queue { name } } }";
const MOVE =
  "mutation($c: ID!, $q: ID!, $u: ID) { moveConversationToQueue(conversationId: $c, queueId: $q, assigneeId: $u) { id assignee { name } queue { name } } }";

async function conversationOf(assigneeId: string | null, queueId: string | null) {
  const { prisma } = server.app.runtime;
  const contact = await prisma.contact.create({
    data: { organizationId: org.organizationId, phone: `55119${Math.floor(Math.random() * 1e8)}`, name: "Cliente Transferência" },
  });
  const { conversationSeq } = await prisma.organization.update({ where: { id: org.organizationId }, data: { conversationSeq: { increment: 1 } } });
  return prisma.conversation.create({
    data: { organizationId: org.organizationId, number: conversationSeq, contactId: contact.id, assigneeId, queueId, lastMessageAt: new Date() },
  });
}

/** The CONVERSATION_ASSIGNED notifications of one conversation, per recipient name, in order. */
async function notified(conversationId: string): Promise<Array<[string, string]>> {
  const rows = await server.app.runtime.prisma.notification.findMany({
    where: { conversationId, type: "CONVERSATION_ASSIGNED" },
    orderBy: { seq: "asc" },
    include: { user: true },
  });
  return rows.map((n) => [n.user.name, n.title]);
}

async function audits(conversationId: string) {
  const rows = await server.app.runtime.prisma.auditLog.findMany({
    where: { entityType: "Conversation", entityId: conversationId },
    orderBy: { createdAt: "asc" },
  });
  return rows.map((r) => ({ action: r.action, actorId: r.actorId, data: r.data }));
}

/** The next conversationUpdated frame for this conversation (other tests' frames skipped). */
async function nextFrame(conversationId: string) {
  for (;;) {
    const frame = await updates.next(10_000);
    const data = frame.data!.conversationUpdated;
    if (data.id === gid("Conversation", conversationId)) return data;
  }
}

describe("hand-over", () => {
  it("unassigns: the previous assignee is told, the row audited, the frame shows nobody", async () => {
    const conversation = await conversationOf(org.agentA.id, org.support.id);
    const result = await server.gql(ASSIGN, { c: gid("Conversation", conversation.id), u: null }, tokens.admin);
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({ assignConversation: { id: gid("Conversation", conversation.id), assignee: null, queue: { name: "Atendimento" } } });
    expect(await notified(conversation.id)).toEqual([["Bruno Agente", `Conversa #${conversation.number} não está mais com você`]]);
    expect(await audits(conversation.id)).toEqual([
      { action: "conversation.unassigned", actorId: org.admin.id, data: { from: org.agentA.id, to: null, fromQueue: org.support.id, toQueue: org.support.id } },
    ]);
    expect(await nextFrame(conversation.id)).toMatchObject({ assignee: null, queue: { name: "Atendimento" } });
  });

  it("re-assigns to a teammate: the new assignee and the previous one are told, not the actor", async () => {
    const conversation = await conversationOf(org.agentA.id, org.support.id);
    const result = await server.gql(ASSIGN, { c: gid("Conversation", conversation.id), u: gid("User", org.agentB.id) }, tokens.agentA);
    expect(result.errors).toBeUndefined();
    // agentA handed it over themselves: only agentB hears of it.
    expect(await notified(conversation.id)).toEqual([["Célia Agente", `Conversa #${conversation.number} atribuída a você`]]);
    const again = await server.gql(ASSIGN, { c: gid("Conversation", conversation.id), u: gid("User", org.agentA.id) }, tokens.admin);
    expect(again.errors).toBeUndefined();
    expect(await notified(conversation.id)).toEqual([
      ["Célia Agente", `Conversa #${conversation.number} atribuída a você`],
      ["Bruno Agente", `Conversa #${conversation.number} atribuída a você`],
      ["Célia Agente", `Conversa #${conversation.number} não está mais com você`],
    ]);
    expect((await audits(conversation.id)).map((a) => [a.action, a.actorId])).toEqual([
      ["conversation.assigned", org.agentA.id],
      ["conversation.assigned", org.admin.id],
    ]);
    expect(await nextFrame(conversation.id)).toMatchObject({ assignee: { name: "Célia Agente" } });
    expect(await nextFrame(conversation.id)).toMatchObject({ assignee: { name: "Bruno Agente" } });
  });

  it("transfers to a queue: the previous assignee and the queue's agents are told; it waits unassigned there", async () => {
    const conversation = await conversationOf(org.agentA.id, org.support.id);
    const result = await server.gql(MOVE, { c: gid("Conversation", conversation.id), q: gid("Queue", org.sales.id), u: null }, tokens.admin);
    expect(result.errors).toBeUndefined();
    expect(result.data).toMatchObject({ moveConversationToQueue: { assignee: null, queue: { name: "Vendas" } } });
    expect(await notified(conversation.id)).toEqual([
      ["Bruno Agente", `Conversa #${conversation.number} não está mais com você`],
      ["Davi Vendas", `Conversa #${conversation.number} transferida para sua fila`],
    ]);
    expect(await audits(conversation.id)).toEqual([
      { action: "conversation.transferred", actorId: org.admin.id, data: { from: org.agentA.id, to: null, fromQueue: org.support.id, toQueue: org.sales.id } },
    ]);
    expect(await nextFrame(conversation.id)).toMatchObject({ assignee: null, queue: { name: "Vendas" } });
  });

  it("transfers to a teammate of a queue the agent belongs to", async () => {
    const conversation = await conversationOf(org.agentC.id, org.sales.id);
    const result = await server.gql(
      MOVE,
      { c: gid("Conversation", conversation.id), q: gid("Queue", org.support.id), u: gid("User", org.agentB.id) },
      tokens.agentA,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data).toMatchObject({ moveConversationToQueue: { assignee: { name: "Célia Agente" }, queue: { name: "Atendimento" } } });
    expect(await notified(conversation.id)).toEqual([
      ["Célia Agente", `Conversa #${conversation.number} atribuída a você`],
      ["Davi Vendas", `Conversa #${conversation.number} não está mais com você`],
    ]);
    expect(await audits(conversation.id)).toEqual([
      {
        action: "conversation.transferred",
        actorId: org.agentA.id,
        data: { from: org.agentC.id, to: org.agentB.id, fromQueue: org.sales.id, toQueue: org.support.id },
      },
    ]);
    expect(await nextFrame(conversation.id)).toMatchObject({ assignee: { name: "Célia Agente" }, queue: { name: "Atendimento" } });
  });

  it("an agent cannot transfer into a queue they are not in, nor to someone outside the queue; nothing changes", async () => {
    const conversation = await conversationOf(org.agentA.id, org.support.id);
    const intoSales = await server.gql(MOVE, { c: gid("Conversation", conversation.id), q: gid("Queue", org.sales.id) }, tokens.agentA);
    expect(intoSales.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const toOutsider = await server.gql(
      MOVE,
      { c: gid("Conversation", conversation.id), q: gid("Queue", org.support.id), u: gid("User", org.agentC.id) },
      tokens.agentB,
    );
    expect(toOutsider.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
    const byViewer = await server.gql(ASSIGN, { c: gid("Conversation", conversation.id), u: null }, tokens.viewer);
    expect(byViewer.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const row = await server.app.runtime.prisma.conversation.findUniqueOrThrow({ where: { id: conversation.id } });
    expect([row.assigneeId, row.queueId]).toEqual([org.agentA.id, org.support.id]);
    expect(await notified(conversation.id)).toEqual([]);
    expect(await audits(conversation.id)).toEqual([]);
  });

  it("a deactivated user cannot be handed a conversation", async () => {
    const conversation = await conversationOf(null, org.support.id);
    const result = await server.gql(ASSIGN, { c: gid("Conversation", conversation.id), u: gid("User", org.retired.id) }, tokens.admin);
    expect(result.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
  });
});
