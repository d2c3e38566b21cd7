import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPrisma, type PrismaClient } from "../../src/db/client.js";
import { createBoss, createJobQueue } from "../../src/jobs/queue.js";
import { createLogger } from "../../src/observability/log.js";
import { createTestDatabase, type TestDatabase } from "../helpers/db.js";
import { eventually } from "../helpers/eventually.js";
import { startGraphApi } from "../helpers/graph-api.js";
import type { HttpFake } from "../helpers/http-fake.js";
import { postWebhook } from "../helpers/meta.js";
import { channelEnv, freePort, processEnv, spawnAviso, type AvisoProcess } from "../helpers/process.js";
import { startSmtp, type FakeSmtp } from "../helpers/smtp.js";
import { reprocessWebhookEventJob } from "../../src/webhooks/meta/jobs.js";
import { planStorm, seededRandom, type StormPlan } from "./storm-plan.js";

// Meta's traffic against a process that keeps dying: thousands of messages from many
// customers, a fifth of them delivered twice, shuffled, posted 16 at a time while the
// process is SIGKILLed and restarted on the same port. Like Meta, the sender posts a
// body again until it gets a 200. Afterwards every message must be stored once, every
// notification exist once, every delivery end SENT or DEAD.

const MESSAGES = Number(process.env.CHAOS_MESSAGES ?? 3000);
const CUSTOMERS = 200;
const CONCURRENCY = 16;
const KILLS = 4;
const SEED = Number(process.env.CHAOS_SEED ?? Date.now() % 1_000_000);
// CHAOS_EMAIL=1: the second agent is told by email instead of WhatsApp. Off by default:
// every transaction then takes that agent's email-limit lock, which with multi-message
// bodies deadlocks against new conversations' numbering and slows the storm ten-fold.
const EMAIL = process.env.CHAOS_EMAIL === "1";

let database: TestDatabase;
let prisma: PrismaClient;
let smtp: FakeSmtp;
let graph: HttpFake;
let env: Record<string, string>;
let aviso: AvisoProcess | undefined;
const exited: AvisoProcess[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  prisma = createPrisma(database.url, 4);
  // One notification per message per agent (no coalescing), and no email held back by the hourly cap.
  const demo = await prisma.organization.update({
    where: { slug: "demo" },
    data: { notifyNewMessage: true, coalesceWindowSeconds: 0, emailHourlyLimit: 1_000_000 },
  });
  // Both agents hear of every message on one channel each: WhatsApp (or email for the second, with CHAOS_EMAIL=1).
  const bruno = await prisma.user.findUniqueOrThrow({ where: { email: "agent@demo.test" } });
  const carla = await prisma.user.findUniqueOrThrow({ where: { email: "agent2@demo.test" } });
  await prisma.notificationPreference.createMany({
    data: [
      { organizationId: demo.id, userId: bruno.id, type: "NEW_MESSAGE", channel: "EMAIL", enabled: false },
      { organizationId: demo.id, userId: carla.id, type: "NEW_MESSAGE", channel: EMAIL ? "WHATSAPP" : "EMAIL", enabled: false },
    ],
  });
  smtp = await startSmtp();
  graph = await startGraphApi();
  env = processEnv(database.url, "storm", {
    ...channelEnv(smtp.port, graph.url),
    PORT: String(await freePort()),
    DELIVERY_RETRY_LIMIT: "8",
    RATE_LIMIT_WEBHOOKS_PER_MINUTE: "1000000",
    DATABASE_POOL_SIZE: "12",
  });
  aviso = await spawnAviso("all", env);
}, 120_000);

afterAll(async () => {
  if (process.env.SHOW_PROCESS_LOGS) for (const p of [...exited, aviso]) if (p) console.log(`--- ${p.role}\n${p.output()}`);
  await aviso?.kill();
  await smtp?.close();
  await graph?.close();
  await prisma?.$disconnect();
  await database?.drop();
});

interface SenderStats {
  posts: number;
  redeliveries: number;
  connectionErrors: number;
  statuses: Record<string, number>;
}

/** Posts every body until it is answered 200, CONCURRENCY at a time; `onProgress` sees each 200. */
async function send(plan: StormPlan, baseUrl: string, onProgress: (done: number) => void): Promise<SenderStats> {
  const stats: SenderStats = { posts: 0, redeliveries: 0, connectionErrors: 0, statuses: {} };
  let next = 0;
  let done = 0;
  const lane = async () => {
    while (next < plan.bodies.length) {
      const body = plan.bodies[next++]!;
      // Bounded: a process that never comes back fails the test instead of looping forever.
      for (let attempt = 0; ; attempt++) {
        if (attempt > 0) stats.redeliveries++;
        if (attempt > 500) throw new Error("a body was refused 500 times");
        stats.posts++;
        const status = await postWebhook(baseUrl, body).then(
          async (response) => {
            await response.arrayBuffer();
            return response.status;
          },
          () => 0,
        );
        if (status === 0) stats.connectionErrors++;
        else stats.statuses[status] = (stats.statuses[status] ?? 0) + 1;
        if (status === 200) break;
        // Anything but a 5xx or a lost connection would be a bug: Meta would not retry a 4xx.
        if (status !== 0 && status < 500) throw new Error(`webhook answered ${status}`);
        await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 200));
      }
      onProgress(++done);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, lane));
  return stats;
}

