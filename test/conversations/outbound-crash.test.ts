import { encodeGlobalID } from "@pothos/plugin-relay";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signToken } from "../../src/auth/jwt.js";
import { loadConfig } from "../../src/config/index.js";
import { createPrisma, type PrismaClient } from "../../src/db/client.js";
import { createTestDatabase, type TestDatabase } from "../helpers/db.js";
import { eventually } from "../helpers/eventually.js";
import { startGraphApiStandIn, type GraphApiStandIn } from "../helpers/graph-api.js";
import { inboundWebhook, postWebhook } from "../helpers/meta.js";
import { processEnv, spawnAviso, type AvisoProcess } from "../helpers/process.js";
import { TEST_JWT_SECRET } from "../helpers/server.js";

// A worker SIGKILLed while Meta holds its sends: no agent's message is lost or stuck.
// The killed worker's claims and jobs expire (WHATSAPP_SEND_TIMEOUT_SECONDS=3 → a
// 16 s lease) and a new worker's supervisor (every second here) hands them out again.
// The send timeout stays well above the stand-in's delay: a post that times out after
// Meta accepted it is (rightly) retried, which on a loaded machine would be a third post.

const MESSAGES = 12;
let database: TestDatabase;
let prisma: PrismaClient;
let graph: GraphApiStandIn;
const processes: AvisoProcess[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  prisma = createPrisma(database.url, 2);
  graph = await startGraphApiStandIn();
}, 60_000);

afterAll(async () => {
  if (process.env.SHOW_PROCESS_LOGS) for (const p of processes) console.log(`--- ${p.role}\n${p.output()}`);
  await Promise.allSettled(processes.map((p) => p.kill()));
  await graph?.close();
  await prisma?.$disconnect();
  await database?.drop();
});

describe("a worker killed mid-send", () => {
  it("loses no message: each ends SENT or FAILED, never stuck PENDING", async () => {
    const env = processEnv(database.url, "outbound-crash", {
      WHATSAPP_API_URL: graph.url,
      WHATSAPP_SEND_TIMEOUT_SECONDS: "3",
      JOB_SUPERVISE_INTERVAL_SECONDS: "1",
      DELIVERY_RETRY_DELAY_SECONDS: "1",
    });
    const api = await spawnAviso("serve", env);
    processes.push(api);
    let worker = await spawnAviso("worker", env);
    processes.push(worker);

    const from = "5511955550001";
    const { message } = inboundWebhook({ text: "Oi", from });
    expect((await postWebhook(api.url, inboundWebhook({ text: "Oi", from, id: message.id }).body)).status).toBe(200);
    const inbound = await eventually(() => prisma.message.findFirst({ where: { externalId: message.id } }));
    const agent = await prisma.user.findUniqueOrThrow({ where: { email: "agent@demo.test" } });
    const token = await signToken(loadConfig({ NODE_ENV: "test", JWT_SECRET: TEST_JWT_SECRET }), agent, "1h");

    // Meta takes its time: the worker is busy with sends when it dies.
    graph.setDefault((request) => ({
      status: 200,
      delayMs: 500,
      body: { messaging_product: "whatsapp", contacts: [{ input: from, wa_id: from }], messages: [{ id: `wamid.crash-${graph.requests.indexOf(request)}` }] },
    }));
    const ids: string[] = [];
    for (let i = 0; i < MESSAGES; i++) {
      const response = await fetch(`${api.url}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify({
          query: `mutation($input: SendMessageInput!) { sendMessage(input: $input) { id } }`,
          variables: { input: { conversationId: encodeGlobalID("Conversation", inbound.conversationId), text: `resposta ${i}`, clientMessageId: `crash-${i}` } },
        }),
      });
      const body = (await response.json()) as { data?: { sendMessage: { id: string } } };
      ids.push(Buffer.from(body.data!.sendMessage.id, "base64").toString("utf8").split(":")[1]!);
    }

    await eventually(async () => graph.sends().length >= 1, 30_000, 20);
    await worker.signal("SIGKILL");
    const stuckAtKill = await prisma.message.count({ where: { id: { in: ids }, status: "PENDING" } });
    expect(stuckAtKill).toBeGreaterThan(0);

    graph.setDefault((request) => ({
      status: 200,
      body: { messaging_product: "whatsapp", contacts: [{ input: from, wa_id: from }], messages: [{ id: `wamid.crash-${graph.requests.indexOf(request)}` }] },
    }));
    worker = await spawnAviso("worker", env);
    processes.push(worker);

    const final = await eventually(async () => {
      const rows = await prisma.message.findMany({ where: { id: { in: ids } }, select: { status: true, text: true } });
      return rows.every((r) => r.status === "SENT" || r.status === "FAILED") ? rows : undefined;
    }, 90_000, 250);
    expect(final).toHaveLength(MESSAGES);
    expect(final.filter((r) => r.status === "SENT")).toHaveLength(MESSAGES);
    // At least once across a crash: a send Meta accepted just before the kill may be posted again, nothing more.
    for (let i = 0; i < MESSAGES; i++) {
      const posts = graph.sends().filter((r) => (r.body as { text?: { body?: string } }).text?.body === `resposta ${i}`).length;
      expect(posts).toBeGreaterThanOrEqual(1);
      expect(posts).toBeLessThanOrEqual(2);
    }
  }, 180_000);
});
