import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NotificationAddedDocument as ADDED } from "../generated/operations.js";
import { connect, subscribe, type SocketClient } from "../helpers/ws.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { anchorNotification, openConversation, receiveMessage } from "./fixtures.js";

let server: TestServer;
const sockets: SocketClient[] = [];

beforeAll(async () => {
  server = await startTestServer();
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

describe("notificationAdded(after:)", () => {
  it("replays exactly the notifications missed while disconnected, in order, then goes live", async () => {
    const { prisma } = server.app.runtime;
    // Separate conversations, so nothing coalesces.
    const conversations = await Promise.all(Array.from({ length: 5 }, () => openConversation(prisma, { org: "demo", assignee: "agent@demo.test" })));

    const first = await socketFor("agent@demo.test");
    const live = subscribe(first, ADDED, { after: await anchorNotification(prisma, "agent@demo.test") });
    await receiveMessage(server, conversations[0]!, "m1");
    const seen = (await live.next()).data!.notificationAdded;
    expect(seen.body).toBe("m1");
    await first.dispose();
    await first.closed;

    // Missed while away.
    for (const [i, conversation] of conversations.slice(1, 4).entries()) await receiveMessage(server, conversation, `m${i + 2}`);

    const second = await socketFor("agent@demo.test");
    const resumed = subscribe(second, ADDED, { after: seen.id });
    const replayed = [];
    for (let i = 0; i < 3; i++) replayed.push((await resumed.next()).data!.notificationAdded.body);
    expect(replayed).toEqual(["m2", "m3", "m4"]);

    // Then live, with nothing replayed twice.
    await receiveMessage(server, conversations[4]!, "m5");
    expect((await resumed.next()).data!.notificationAdded.body).toBe("m5");
    expect(resumed.pending()).toEqual([]);
  });

  it("replays nothing when nothing was missed, and only the caller's own notifications", async () => {
    const { prisma } = server.app.runtime;
    const anchor = await anchorNotification(prisma, "agent2@demo.test");
    // Another user's notifications after the anchor are not the caller's backlog.
    await receiveMessage(server, await openConversation(prisma, { org: "demo", assignee: "agent@demo.test" }), "not yours");
    const socket = await socketFor("agent2@demo.test");
    const added = subscribe(socket, ADDED, { after: anchor });
    await receiveMessage(server, await openConversation(prisma, { org: "demo", assignee: "agent2@demo.test" }), "yours");
    expect((await added.next()).data!.notificationAdded.body).toBe("yours");
    expect(added.pending()).toEqual([]);
  });

  // Frames run through a compiled execution (src/server/compiled-execution.ts): the
  // subscription's own arguments must still reach its resolver, however they are written.
  it("replays the same with `after` written in the document as with a variable, and refuses a variable of the wrong shape", async () => {
    const { prisma } = server.app.runtime;
    const anchor = await anchorNotification(prisma, "agent2@demo.test");
    await receiveMessage(server, await openConversation(prisma, { org: "demo", assignee: "agent2@demo.test" }), "missed");
    const socket = await socketFor("agent2@demo.test");
    const inline = subscribe(socket, `subscription { notificationAdded(after: ${JSON.stringify(anchor)}) { id body } }`);
    expect(((await inline.next()).data as { notificationAdded: { body: string } }).notificationAdded.body).toBe("missed");

    const malformed = subscribe(socket, "subscription ($after: ID) { notificationAdded(after: $after) { id } }", { after: { not: "an id" } });
    expect((await malformed.next()).errors?.[0]).toMatchObject({ extensions: { code: "BAD_USER_INPUT" } });
  });
});
