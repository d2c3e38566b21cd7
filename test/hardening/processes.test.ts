import { encodeGlobalID } from "@pothos/plugin-relay";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signToken } from "../../src/auth/jwt.js";
import { loadConfig } from "../../src/config/index.js";
import { createPrisma, type PrismaClient } from "../../src/db/client.js";
import { createTestDatabase, type TestDatabase } from "../helpers/db.js";
import { NotificationAddedDocument } from "../generated/operations.js";
import { eventually } from "../helpers/eventually.js";
import { startGraphApi } from "../helpers/graph-api.js";
import type { HttpFake } from "../helpers/http-fake.js";
import { inboundWebhook, postWebhook, TEST_META_APP_SECRET } from "../helpers/meta.js";
import { has, scrape, total, type Sample } from "../helpers/metrics.js";
import { channelEnv, processEnv, spawnTopology, type AvisoProcess } from "../helpers/process.js";
import { TEST_JWT_SECRET } from "../helpers/server.js";
import { startSmtp, type FakeSmtp } from "../helpers/smtp.js";
import { connect, subscribe, type SocketClient } from "../helpers/ws.js";

// Real processes: two `serve` instances and one `worker` over one database and Redis,
// as in production. What the issue asks them to show: realtime across instances,
// delivery by the worker, logs without secrets, metrics that move.

const REDIS_URL = process.env.REDIS_URL_FOR_TESTS ?? "redis://127.0.0.1:6379";
const CUSTOMER_WA_ID = "5511976543210";
const AGENT_NUMBER = "+5511988880001";
const ACCESS_TOKEN = "demo-access-token";
// Distinctive enough that finding it anywhere in the logs can only mean a body was logged.
const FIRST_BODY = "Primeira mensagem sigilosa zebra-4471";
const SECRET_BODY = "Quero cancelar o contrato numero-secreto-8823 agora";

let database: TestDatabase;
let prisma: PrismaClient;
let smtp: FakeSmtp;
let graph: HttpFake;
const processes: AvisoProcess[] = [];
let one: AvisoProcess;
let two: AvisoProcess;
let worker: AvisoProcess;
const sockets: SocketClient[] = [];
const tokens: string[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  prisma = createPrisma(database.url, 2);
  // Each message its own notification (no coalescing), and new-message notifications on.
  await prisma.organization.update({ where: { slug: "demo" }, data: { notifyNewMessage: true, coalesceWindowSeconds: 0 } });
  smtp = await startSmtp();
  graph = await startGraphApi();
  const env = processEnv(database.url, "proc", {
    ...channelEnv(smtp.port, graph.url),
    LOG_LEVEL: "info",
    REDIS_URL,
    // Rate limits live in Redis, which other test files share: keep this file clear of their counts.
    RATE_LIMIT_WS_CONNECTS_PER_MINUTE: "100000",
  });
  [one, two, worker] = await spawnTopology(processes, env);
}, 120_000);

afterAll(async () => {
  await Promise.allSettled(sockets.map((s) => s.dispose()));
  // SHOW_PROCESS_LOGS=1 prints what each process logged, to diagnose a failure.
  if (process.env.SHOW_PROCESS_LOGS) for (const p of processes) console.log(`--- ${p.role}\n${p.output()}`);
  await Promise.allSettled(processes.map((p) => p.kill()));
  await smtp?.close();
  await graph?.close();
  await prisma?.$disconnect();
  await database?.drop();
});

async function tokenFor(email: string): Promise<string> {
  const user = await prisma.user.findUniqueOrThrow({ where: { email } });
  const token = await signToken(loadConfig({ NODE_ENV: "test", JWT_SECRET: TEST_JWT_SECRET }), user, "1h");
  tokens.push(token);
  return token;
}