describe("a webhook storm while the process is SIGKILLed and restarted", () => {
  it("stores every message once, notifies once per recipient, and settles every delivery", async () => {
    const random = seededRandom(SEED);
    const plan = planStorm({ messages: MESSAGES, customers: CUSTOMERS, duplicateShare: 0.25, maxPerBody: 4, random });
    const baseUrl = aviso!.url;
    const startedAt = new Date();

    // Kill points: random fractions of the bodies answered, spread over the storm.
    const killAt = Array.from({ length: KILLS }, (_, i) => Math.floor(plan.bodies.length * ((i + 0.2 + random() * 0.6) / (KILLS + 0.5))));
    let kills = 0;
    let scheduled = 0;
    let restarting: Promise<void> = Promise.resolve();
    const killAndRestart = async () => {
      const victim = aviso!;
      aviso = undefined;
      await victim.kill();
      exited.push(victim);
      kills++;
      aviso = await spawnAviso("all", env);
    };
    const stats = await send(plan, baseUrl, (done) => {
      if (scheduled < killAt.length && done >= killAt[scheduled]!) {
        scheduled++;
        restarting = restarting.then(killAndRestart);
      }
    });
    await restarting;
    expect(kills).toBe(KILLS);
    // A final restart, as after a deploy: whatever the last process held is picked up again.
    await killAndRestart();

    const wamids = plan.messages.map((m) => m.wamid);
    const stored = () => prisma.message.count({ where: { externalId: { in: wamids } } });
    // Processing that failed inline is finished by the reprocess job. An event whose job
    // could not be enqueued waits for the 5-minute sweeper: the sweep is run here instead.
    const reprocessing = async () =>
      Number(
        (
          await prisma.$queryRaw<
            Array<{ n: bigint }>
          >`SELECT count(*) AS n FROM pgboss.job WHERE name = 'meta-webhook-reprocess' AND state IN ('created', 'retry', 'active')`
        )[0]!.n,
      );
    await eventually(async () => (await stored()) === MESSAGES || (await reprocessing()) === 0, {
      what: "every message stored or no webhook event left to reprocess",
      timeoutMs: 240_000,
      intervalMs: 1000,
    }).catch(async (error: unknown) => {
      console.log(
        JSON.stringify({
          stored: await stored(),
          reprocessing: await reprocessing(),
          events: await prisma.webhookEvent.groupBy({ by: ["status"], _count: true }),
        }),
      );
      throw error;
    });
    // RECEIVED events are mostly requests killed before their answer (redelivered since): reprocessing them is a no-op.
    const awaitingSweep = (await stored()) < MESSAGES ? await prisma.webhookEvent.findMany({ where: { status: "RECEIVED" }, select: { id: true } }) : [];
    if (awaitingSweep.length > 0) {
      const boss = createBoss(database.url, createLogger("silent"), { schedule: false, supervise: false });
      await boss.start();
      for (const { id } of awaitingSweep) await createJobQueue(boss).send(reprocessWebhookEventJob, { webhookEventId: id }, { singletonKey: id });
      await boss.stop({ graceful: false });
    }
    await eventually(async () => (await stored()) === MESSAGES, { what: "every message stored", timeoutMs: 120_000, intervalMs: 500 });
    const messageIds = (await prisma.message.findMany({ where: { externalId: { in: wamids } }, select: { id: true } })).map((m) => m.id);
    const unsettled = () => prisma.delivery.count({ where: { createdAt: { gte: startedAt }, status: { in: ["PENDING", "SCHEDULED"] } } });
    // A job held by a killed process comes back when it expires (120 s) at the next supervise pass (60 s).
    await eventually(async () => (await unsettled()) === 0, { what: "every delivery settled", timeoutMs: 300_000, intervalMs: 1000 });

    // Each wamid stored exactly once.
    const perWamid = await prisma.message.groupBy({ by: ["externalId"], where: { externalId: { in: wamids } }, _count: true });
    expect(perWamid).toHaveLength(MESSAGES);
    expect(perWamid.filter((g) => g._count !== 1)).toEqual([]);

    // Counters agree with what is stored.
    const contacts = await prisma.contact.findMany({
      where: { waId: { in: [...new Set(plan.messages.map((m) => m.from))] } },
      select: { waId: true, messageCount: true, conversations: { select: { unreadCount: true, _count: { select: { messages: true } } } } },
    });
    const sentBy = new Map<string, number>();
    for (const m of plan.messages) sentBy.set(m.from, (sentBy.get(m.from) ?? 0) + 1);
    expect(contacts).toHaveLength(sentBy.size);
    for (const contact of contacts) {
      const waId = contact.waId ?? "";
      const storedForContact = contact.conversations.reduce((sum, c) => sum + c._count.messages, 0);
      expect(contact.messageCount, waId).toBe(sentBy.get(waId));
      expect(storedForContact, waId).toBe(sentBy.get(waId));
      for (const conversation of contact.conversations) expect(conversation.unreadCount).toBe(conversation._count.messages);
    }

    // One notification per (agent, message): no coalescing, two agents in the queue.
    const notifications = await prisma.$queryRaw<Array<{ userId: string; messageId: string; copies: bigint }>>`
      SELECT "userId", data->>'messageId' AS "messageId", count(*) AS copies FROM "Notification"
      WHERE type = 'NEW_MESSAGE' AND data->>'messageId' = ANY(${messageIds}) GROUP BY 1, 2`;
    expect(notifications).toHaveLength(2 * MESSAGES);
    expect(notifications.filter((n) => n.copies !== 1n)).toEqual([]);

    // One delivery per notification (WhatsApp for one agent, email for the other), each settled.
    const deliveries = await prisma.delivery.findMany({
      where: { createdAt: { gte: startedAt } },
      select: { id: true, userId: true, channel: true, status: true, notification: { select: { data: true } } },
    });
    expect(deliveries).toHaveLength(2 * MESSAGES);
    const byStatus: Record<string, number> = {};
    for (const d of deliveries) byStatus[d.status] = (byStatus[d.status] ?? 0) + 1;
    expect(Object.keys(byStatus).filter((s) => s !== "SENT" && s !== "DEAD")).toEqual([]);

    // Provider-side receipts per delivery: emails carry the delivery id; WhatsApp texts carry the message's preview.
    const emailsPer = new Map<string, number>();
    for (const m of smtp.messages) {
      const id = m.headers["x-aviso-delivery"];
      if (id) emailsPer.set(id, (emailsPer.get(id) ?? 0) + 1);
    }
    // A WhatsApp is known by its recipient and the customer message it previews.
    const textOf = new Map(plan.messages.map((m) => [m.text, m.wamid]));
    const whatsappsPer = new Map<string, number>();
    for (const request of graph.requests) {
      const sent = request.body as { to?: string };
      const token = /storm-msg-\d+/.exec(JSON.stringify(request.body))?.[0];
      const wamid = token ? textOf.get(token) : undefined;
      if (wamid) whatsappsPer.set(`${sent.to}|${wamid}`, (whatsappsPer.get(`${sent.to}|${wamid}`) ?? 0) + 1);
    }
    const numberOf = new Map(
      (await prisma.user.findMany({ select: { id: true, whatsappNotificationNumber: true } })).map((u) => [
        u.id,
        u.whatsappNotificationNumber?.replace(/\D/g, ""),
      ]),
    );
    const wamidOfMessage = new Map(
      (await prisma.message.findMany({ where: { id: { in: messageIds } }, select: { id: true, externalId: true } })).map((m) => [m.id, m.externalId!]),
    );
    let doubled = 0;
    let sentWithoutReceipt = 0;
    for (const d of deliveries) {
      const messageId = (d.notification.data as { messageId: string }).messageId;
      const receipts =
        d.channel === "EMAIL" ? (emailsPer.get(d.id) ?? 0) : (whatsappsPer.get(`${numberOf.get(d.userId)}|${wamidOfMessage.get(messageId)}`) ?? 0);
      if (d.status === "SENT" && receipts === 0) sentWithoutReceipt++;
      doubled += Math.max(0, receipts - 1);
      // At least once, and more only when a kill fell between sending and recording it.
      expect(receipts, d.id).toBeLessThanOrEqual(1 + kills);
    }
    expect(sentWithoutReceipt).toBe(0);
    // A kill can catch at most the batches in flight between send and record: two per
    // channel (src/delivery/jobs.ts), 25 jobs each.
    expect(doubled).toBeLessThanOrEqual(kills * 50 * (EMAIL ? 2 : 1));

    const leftReceived = await prisma.webhookEvent.count({ where: { status: "RECEIVED" } });
    const occurrences = plan.messages.length + plan.plannedDuplicates;
    console.log(
      JSON.stringify({
        storm: {
          seed: SEED,
          messages: MESSAGES,
          customers: CUSTOMERS,
          bodies: plan.bodies.length,
          plannedDuplicateMessages: plan.plannedDuplicates,
          duplicatePercent: Math.round((1000 * plan.plannedDuplicates) / plan.messages.length) / 10,
          occurrences,
          posts: stats.posts,
          redeliveries: stats.redeliveries,
          connectionErrors: stats.connectionErrors,
          statuses: stats.statuses,
          kills,
          restarts: kills,
          stored: perWamid.length,
          notifications: notifications.length,
          deliveries: byStatus,
          providerReceipts: { email: smtp.messages.length, whatsapp: graph.requests.length },
          deliveriesSentTwice: doubled,
          webhookEventsSwept: awaitingSweep.length,
          webhookEventsLeftReceived: leftReceived,
          emailChannel: EMAIL,
          lost: MESSAGES - perWamid.length,
        },
      }),
    );
  });
});
