import { decodeGlobalID } from "@pothos/plugin-relay";
import { v7 as uuidv7 } from "uuid";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inUnitOfWork } from "../../src/db/unit-of-work.js";
import { notify } from "../../src/notifications/engine.js";
import { eventually } from "../helpers/eventually.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { connect, subscribe, type SocketClient } from "../helpers/ws.js";
import { anchorNotification, createUser, openConversation, orgId } from "./fixtures.js";

// Over Redis, so frames travel as they do between instances (JSON on the wire).
const REDIS_URL = process.env.REDIS_URL_FOR_TESTS ?? "redis://127.0.0.1:6379";
const SCALARS = "subscription ($after: ID) { notificationAdded(after: $after) { id title body count createdAt updatedAt readAt } }";
const WITH_RELATIONS = "subscription ($after: ID) { notificationAdded(after: $after) { id body count conversation { id number } } }";

type Frame = { data?: { notificationAdded: { id: string; body: string; title?: string; conversation?: { number: number } } }; errors?: unknown[] };

let server: TestServer;
const sockets: SocketClient[] = [];

beforeAll(async () => {
  server = await startTestServer({ env: { REDIS_URL } });
});
afterAll(async () => {
  await Promise.all(sockets.map((s) => s.dispose()));
  await server?.stop();
});

interface Listener {
  userId: string;
  org: string;
  frames: Array<{ frame: Frame; committed: boolean }>;
}

let committed = false;

/** A new agent of `org` and their connected socket (closed after the file). */
async function agentSocket(org: string) {
  const user = await createUser(server.app.runtime.prisma, org, "AGENT");
  const socket = connect(server.wsUrl, `Bearer ${await server.token(user.email)}`);
  sockets.push(socket);
  await socket.connected;
  return { user, socket };
}

/** A socket for a new agent with both subscription shapes, recording whether each frame came after the held commit. */
async function listen(org: string): Promise<Listener> {
  const { user, socket } = await agentSocket(org);
  const listener: Listener = { userId: user.id, org, frames: [] };
  // From an anchor: whatever comes after it arrives, however late the subscription goes live.
  const after = await anchorNotification(server.app.runtime.prisma, user.email);
  for (const query of [SCALARS, WITH_RELATIONS]) {
    socket.client.subscribe(
      { query, variables: { after } },
      {
        next: (frame) => void listener.frames.push({ frame: frame as Frame, committed }),
        error: (error) => void listener.frames.push({ frame: { errors: [error] }, committed }),
        complete: () => {},
      },
    );
  }
  return listener;
}

const bodies = (listener: Listener) => listener.frames.map((f) => f.frame.data?.notificationAdded.body);

async function newMessage(org: string, text: string) {
  // Nobody assigned, no queue: every active agent of the organization hears it.
  return messageIn(await openConversation(server.app.runtime.prisma, { org, queueId: null }), text);
}

/** A customer's message stored in this conversation, as the NEW_MESSAGE event the engine is handed. */
async function messageIn(conversation: { id: string; organizationId: string }, text: string) {
  const message = await server.app.runtime.prisma.message.create({
    data: { organizationId: conversation.organizationId, conversationId: conversation.id, direction: "INBOUND", type: "TEXT", text },
  });
  return { type: "NEW_MESSAGE" as const, organizationId: conversation.organizationId, conversationId: conversation.id, messageId: message.id };
}