async function gql(base: string, token: string, query: string, variables: Record<string, unknown> = {}) {
  const response = await fetch(`${base}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as { data?: Record<string, unknown>; errors?: unknown[] };
}

describe("two API instances and a worker as separate processes", () => {
  let before: { one: Sample[]; two: Sample[]; worker: Sample[] };
  let messageId: string;
  let conversationId: string;
  let agentId: string;

  it("delivers to a subscriber on instance 1 the notification of a webhook on instance 2; the worker emails and WhatsApps it", async () => {
    before = { one: await scrape(one.url), two: await scrape(two.url), worker: await scrape(worker.url) };
    const agent = await prisma.user.findUniqueOrThrow({ where: { email: "agent@demo.test" } });
    agentId = agent.id;

    // The customer's first message opens the conversation; an admin assigns it to the agent.
    const first = inboundWebhook({ from: CUSTOMER_WA_ID, text: FIRST_BODY, name: "Cliente Processo" });
    expect((await postWebhook(two.url, first.body)).status).toBe(200);
    const conversation = await eventually(() => prisma.conversation.findFirst({ where: { contact: { waId: CUSTOMER_WA_ID } }, select: { id: true } }), {
      what: "the customer's conversation",
    });
    conversationId = conversation.id;
    const assigned = await gql(
      one.url,
      await tokenFor("admin@demo.test"),
      "mutation($c: ID!, $u: ID!) { assignConversation(conversationId: $c, userId: $u) { id } }",
      {
        c: encodeGlobalID("Conversation", conversation.id),
        u: encodeGlobalID("User", agent.id),
      },
    );
    expect(assigned.errors).toBeUndefined();

    const socket = connect(one.wsUrl, `Bearer ${await tokenFor("agent@demo.test")}`);
    sockets.push(socket);
    await socket.connected;
    const added = subscribe(socket, NotificationAddedDocument);
    // The subscription is live once instance 1 counts it (graphql-ws has no "subscribed" ack).
    await eventually(async () => total(await scrape(one.url), "aviso_active_subscriptions") >= 1, { what: "instance 1 to count the subscription" });

    const second = inboundWebhook({ from: CUSTOMER_WA_ID, text: SECRET_BODY, name: "Cliente Processo" });
    expect((await postWebhook(two.url, second.body)).status).toBe(200);
    const message = await eventually(() => prisma.message.findFirst({ where: { externalId: second.message.id }, select: { id: true } }), {
      what: "the second message stored",
    });
    messageId = message.id;
    const notification = await eventually(
      () => prisma.notification.findFirst({ where: { userId: agent.id, type: "NEW_MESSAGE", data: { path: ["messageId"], equals: message.id } } }),
      { what: "the agent's NEW_MESSAGE notification" },
    );

    // Redis is shared with other test files (and the seeded ids with other databases): wait for ours.
    let received: { id: string; body: string } | undefined;
    const deadline = Date.now() + 20_000;
    while (!received && Date.now() < deadline) {
      const next = (await added.next(20_000)).data?.notificationAdded;
      if (next?.id === encodeGlobalID("Notification", notification.id)) received = next;
    }
    expect(received?.body).toContain("numero-secreto-8823");

    const deliveries = await eventually(
      async () => {
        const rows = await prisma.delivery.findMany({ where: { notificationId: notification.id } });
        return rows.length === 2 && rows.every((d) => d.status === "SENT") ? rows : undefined;
      },
      { what: "both deliveries SENT" },
    );
    const email = deliveries.find((d) => d.channel === "EMAIL")!;
    const emailed = smtp.messages.filter((m) => m.headers["x-aviso-delivery"] === email.id);
    expect(emailed).toHaveLength(1);
    expect(emailed[0]!.to).toEqual(["agent@demo.test"]);
    const whatsapps = graph.requests.filter((r) => (r.body as { to?: string }).to === AGENT_NUMBER.slice(1));
    expect(whatsapps.length).toBeGreaterThanOrEqual(1);
    expect(whatsapps[0]!.path).toBe("/v21.0/100000000000001/messages");
  });

  it("logs no phone number in full, no message body and no token, in any of the three processes", () => {
    const forbidden = [
      CUSTOMER_WA_ID,
      `+${CUSTOMER_WA_ID}`,
      AGENT_NUMBER,
      AGENT_NUMBER.slice(1),
      FIRST_BODY,
      SECRET_BODY,
      "zebra-4471",
      "numero-secreto-8823",
      TEST_META_APP_SECRET,
      TEST_JWT_SECRET,
      ACCESS_TOKEN,
      ...tokens,
    ];
    for (const process of processes) {
      const output = process.output();
      expect(output.length, `${process.role} wrote logs`).toBeGreaterThan(0);
      for (const secret of forbidden) expect(output.includes(secret), `${process.role}'s logs contain "${secret}"`).toBe(false);
      expect(output, `${process.role}'s logs contain a JWT`).not.toMatch(/eyJ[\w-]+\.eyJ[\w-]+\./);
    }
  });

  it("correlates log lines by request, organization, conversation, message, user and delivery", async () => {
    const organizationId = (await prisma.organization.findUniqueOrThrow({ where: { slug: "demo" } })).id;
    const stored = two.logLines().find((l) => l.msg === "inbound message stored" && l.messageId === messageId);
    expect(stored).toMatchObject({ organizationId, conversationId, requestId: expect.any(String), from: expect.stringMatching(/^\d{2}\*+\d{4}$/) });
    const created = two.logLines().find((l) => l.msg === "notifications created" && l.messageId === messageId);
    expect(created).toMatchObject({ organizationId, conversationId, requestId: stored!.requestId });
    expect(created!.userIds).toContain(agentId);
    const request = two.logLines().find((l) => l.msg === "request completed" && l.requestId === stored!.requestId);
    expect(request).toMatchObject({ route: "/webhooks/meta", status: 200 });

    const sent = worker.logLines().filter((l) => l.msg === "delivery sent" && l.userId === agentId);
    expect(sent.map((l) => l.channel)).toEqual(expect.arrayContaining(["EMAIL", "WHATSAPP"]));
    for (const line of sent)
      expect(line).toMatchObject({ organizationId, deliveryId: expect.any(String), jobId: expect.any(String), notificationId: expect.any(String) });

    const admin = await prisma.user.findUniqueOrThrow({ where: { email: "admin@demo.test" } });
    const mutation = one.logLines().find((l) => l.msg === "graphql operation" && l.operation === "mutation");
    expect(mutation).toMatchObject({ userId: admin.id, organizationId, requestId: expect.any(String) });
    expect(one.logLines().some((l) => l.msg === "websocket connected" && l.userId === agentId)).toBe(true);
  });

  it("shows the metrics on /metrics, moved by the flow", async () => {
    const after = { one: await scrape(one.url), two: await scrape(two.url), worker: await scrape(worker.url) };
    const moved = (which: keyof typeof after, name: string, labels: Record<string, string> = {}) =>
      total(after[which], name, labels) - total(before[which], name, labels);

    expect(moved("two", "aviso_webhooks_total", { outcome: "processed" })).toBe(2);
    expect(moved("two", "aviso_http_request_duration_seconds_count", { route: "/webhooks/meta", status: "200" })).toBe(2);
    expect(moved("two", "aviso_webhook_to_notification_seconds_count")).toBeGreaterThanOrEqual(1);

    expect(total(after.one, "aviso_websocket_connections")).toBeGreaterThanOrEqual(1);
    expect(total(after.one, "aviso_active_subscriptions")).toBeGreaterThanOrEqual(1);
    expect(moved("one", "aviso_graphql_operation_duration_seconds_count", { type: "mutation" })).toBe(1);
    expect(moved("one", "aviso_http_request_duration_seconds_count", { route: "/graphql" })).toBeGreaterThanOrEqual(1);

    expect(moved("worker", "aviso_deliveries_total", { channel: "EMAIL", status: "SENT" })).toBeGreaterThanOrEqual(1);
    expect(moved("worker", "aviso_deliveries_total", { channel: "WHATSAPP", status: "SENT" })).toBeGreaterThanOrEqual(1);
    // Queue depth by queue and state, dead-letter queues included.
    for (const samples of Object.values(after)) expect(has(samples, "aviso_queue_jobs")).toBe(true);
    expect(after.worker.some((s) => s.name === "aviso_queue_jobs" && s.labels.queue === "deliver-email-dead")).toBe(true);
  });

  it("closes open WebSockets with 1001 on SIGTERM and exits 0", async () => {
    const socket = sockets[0]!;
    const code = await one.signal("SIGTERM");
    expect(code).toBe(0);
    expect(await socket.closed).toBe(1001);
  });
});
