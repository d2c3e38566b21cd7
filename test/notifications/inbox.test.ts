import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ArchiveNotificationDocument,
  MarkAllNotificationsReadDocument,
  MarkNotificationReadDocument,
  UnreadNotificationCountDocument,
} from "../../src/client/index.js";
import { NodeByIdDocument, NotificationsPageDocument as LIST } from "../generated/operations.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { createUser, gid, openConversation, orgId, raise, receiveMessage } from "./fixtures.js";

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.stop());

/** A fresh agent with three notifications: two new messages and one assignment (newest). */
async function agentWithInbox() {
  const { prisma } = server.app.runtime;
  const agent = await createUser(prisma, "demo", "AGENT");
  const token = await server.token(agent.email);
  const demoId = await orgId(prisma, "demo");
  await receiveMessage(server, await openConversation(prisma, { org: "demo", assignee: agent.email }), "primeira");
  await receiveMessage(server, await openConversation(prisma, { org: "demo", assignee: agent.email }), "segunda");
  const conversation = await openConversation(prisma, { org: "demo", assignee: agent.email });
  await raise(server, { type: "CONVERSATION_ASSIGNED", organizationId: demoId, conversationId: conversation.id, assigneeId: agent.id });
  return { agent, token };
}

describe("the inbox", () => {
  it("lists the caller's notifications newest first, pages them, and filters unread and type", async () => {
    const { token } = await agentWithInbox();
    const all = await server.gql(LIST, {}, token);
    expect(all.data?.notifications.edges.map((e) => e.node.type)).toEqual(["CONVERSATION_ASSIGNED", "NEW_MESSAGE", "NEW_MESSAGE"]);
    expect(all.data?.notifications.edges.map((e) => e.node.body).slice(1)).toEqual(["segunda", "primeira"]);

    const page1 = await server.gql(LIST, { first: 2 }, token);
    expect(page1.data?.notifications.pageInfo.hasNextPage).toBe(true);
    const page2 = await server.gql(LIST, { first: 2, after: page1.data!.notifications.pageInfo.endCursor }, token);
    expect(page2.data?.notifications.edges.map((e) => e.node.body)).toEqual(["primeira"]);

    const messages = await server.gql(LIST, { type: "NEW_MESSAGE" }, token);
    expect(messages.data?.notifications.edges).toHaveLength(2);
    const newest = all.data!.notifications.edges[0]!.node.id;
    await server.gql(MarkNotificationReadDocument, { id: newest }, token);
    const unread = await server.gql(LIST, { unreadOnly: true }, token);
    expect(unread.data?.notifications.edges.map((e) => e.node.type)).toEqual(["NEW_MESSAGE", "NEW_MESSAGE"]);
  });

  it("marks all read once, returning how many, and archives idempotently", async () => {
    const { token } = await agentWithInbox();
    expect((await server.gql(MarkAllNotificationsReadDocument, {}, token)).data?.markAllNotificationsRead).toBe(3);
    expect((await server.gql(MarkAllNotificationsReadDocument, {}, token)).data?.markAllNotificationsRead).toBe(0);
    expect((await server.gql(UnreadNotificationCountDocument, {}, token)).data?.unreadNotificationCount).toBe(0);

    const first = (await server.gql(LIST, {}, token)).data!.notifications.edges[0]!.node.id;
    const once = await server.gql(ArchiveNotificationDocument, { id: first }, token);
    const twice = await server.gql(ArchiveNotificationDocument, { id: first }, token);
    expect(twice.data?.archiveNotification.archivedAt).toBe(once.data?.archiveNotification.archivedAt);
    expect((await server.gql(LIST, {}, token)).data?.notifications.edges.map((e) => e.node.id)).not.toContain(first);
  });

  it("shows another user's or organization's notifications to nobody else", async () => {
    const { token } = await agentWithInbox();
    const own = (await server.gql(LIST, {}, token)).data!.notifications.edges.map((e) => e.node.id);
    for (const email of ["agent@acme.test", "admin@acme.test", "admin@demo.test"]) {
      const other = await server.token(email);
      const list = await server.gql(LIST, {}, other);
      expect(list.data?.notifications.edges.map((e) => e.node.id).filter((id) => own.includes(id))).toEqual([]);
      const node = await server.gql(NodeByIdDocument, { id: own[0]! }, other);
      if (email.endsWith("acme.test")) expect(node.data?.node ?? null).toBeNull();
      const mark = await server.gql(MarkNotificationReadDocument, { id: own[0]! }, other);
      expect(mark.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
      // markAll only ever touches the caller's own.
      await server.gql(MarkAllNotificationsReadDocument, {}, other);
    }
    expect((await server.gql(UnreadNotificationCountDocument, {}, token)).data?.unreadNotificationCount).toBe(3);
  });

  it("answers malformed ids with BAD_USER_INPUT or NOT_FOUND, never a server error", async () => {
    const token = await server.token("agent@demo.test");
    const mutation = MarkNotificationReadDocument;
    const garbage = await server.gql(mutation, { id: "garbage" }, token);
    expect(garbage.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    const wrongType = await server.gql(mutation, { id: gid("Conversation", "0196f6d2-0000-7000-8000-000000000000") }, token);
    expect(wrongType.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    // One id codec (src/schema/global-id.ts): a Notification id with no uuid inside is malformed.
    const notUuid = await server.gql(mutation, { id: gid("Notification", "123") }, token);
    expect(notUuid.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    const missing = await server.gql(mutation, { id: gid("Notification", "0196f6d2-0000-7000-8000-000000000000") }, token);
    expect(missing.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
  });

  it("requires a token", async () => {
    const result = await server.gql(UnreadNotificationCountDocument);
    expect(result.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
  });
});
