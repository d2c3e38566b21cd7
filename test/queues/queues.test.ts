import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AddQueueRosterMemberDocument as ADD,
  CreateQueueRosterDocument as CREATE,
  MoveConversationToQueueNamedDocument as MOVE,
  NodeByIdDocument,
  QueueRostersDocument as QUEUES,
  RemoveQueueRosterMemberDocument as REMOVE,
} from "../generated/operations.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { gid, openConversation, receiveMessage } from "../notifications/fixtures.js";

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.stop());

async function userGid(email: string) {
  return gid("User", (await server.app.runtime.prisma.user.findUniqueOrThrow({ where: { email } })).id);
}

describe("queues", () => {
  it("lists the organization's own queues with their members", async () => {
    const demo = await server.gql(QUEUES, {}, await server.token("admin@demo.test"));
    expect(demo.data?.queues).toEqual([
      { id: expect.any(String), name: "Atendimento", members: [{ email: "agent@demo.test" }, { email: "agent2@demo.test" }] },
    ]);
    // An agent sees their own email only: teammates' are for admins.
    const asAgent = await server.gql(QUEUES, {}, await server.token("agent@demo.test"));
    expect(asAgent.data?.queues[0]?.members).toEqual([{ email: "agent@demo.test" }, { email: null }]);
    const acme = await server.gql(QUEUES, {}, await server.token("admin@acme.test"));
    expect(acme.data?.queues.map((q) => q.name)).toEqual(["Support"]);
  });

  it("lets an org admin create a queue, add and remove members idempotently", async () => {
    const admin = await server.token("admin@demo.test");
    const created = await server.gql(CREATE, { name: "  Vendas " }, admin);
    expect(created.data?.createQueue).toMatchObject({ name: "Vendas", members: [] });
    const queueId = created.data!.createQueue.id;
    const agent = await userGid("agent@demo.test");
    for (let i = 0; i < 2; i++) {
      const added = await server.gql(ADD, { q: queueId, u: agent }, admin);
      expect(added.data?.addQueueMember.members).toEqual([{ email: "agent@demo.test" }]);
    }
    for (let i = 0; i < 2; i++) {
      const removed = await server.gql(REMOVE, { q: queueId, u: agent }, admin);
      expect(removed.data?.removeQueueMember.members).toEqual([]);
    }
    const duplicate = await server.gql(CREATE, { name: "Vendas" }, admin);
    expect(duplicate.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "name" });
    const blank = await server.gql(CREATE, { name: "   " }, admin);
    expect(blank.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "name" });
    const audit = await server.app.runtime.prisma.auditLog.findMany({ where: { entityType: "Queue" }, orderBy: { createdAt: "asc" } });
    expect(audit.map((a) => a.action)).toEqual(["queue.created", "queue.member.added", "queue.member.removed"]);
  });

  it("moves a conversation to another queue, whose agents then hear of its messages", async () => {
    const { prisma } = server.app.runtime;
    const admin = await server.token("admin@demo.test");
    const queue = (await server.gql(CREATE, { name: "Suporte N2" }, admin)).data!.createQueue;
    await server.gql(ADD, { q: queue.id, u: await userGid("agent2@demo.test") }, admin);
    const conversation = await openConversation(prisma, { org: "demo", assignee: null });
    const moved = await server.gql(MOVE, { c: gid("Conversation", conversation.id), q: queue.id }, admin);
    expect(moved.data?.moveConversationToQueue.queue).toEqual({ name: "Suporte N2" });
    const result = await receiveMessage(server, conversation);
    const recipients = await prisma.notification.findMany({ where: { id: { in: result.notificationIds } }, include: { user: true } });
    expect(recipients.map((n) => n.user.email)).toEqual(["agent2@demo.test"]);
  });

  it("is for org admins only", async () => {
    const agent = await server.token("agent@demo.test");
    expect((await server.gql(CREATE, { name: "Nope" }, agent)).errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const queueId = (await server.gql(QUEUES, {}, agent)).data!.queues[0]!.id;
    expect((await server.gql(ADD, { q: queueId, u: await userGid("viewer@demo.test") }, agent)).errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect((await server.gql(QUEUES, {}, await server.token("viewer@demo.test"))).errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });

  it("never lets another organization's admin see or touch a queue, user or conversation", async () => {
    const { prisma } = server.app.runtime;
    const acmeAdmin = await server.token("admin@acme.test");
    const demoQueue = (await server.gql(QUEUES, {}, await server.token("admin@demo.test"))).data!.queues.find((q) => q.name === "Atendimento")!;
    const acmeQueue = (await server.gql(QUEUES, {}, acmeAdmin)).data!.queues[0]!;
    const demoConversation = await openConversation(prisma, { org: "demo", assignee: null });
    const ids = { acmeAgent: await userGid("agent@acme.test"), demoAgent: await userGid("agent@demo.test") };

    const cases = [
      () => server.gql(ADD, { q: demoQueue.id, u: ids.acmeAgent }, acmeAdmin),
      () => server.gql(ADD, { q: acmeQueue.id, u: ids.demoAgent }, acmeAdmin),
      () => server.gql(REMOVE, { q: demoQueue.id, u: ids.demoAgent }, acmeAdmin),
      () => server.gql(MOVE, { c: gid("Conversation", demoConversation.id), q: acmeQueue.id }, acmeAdmin),
      () => server.gql(MOVE, { c: gid("Conversation", demoConversation.id), q: demoQueue.id }, acmeAdmin),
    ];
    for (const mutation of cases) {
      const result = await mutation();
      expect(result.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
    }
    const demoMembers = await prisma.queueMember.count({ where: { queueId: (await prisma.queue.findFirstOrThrow({ where: { name: "Atendimento" } })).id } });
    expect(demoMembers).toBe(2);
    expect((await prisma.conversation.findUniqueOrThrow({ where: { id: demoConversation.id } })).queueId).not.toBe(acmeQueue.id);
    const node = await server.gql(NodeByIdDocument, { id: demoQueue.id }, acmeAdmin);
    expect(node.data?.node ?? null).toBeNull();
  });

  it("answers malformed ids with BAD_USER_INPUT", async () => {
    const result = await server.gql(ADD, { q: "nope", u: "nope" }, await server.token("admin@demo.test"));
    expect(result.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  });
});
