import { encodeGlobalID } from "@pothos/plugin-relay";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signToken } from "../../src/auth/jwt.js";
import { PresenceChangedDocument, TeammatesOnlineDocument } from "../generated/operations.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { processEnv, spawnAviso, type AvisoProcess } from "../helpers/process.js";
import { connect, subscribe, type SocketClient } from "../helpers/ws.js";
import { createInboxOrganization } from "./fixtures.js";

const REDIS_URL = process.env.REDIS_URL_FOR_TESTS ?? "redis://127.0.0.1:6379";

let one: TestServer;
let two: TestServer;
let alone: TestServer;
const sockets: SocketClient[] = [];
const spawned: AvisoProcess[] = [];

beforeAll(async () => {
  one = await startTestServer({ env: { REDIS_URL } });
  two = await startTestServer({ env: { REDIS_URL }, database: one.database });
  alone = await startTestServer();
});
afterAll(async () => {
  await Promise.all(sockets.map((s) => s.dispose()));
  await Promise.all(spawned.map((p) => p.kill()));
  await two?.stop();
  await one?.stop();
  await alone?.stop();
});

function open(server: TestServer, token: string) {
  const socket = connect(server.wsUrl, `Bearer ${token}`);
  sockets.push(socket);
  return socket;
}

/**
 * Subscribes the observer to presenceChanged and proves it live: a probe user's socket
 * opens and closes, and both frames arrive. Then only what the test does follows.
 */
async function liveChanges(observer: SocketClient, server: TestServer, probeToken: string, probeName: string) {
  const changes = subscribe(observer, PresenceChangedDocument);
  // A probe socket opened before the subscription is live would be missed: open one after a moment.
  await new Promise((resolve) => setTimeout(resolve, 200));
  const probe = open(server, probeToken);
  await probe.connected;
  // The observer's own arrival may be published after its subscription went live: skip it.
  const until = async (online: boolean) => {
    for (;;) {
      const change = (await changes.next(10_000)).data!.presenceChanged;
      if (change.name === probeName && change.online === online) return;
    }
  };
  await until(true);
  await probe.dispose();
  await until(false);
  return changes;
}

async function onlineOf(server: TestServer, token: string, name: string): Promise<boolean> {
  const result = await server.gql(TeammatesOnlineDocument, { search: name }, token);
  expect(result.errors).toBeUndefined();
  return result.data!.users.edges.find((e) => e.node.name === name)!.node.online;
}

describe("presence", () => {
  it("turns on at connect and off at disconnect, across two instances sharing Redis", async () => {
    // A fresh organization: its topic and users are this test's alone, whatever else shares Redis.
    const org = await createInboxOrganization(one.app.runtime.prisma, "presence");
    const observerToken = await signToken(one.config, org.admin, "1h");
    const agentToken = await signToken(two.config, org.agentA, "1h");
    const observer = open(one, observerToken);
    await observer.connected;
    const changes = await liveChanges(observer, two, await signToken(two.config, org.viewer, "1h"), "Eva Leitora");
    expect(await onlineOf(one, observerToken, "Ana Admin")).toBe(true);
    expect(await onlineOf(two, observerToken, "Bruno Agente")).toBe(false);

    const agentOnTwo = open(two, agentToken);
    await agentOnTwo.connected;
    expect((await changes.next(10_000)).data!.presenceChanged).toEqual({ id: encodeGlobalID("User", org.agentA.id), name: "Bruno Agente", online: true });
    expect(await onlineOf(one, observerToken, "Bruno Agente")).toBe(true);

    // A second socket of the same user, on the other instance: still one presence, no new event.
    const agentOnOne = open(one, agentToken);
    await agentOnOne.connected;
    await agentOnTwo.dispose();
    expect(await onlineOf(one, observerToken, "Bruno Agente")).toBe(true);
    await agentOnOne.dispose();
    expect((await changes.next(10_000)).data!.presenceChanged).toEqual({ id: encodeGlobalID("User", org.agentA.id), name: "Bruno Agente", online: false });
    expect(await onlineOf(two, observerToken, "Bruno Agente")).toBe(false);
    expect(changes.pending()).toEqual([]);
  }, 30_000);

  it("works in-process without Redis", async () => {
    const org = await createInboxOrganization(alone.app.runtime.prisma, "presence-local");
    const observerToken = await signToken(alone.config, org.admin, "1h");
    const observer = open(alone, observerToken);
    await observer.connected;
    const changes = await liveChanges(observer, alone, await signToken(alone.config, org.viewer, "1h"), "Eva Leitora");
    expect(await onlineOf(alone, observerToken, "Ana Admin")).toBe(true);
    const agent = open(alone, await signToken(alone.config, org.agentB, "1h"));
    await agent.connected;
    expect((await changes.next(10_000)).data!.presenceChanged).toMatchObject({ name: "Célia Agente", online: true });
    await agent.dispose();
    expect((await changes.next(10_000)).data!.presenceChanged).toMatchObject({ name: "Célia Agente", online: false });
  }, 30_000);

  it("never tells one organization about another's users", async () => {
    const org = await createInboxOrganization(one.app.runtime.prisma, "presence-a");
    const other = await createInboxOrganization(one.app.runtime.prisma, "presence-b");
    const observer = open(one, await signToken(one.config, org.admin, "1h"));
    await observer.connected;
    const changes = await liveChanges(observer, one, await signToken(one.config, org.viewer, "1h"), "Eva Leitora");
    const foreign = open(two, await signToken(two.config, other.agentA, "1h"));
    await foreign.connected;
    const own = open(two, await signToken(two.config, org.agentC, "1h"));
    await own.connected;
    expect((await changes.next(10_000)).data!.presenceChanged).toMatchObject({ name: "Davi Vendas", online: true });
    expect(changes.pending()).toEqual([]);
  }, 30_000);

  it("stops counting a crashed instance's sockets within a minute, and says so", async () => {
    const org = await createInboxOrganization(one.app.runtime.prisma, "presence-crash");
    const observerToken = await signToken(one.config, org.admin, "1h");
    const observer = open(one, observerToken);
    await observer.connected;
    const changes = await liveChanges(observer, one, await signToken(one.config, org.viewer, "1h"), "Eva Leitora");
    const doomed = await spawnAviso("serve", processEnv(one.database.url, "presence-crash", { REDIS_URL }));
    spawned.push(doomed);
    const agent = open({ wsUrl: doomed.wsUrl } as TestServer, await signToken(one.config, org.agentA, "1h"));
    await agent.connected;
    expect((await changes.next(10_000)).data!.presenceChanged).toMatchObject({ name: "Bruno Agente", online: true });
    // SIGKILL: no close frames, no cleanup — only the claim's expiry can end it.
    await doomed.kill();
    // Within a minute: the claim lapses after PRESENCE_TTL_MS, a survivor's sweep (every HEARTBEAT_MS) says so.
    expect((await changes.next(60_000)).data!.presenceChanged).toMatchObject({ name: "Bruno Agente", online: false });
    expect(await onlineOf(one, observerToken, "Bruno Agente")).toBe(false);
  }, 120_000);
});
