import { encodeGlobalID } from "@pothos/plugin-relay";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signToken } from "../../src/auth/jwt.js";
import { loadConfig } from "../../src/config/index.js";
import { createPrisma, type PrismaClient } from "../../src/db/client.js";
import { NotificationAddedDocument, type NotificationAddedSubscription } from "../generated/operations.js";
import { createTestDatabase, type TestDatabase } from "../helpers/db.js";
import { eventually } from "../helpers/eventually.js";
import { inboundWebhook, postWebhook } from "../helpers/meta.js";
import { total, scrape } from "../helpers/metrics.js";
import { processEnv, spawnTopology, type AvisoProcess } from "../helpers/process.js";
import { startOwnRedis, type OwnRedis } from "../helpers/redis-server.js";
import { TEST_JWT_SECRET } from "../helpers/server.js";
import { connect, subscribe, type SocketClient, type Subscription } from "../helpers/ws.js";

// Redis goes away under two API instances and a worker — our own redis-server, not the
// shared one — and comes back. Redis only carries realtime fan-out: while it is down
// the API answers, says it is degraded, and stores every webhook; once it is back,
// fan-out resumes and what was missed replays from the database with `after`.

const OUTAGE_WEBHOOKS = 5;
const CUSTOMER = "5521977770001";

let database: TestDatabase;
let prisma: PrismaClient;
let redis: OwnRedis;
const processes: AvisoProcess[] = [];
let apiA: AvisoProcess;
let apiB: AvisoProcess;
let worker: AvisoProcess;
const sockets: SocketClient[] = [];
let agentToken: string;
let agentId: string;

beforeAll(async () => {
  database = await createTestDatabase();
  prisma = createPrisma(database.url, 2);
  // One notification per message, so every webhook is a new frame.
  await prisma.organization.update({ where: { slug: "demo" }, data: { coalesceWindowSeconds: 0 } });
  redis = await startOwnRedis();
  const env = processEnv(database.url, "redis-loss", { REDIS_URL: redis.url });
  [apiA, apiB, worker] = await spawnTopology(processes, env);
  const agent = await prisma.user.findUniqueOrThrow({ where: { email: "agent@demo.test" } });
  agentId = agent.id;
  agentToken = await signToken(loadConfig({ NODE_ENV: "test", JWT_SECRET: TEST_JWT_SECRET }), agent, "1h");
}, 120_000);

afterAll(async () => {
  await Promise.allSettled(sockets.map((s) => s.dispose()));
  if (process.env.SHOW_PROCESS_LOGS) for (const p of processes) console.log(`--- ${p.role}\n${p.output()}`);
  await Promise.allSettled(processes.map((p) => p.kill()));
  await redis?.kill();
  await prisma?.$disconnect();
  await database?.drop();
});

type Added = NotificationAddedSubscription;
type AddedFrames = Subscription<{ data?: Added; errors?: unknown[] }>;

async function subscribeOn(api: AvisoProcess, after?: string): Promise<AddedFrames> {
  const socket = connect(api.wsUrl, `Bearer ${agentToken}`);
  sockets.push(socket);
  await socket.connected;
  return subscribe(socket, NotificationAddedDocument, after ? { after } : {});
}

/** A customer message through instance B; resolves with its agent notification's global id once stored. */
async function messageThroughB(text: string): Promise<{ status: number; notificationId?: string }> {
  const { message, body } = inboundWebhook({ from: CUSTOMER, text });
  const response = await postWebhook(apiB.url, body, {});
  if (response.status !== 200) return { status: response.status };
  const stored = await prisma.message.findFirst({ where: { externalId: message.id }, select: { id: true } });
  if (!stored) return { status: response.status };
  const notification = await prisma.notification.findFirst({
    where: { userId: agentId, data: { path: ["messageId"], equals: stored.id } },
    select: { id: true },
  });
  return { status: response.status, notificationId: notification ? encodeGlobalID("Notification", notification.id) : undefined };
}

/** Takes frames until the one for `id` arrives (other frames: earlier notifications). */
async function frameFor(subscription: AddedFrames, id: string, timeoutMs = 10_000): Promise<Added["notificationAdded"]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const frame = (await subscription.next(Math.max(1, deadline - Date.now()))).data?.notificationAdded;
    if (frame?.id === id) return frame;
  }
}

async function readiness(api: AvisoProcess) {
  const response = await fetch(`${api.url}/readyz`);
  return { status: response.status, body: (await response.json()) as { ready: boolean; checks: Record<string, string> } };
}

describe("Redis lost and back under two API instances and a worker", () => {
  it("stays up and stores everything while Redis is down; fan-out resumes and the missed notifications replay", async () => {
    const live = await subscribeOn(apiA);
    await eventually(async () => total(await scrape(apiA.url), "aviso_active_subscriptions") >= 1, { what: "instance A to count the subscription" });
    const before = await messageThroughB("antes da queda");
    expect(before.status).toBe(200);
    expect((await frameFor(live, before.notificationId!)).body).toContain("antes da queda");

    await redis.kill();
    for (const api of [apiA, apiB, worker]) {
      const down = await eventually(
        async () => {
          const r = await readiness(api);
          return r.status === 503 ? r : undefined;
        },
        { what: "readiness to report 503 with Redis down" },
      );
      expect(down.body).toMatchObject({ ready: false, checks: { database: "ok", redis: "down" } });
    }
    // The API answers over HTTP: queries read the database, not Redis.
    const me = await fetch(`${apiA.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${agentToken}` },
      body: JSON.stringify({ query: "{ me { email } }" }),
    });
    expect(await me.json()).toEqual({ data: { me: { email: "agent@demo.test" } } });

    // Webhooks are answered 200 and stored (and notified) while realtime is down.
    const during: string[] = [];
    for (let i = 0; i < OUTAGE_WEBHOOKS; i++) {
      const result = await messageThroughB(`durante a queda ${i}`);
      expect(result.status).toBe(200);
      expect(result.notificationId).toBeDefined();
      during.push(result.notificationId!);
    }
    expect(live.pending().filter((f) => during.includes(f.data?.notificationAdded.id ?? ""))).toEqual([]);

    await redis.start();
    for (const api of [apiA, apiB, worker]) {
      await eventually(async () => (await readiness(api)).status === 200, {
        what: "readiness to report 200 with Redis back",
        timeoutMs: 30_000,
        intervalMs: 250,
      });
    }
    // Fan-out resumes on the socket opened before the outage: B publishes, A delivers.
    const after = await messageThroughB("depois da volta");
    expect(after.status).toBe(200);
    expect((await frameFor(live, after.notificationId!, 15_000)).body).toContain("depois da volta");

    // A client that was offline replays from its last seen notification: the outage's, in order, then the new one.
    const replay = await subscribeOn(apiA, before.notificationId);
    const replayed: string[] = [];
    for (let i = 0; i < OUTAGE_WEBHOOKS + 1; i++) replayed.push((await replay.next(10_000)).data!.notificationAdded.id);
    expect(replayed).toEqual([...during, after.notificationId]);

    // Nothing persisted was lost: 1 + 5 + 1 messages, each with its notification.
    const stored = await prisma.message.count({ where: { conversation: { contact: { waId: CUSTOMER } } } });
    expect(stored).toBe(OUTAGE_WEBHOOKS + 2);
    console.log(
      JSON.stringify({
        redisLoss: { apiInstances: 2, workers: 1, redisKills: 1, webhooksDuringOutage: OUTAGE_WEBHOOKS, stored, replayed: replayed.length, lost: 0 },
      }),
    );
  }, 120_000);
});
