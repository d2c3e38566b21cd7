import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ArchiveNotificationDocument,
  MarkNotificationReadDocument,
  UnreadNotificationCountChangedDocument as COUNT,
  UnreadNotificationCountDocument,
} from "../../src/client/index.js";
import { NotificationAddedDocument as ADDED } from "../generated/operations.js";
import { connect, subscribe, type SocketClient } from "../helpers/ws.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { anchorNotification, gid, openConversation, raise, receiveMessage } from "./fixtures.js";

let server: TestServer;
const sockets: SocketClient[] = [];

beforeAll(async () => {
  server = await startTestServer({ env: { NOTIFY_NEW_MESSAGE_ENABLED: "true" } });
});
afterAll(async () => {
  await Promise.all(sockets.map((s) => s.dispose()));
  await server?.stop();
});

async function socketFor(email: string) {
  const socket = connect(server.wsUrl, `Bearer ${await server.token(email)}`);
  sockets.push(socket);
  await socket.connected;
  return socket;
}

describe("an agent's realtime inbox", () => {
  it("receives notificationAdded for a new customer message, sees the count move, and reads it idempotently", async () => {
    const { prisma } = server.app.runtime;
    const socket = await socketFor("agent@demo.test");
    const added = subscribe(socket, ADDED, { after: await anchorNotification(prisma, "agent@demo.test") });
    const counts = subscribe(socket, COUNT);
    expect((await counts.next()).data?.unreadNotificationCountChanged).toBe(0);

    const conversation = await openConversation(prisma, { org: "demo", assignee: "agent@demo.test", contactName: "Maria Souza" });
    await receiveMessage(server, conversation, "Bom dia!\nQuero saber do meu pedido");

    const event = (await added.next()).data!.notificationAdded;
    expect(event).toMatchObject({
      type: "NEW_MESSAGE",
      title: "Nova mensagem de Maria Souza",
      body: "Bom dia! Quero saber do meu pedido",
      count: 1,
      conversation: { number: conversation.number },
    });
    expect((await counts.next()).data?.unreadNotificationCountChanged).toBe(1);

    const token = await server.token("agent@demo.test");
    expect((await server.gql(UnreadNotificationCountDocument, {}, token)).data?.unreadNotificationCount).toBe(1);
    const read = MarkNotificationReadDocument;
    const first = await server.gql(read, { id: event.id }, token);
    expect(first.errors).toBeUndefined();
    expect((await counts.next()).data?.unreadNotificationCountChanged).toBe(0);
    const again = await server.gql(read, { id: event.id }, token);
    expect(again.data?.markNotificationRead.readAt).toBe(first.data?.markNotificationRead.readAt);
    expect((await server.gql(UnreadNotificationCountDocument, {}, token)).data?.unreadNotificationCount).toBe(0);
    // Reading twice published nothing new.
    expect(counts.pending()).toEqual([]);

    // Another organization's token cannot touch it.
    const acme = await server.token("agent@acme.test");
    for (const result of [await server.gql(read, { id: event.id }, acme), await server.gql(ArchiveNotificationDocument, { id: event.id }, acme)]) {
      expect(result.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
    }
    // Nor can a colleague of the same organization.
    const colleague = await server.gql(read, { id: event.id }, await server.token("agent2@demo.test"));
    expect(colleague.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
  });

  it("sends a coalesced notification again, with its new count", async () => {
    const { prisma } = server.app.runtime;
    const socket = await socketFor("agent2@demo.test");
    const added = subscribe(socket, ADDED, { after: await anchorNotification(prisma, "agent2@demo.test") });
    const conversation = await openConversation(prisma, { org: "demo", assignee: "agent2@demo.test", contactName: "João" });
    await receiveMessage(server, conversation, "primeira");
    const first = (await added.next()).data!.notificationAdded;
    await receiveMessage(server, conversation, null, "IMAGE");
    const second = (await added.next()).data!.notificationAdded;
    expect(second.id).toBe(first.id);
    expect(second).toMatchObject({ count: 2, title: "2 novas mensagens de João", body: "[Imagem]" });
  });

  it("never tells a subscriber of one organization about another organization's events", async () => {
    const { prisma } = server.app.runtime;
    const acmeAgent = await socketFor("agent@acme.test");
    const acmeAdmin = await socketFor("admin@acme.test");
    const agentAdded = subscribe(acmeAgent, ADDED, { after: await anchorNotification(prisma, "agent@acme.test") });
    const adminAdded = subscribe(acmeAdmin, ADDED, { after: await anchorNotification(prisma, "admin@acme.test") });
    const agentCounts = subscribe(acmeAgent, COUNT);
    const initialCount = (await agentCounts.next()).data!.unreadNotificationCountChanged;

    // Demo events of every kind: unassigned (all demo agents), alert (demo admins), campaign.
    const demoId = (await prisma.organization.findUniqueOrThrow({ where: { slug: "demo" } })).id;
    await receiveMessage(server, await openConversation(prisma, { org: "demo", assignee: null, queueId: null }), "demo only");
    const demoAlert = await prisma.alert.create({ data: { organizationId: demoId, title: "Demo down", severity: "HIGH" } });
    await raise(server, { type: "ALERT_CREATED", organizationId: demoId, alertId: demoAlert.id });
    await raise(server, { type: "CAMPAIGN_FAILED", organizationId: demoId, campaignName: "Black Friday", reason: "template rejected" });

    // Then one acme event for each subscriber: it must be the first thing they hear.
    const acmeId = (await prisma.organization.findUniqueOrThrow({ where: { slug: "acme" } })).id;
    await receiveMessage(server, await openConversation(prisma, { org: "acme", assignee: "agent@acme.test" }), "acme message");
    await raise(server, { type: "CAMPAIGN_FAILED", organizationId: acmeId, campaignName: "Launch", reason: "quota" });

    expect((await agentAdded.next()).data!.notificationAdded).toMatchObject({
      type: "NEW_MESSAGE",
      body: "acme message",
      title: expect.stringContaining("New message from"),
    });
    expect((await adminAdded.next()).data!.notificationAdded).toMatchObject({ type: "CAMPAIGN_FAILED", title: "Campaign Launch failed" });
    expect((await agentCounts.next()).data!.unreadNotificationCountChanged).toBe(initialCount + 1);
    expect(agentAdded.pending()).toEqual([]);
    expect(adminAdded.pending()).toEqual([]);
  });

  it("rejects an `after` that is not one of the caller's notifications", async () => {
    const { prisma } = server.app.runtime;
    const socket = await socketFor("agent@acme.test");
    const demoAnchor = await anchorNotification(prisma, "agent@demo.test");
    const foreign = subscribe(socket, ADDED, { after: demoAnchor });
    expect((await foreign.next()).errors?.[0]).toMatchObject({ extensions: { code: "NOT_FOUND" } });
    const malformed = subscribe(socket, ADDED, { after: gid("Notification", "not-a-uuid") });
    expect((await malformed.next()).errors?.[0]).toMatchObject({ extensions: { code: "BAD_USER_INPUT" } });
  });
});
