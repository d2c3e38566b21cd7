import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UnreadNotificationCountChangedDocument } from "../../src/client/index.js";
import { NotificationAddedDocument as ADDED } from "../generated/operations.js";
import { connect, subscribe, type SocketClient } from "../helpers/ws.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { anchorNotification, createUser, openConversation, receiveMessage } from "./fixtures.js";

const REDIS_URL = process.env.REDIS_URL_FOR_TESTS ?? "redis://127.0.0.1:6379";

let one: TestServer;
let two: TestServer;
const sockets: SocketClient[] = [];

beforeAll(async () => {
  one = await startTestServer({ env: { REDIS_URL } });
  two = await startTestServer({ env: { REDIS_URL }, database: one.database });
});
afterAll(async () => {
  await Promise.all(sockets.map((s) => s.dispose()));
  await two?.stop();
  await one?.stop();
});

// Fresh users: their ids (hence Redis channels) are unique to this test, whatever else shares the Redis server.

describe("two instances over Redis", () => {
  it("delivers to a subscriber on one instance the notification caused on the other", async () => {
    const { prisma } = one.app.runtime;
    const agent = await createUser(prisma, "demo", "AGENT");
    const socket = connect(one.wsUrl, `Bearer ${await one.token(agent.email)}`);
    sockets.push(socket);
    await socket.connected;
    const added = subscribe(socket, ADDED, { after: await anchorNotification(prisma, agent.email) });
    const counts = subscribe(socket, UnreadNotificationCountChangedDocument);
    const before = (await counts.next()).data!.unreadNotificationCountChanged;

    // The first event may be replayed from the backlog; the second can only come live, through Redis.
    const conversation = await openConversation(prisma, { org: "demo", assignee: agent.email });
    await receiveMessage(two, conversation, "via instance two");
    expect((await added.next()).data!.notificationAdded.body).toBe("via instance two");
    const other = await openConversation(prisma, { org: "demo", assignee: agent.email });
    await receiveMessage(two, other, "live through redis");
    expect((await added.next()).data!.notificationAdded.body).toBe("live through redis");
    expect((await counts.next()).data!.unreadNotificationCountChanged).toBe(before + 1);
    expect((await counts.next()).data!.unreadNotificationCountChanged).toBe(before + 2);
  });

  it("keeps other organizations' subscribers deaf across instances", async () => {
    const { prisma } = one.app.runtime;
    const acmeAgent = await createUser(prisma, "acme", "AGENT");
    const socket = connect(one.wsUrl, `Bearer ${await one.token(acmeAgent.email)}`);
    sockets.push(socket);
    await socket.connected;
    const added = subscribe(socket, ADDED, { after: await anchorNotification(prisma, acmeAgent.email) });
    await receiveMessage(two, await openConversation(prisma, { org: "demo", assignee: null, queueId: null }), "for demo agents");
    await receiveMessage(two, await openConversation(prisma, { org: "acme", assignee: acmeAgent.email }), "for acme");
    expect((await added.next()).data!.notificationAdded.body).toBe("for acme");
    expect(added.pending()).toEqual([]);
  });
});