describe("a broadcast notificationAdded", () => {
  it("reaches every agent of its organization only after its commit, and no agent of another organization", async () => {
    const { runtime } = server.app;
    const demo = await Promise.all([listen("demo"), listen("demo"), listen("demo")]);
    const acme = await Promise.all([listen("acme"), listen("acme")]);
    // Every subscription is live once its warm-up frame arrived.
    await notify(runtime, await newMessage("demo", "demo warm-up"));
    await notify(runtime, await newMessage("acme", "acme warm-up"));
    await eventually(() => [...demo, ...acme].every((l) => l.frames.length === 2), { what: "the warm-up frames" });

    // Hold the demo broadcast's transaction open after the engine wrote it.
    let written!: () => void;
    const isWritten = new Promise<void>((resolve) => (written = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const event = await newMessage("demo", "held until commit");
    const held = inUnitOfWork(runtime.prisma, runtime.log, async (unit) => {
      const result = await notify(runtime, event, unit);
      written();
      await released;
      return result;
    });
    await isWritten;

    // Meanwhile acme's broadcast commits and travels the same server and Redis to acme's agents.
    await notify(runtime, await newMessage("acme", "acme while demo is held"));
    await eventually(() => acme.every((l) => bodies(l).filter((b) => b === "acme while demo is held").length === 2), { what: "acme's frames" });
    expect(demo.every((l) => l.frames.length === 2)).toBe(true);

    committed = true;
    release();
    const { notificationIds } = await held;
    await eventually(() => demo.every((l) => bodies(l).filter((b) => b === "held until commit").length === 2), { what: "the held frames after commit" });

    // One more acme broadcast, so anything of demo's that could reach acme would have arrived before it.
    await notify(runtime, await newMessage("acme", "acme last"));
    await eventually(() => acme.every((l) => bodies(l).includes("acme last")), { what: "acme's last frames" });

    for (const listener of [...demo, ...acme]) {
      const frames = listener.frames.map((f) => f.frame);
      expect(frames.every((f) => f.errors === undefined)).toBe(true);
      // No frame of the held notification before its commit.
      for (const { frame, committed: after } of listener.frames) if (frame.data?.notificationAdded.body === "held until commit") expect(after).toBe(true);
      // Every frame shows one of the listener's own notifications, of its own organization.
      const ids = [...new Set(frames.map((f) => decodeGlobalID(f.data!.notificationAdded.id).id))];
      const rows = await runtime.prisma.notification.findMany({ where: { id: { in: ids } }, select: { userId: true, organizationId: true } });
      expect(rows).toHaveLength(ids.length);
      const organizationId = await orgId(runtime.prisma, listener.org);
      expect(rows.every((r) => r.userId === listener.userId && r.organizationId === organizationId)).toBe(true);
    }
    for (const listener of acme) expect(bodies(listener)).not.toContain("held until commit");
    const heldRows = await runtime.prisma.notification.findMany({ where: { id: { in: notificationIds } }, select: { userId: true } });
    for (const listener of demo) expect(heldRows.map((r) => r.userId)).toContain(listener.userId);
    // The frame with relations shows the conversation, read on top of the carried row.
    const relationFrame = demo[0]!.frames.find(
      (f) => f.frame.data?.notificationAdded.body === "held until commit" && f.frame.data.notificationAdded.conversation,
    );
    expect(relationFrame).toBeDefined();
  });

  it("shows the notification as its event carries it, and only to the user it belongs to", async () => {
    const { prisma, pubsub } = server.app.runtime;
    const { user: owner, socket } = await agentSocket("demo");
    const colleague = await createUser(prisma, "demo", "AGENT");
    const added = subscribe<Frame["data"]>(socket, SCALARS, { after: await anchorNotification(prisma, owner.email) });
    // Live once a real notification arrives.
    const conversation = await openConversation(prisma, { org: "demo", assignee: owner.email });
    await notify(server.app.runtime, await messageIn(conversation, "first"));
    expect((await added.next()).data?.notificationAdded.body).toBe("first");

    // An event for a row that is not in the database: a frame of its own columns needs no read.
    const organizationId = await orgId(prisma, "demo");
    const at = Date.UTC(2026, 0, 2, 3, 4, 5, 6);
    const snapshot = (userId: string, title: string) => ({
      id: uuidv7(),
      seq: "1",
      organizationId,
      userId,
      type: "CUSTOM",
      title,
      body: "from the event",
      count: 1,
      conversationId: null,
      alertId: null,
      data: null,
      createdAt: at,
      updatedAt: at,
      readAt: null,
      archivedAt: null,
    });
    const carried = snapshot(owner.id, "carried");
    await pubsub.publish("notificationAdded", owner.id, { notificationId: carried.id, seq: "1", count: 1, notification: carried });
    const frame = (await added.next()).data!.notificationAdded as Record<string, unknown>;
    expect(frame).toMatchObject({ title: "carried", body: "from the event", count: 1, createdAt: new Date(at).toISOString(), readAt: null });
    expect(decodeGlobalID(frame.id as string).id).toBe(carried.id);

    // Someone else's row on this user's topic is refused, not shown.
    const stray = snapshot(colleague.id, "not yours");
    await pubsub.publish("notificationAdded", owner.id, { notificationId: stray.id, seq: "2", count: 1, notification: stray });
    const refused = await added.next();
    expect(refused.data?.notificationAdded).toBeFalsy();
    expect(JSON.stringify(refused.errors)).toContain("NOT_FOUND");
  });

  // The conversation and the alert are read by the row's own keys, once for all the frames about them.
  it("shows the conversation and the alert a carried notification points at, and null for one that is gone", async () => {
    const { prisma, pubsub } = server.app.runtime;
    const { user: owner, socket } = await agentSocket("demo");
    const RELATIONS = "subscription ($after: ID) { notificationAdded(after: $after) { id body conversation { id number } alert { id severity status } } }";
    type Related = {
      notificationAdded: { body: string; conversation: { number: number } | null; alert: { severity: string; status: string } | null };
    };
    const added = subscribe<Related>(socket, RELATIONS, { after: await anchorNotification(prisma, owner.email) });
    // Live once a real notification arrives.
    const conversation = await openConversation(prisma, { org: "demo", assignee: owner.email });
    await notify(server.app.runtime, await messageIn(conversation, "live"));
    expect((await added.next()).data?.notificationAdded).toMatchObject({ body: "live", conversation: { number: conversation.number }, alert: null });

    const alert = await prisma.alert.create({ data: { organizationId: conversation.organizationId, title: "Disk", severity: "HIGH" } });
    const at = Date.now();
    const carried = (conversationId: string | null, alertId: string | null, body: string) => ({
      id: uuidv7(),
      seq: "1",
      organizationId: conversation.organizationId,
      userId: owner.id,
      type: "CUSTOM",
      title: "t",
      body,
      count: 1,
      conversationId,
      alertId,
      data: null,
      createdAt: at,
      updatedAt: at,
      readAt: null,
      archivedAt: null,
    });
    for (const row of [carried(conversation.id, alert.id, "both"), carried(uuidv7(), null, "gone")]) {
      await pubsub.publish("notificationAdded", owner.id, { notificationId: row.id, seq: "1", count: 1, notification: row });
    }
    const both = (await added.next()).data!.notificationAdded;
    expect(both).toMatchObject({ body: "both", conversation: { number: conversation.number }, alert: { severity: "HIGH", status: "OPEN" } });
    expect((await added.next()).data!.notificationAdded).toMatchObject({ body: "gone", conversation: null, alert: null });
  });

  // A frame's query is planned once per subscription (src/notifications/frame-query.ts): two
  // subscriptions of one document on one socket, with different variables, keep their own shapes.
  it("keeps each subscription's own selection, event after event, whatever the other subscriptions of the socket ask for", async () => {
    const { prisma } = server.app.runtime;
    const { user: owner, socket } = await agentSocket("demo");
    const SHAPED = "subscription ($after: ID, $with: Boolean!) { notificationAdded(after: $after) { body conversation @include(if: $with) { number } } }";
    type Shaped = { notificationAdded: { body: string; conversation?: { number: number } } };
    const after = await anchorNotification(prisma, owner.email);
    const withConversation = subscribe<Shaped>(socket, SHAPED, { after, with: true });
    const without = subscribe<Shaped>(socket, SHAPED, { after, with: false });
    const conversation = await openConversation(prisma, { org: "demo", assignee: owner.email });
    for (const text of ["one", "two", "three"]) {
      await notify(server.app.runtime, await messageIn(conversation, text));
      expect((await withConversation.next()).data?.notificationAdded).toEqual({ body: text, conversation: { number: conversation.number } });
      expect((await without.next()).data?.notificationAdded).toEqual({ body: text });
    }
  });
});
