import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signToken } from "../../src/auth/jwt.js";
import { loadConfig } from "../../src/config/index.js";
import { createPrisma, type PrismaClient } from "../../src/db/client.js";
import { deliveryJobs } from "../../src/delivery/jobs.js";
import { createBoss, createJobQueue } from "../../src/jobs/queue.js";
import { createLogger } from "../../src/observability/log.js";
import { createTestDatabase, type TestDatabase } from "../helpers/db.js";
import { eventually } from "../helpers/eventually.js";
import { TEST_META_APP_SECRET } from "../helpers/meta.js";
import { spawnAviso, type AvisoProcess } from "../helpers/process.js";
import { TEST_JWT_SECRET } from "../helpers/server.js";
import { startSmtp, type FakeSmtp } from "../helpers/smtp.js";
import { connect } from "../helpers/ws.js";

// SIGTERM in the middle of a burst of deliveries, to a real worker process: it must
// finish what it holds and exit 0 within the bound; a restarted worker then sends the
// rest — every delivery SENT, every email received exactly once.

const BURST = 200;
const SHUTDOWN_BOUND_MS = 30_000;

let database: TestDatabase;
let prisma: PrismaClient;
let smtp: FakeSmtp;
let env: Record<string, string>;
const processes: AvisoProcess[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  prisma = createPrisma(database.url, 2);
  // A slow provider, so the burst is still running when the signal arrives.
  smtp = await startSmtp({ delayMs: 150 });
  env = {
    NODE_ENV: "test",
    LOG_LEVEL: "info",
    DATABASE_URL: database.url,
    JWT_SECRET: TEST_JWT_SECRET,
    META_APP_SECRET: TEST_META_APP_SECRET,
    SMTP_HOST: "127.0.0.1",
    SMTP_PORT: String(smtp.port),
    SMTP_USE_TLS: "false",
    AVISO_HOME: mkdtempSync(join(tmpdir(), "aviso-shutdown-")),
  };
}, 60_000);

afterAll(async () => {
  // SHOW_PROCESS_LOGS=1 prints what each process logged, to diagnose a failure.
  if (process.env.SHOW_PROCESS_LOGS) for (const p of processes) console.log(`--- ${p.role}\n${p.output()}`);
  await Promise.allSettled(processes.map((p) => p.kill()));
  await smtp?.close();
  await prisma?.$disconnect();
  await database?.drop();
});

async function start(role: AvisoProcess["role"]): Promise<AvisoProcess> {
  const proc = await spawnAviso(role, env);
  processes.push(proc);
  return proc;
}

/** BURST email deliveries for agent@demo.test, enqueued as the notification engine does. */
async function enqueueBurst(): Promise<string[]> {
  const user = await prisma.user.findUniqueOrThrow({ where: { email: "agent@demo.test" } });
  const notifications = await prisma.notification.createManyAndReturn({
    data: Array.from({ length: BURST }, (_, i) => ({
      organizationId: user.organizationId,
      userId: user.id,
      type: "CAMPAIGN_FAILED" as const,
      title: `Campanha ${i}`,
      body: "falhou",
    })),
    select: { id: true },
  });
  const deliveries = await prisma.delivery.createManyAndReturn({
    data: notifications.map((n) => ({ organizationId: user.organizationId, notificationId: n.id, userId: user.id, channel: "EMAIL" as const })),
    select: { id: true },
  });
  const boss = createBoss(database.url, createLogger("silent"), { schedule: false, supervise: false });
  await boss.start();
  try {
    const jobs = createJobQueue(boss);
    for (const delivery of deliveries) await jobs.send(deliveryJobs.EMAIL, { deliveryId: delivery.id });
  } finally {
    await boss.stop({ graceful: false });
  }
  return deliveries.map((d) => d.id);
}

describe("graceful shutdown of real processes", () => {
  // Waits for up to: a start (60 s), 20 emails (60 s), the shutdown bound, a second start (60 s),
  // the burst SENT (120 s) and a second shutdown.
  it("SIGTERM mid-burst: the worker exits 0, a restarted one finishes, every delivery SENT and emailed exactly once", {
    timeout: 300_000 + 2 * SHUTDOWN_BOUND_MS,
  }, async () => {
    const first = await start("worker");
    const ids = await enqueueBurst();
    await eventually(async () => smtp.messages.length >= 20, { what: "the first 20 emails", timeoutMs: 60_000 });

    expect(await first.signal("SIGTERM", SHUTDOWN_BOUND_MS)).toBe(0);
    const leftAtExit = await prisma.delivery.count({ where: { id: { in: ids }, status: { not: "SENT" } } });
    expect(leftAtExit, "the signal arrived mid-burst").toBeGreaterThan(0);

    const second = await start("worker");
    await eventually(async () => (await prisma.delivery.count({ where: { id: { in: ids }, status: "SENT" } })) === BURST, {
      what: "every delivery of the burst SENT",
      timeoutMs: 120_000,
      intervalMs: 250,
    });

    const received = new Map<string, number>();
    for (const message of smtp.messages) {
      const id = message.headers["x-aviso-delivery"];
      if (id) received.set(id, (received.get(id) ?? 0) + 1);
    }
    expect([...received.keys()].sort()).toEqual([...ids].sort());
    expect([...received.values()].filter((count) => count !== 1)).toEqual([]);
    expect(await second.signal("SIGTERM", SHUTDOWN_BOUND_MS)).toBe(0);
  });

  // A start (60 s) and the shutdown bound.
  it("SIGTERM on an API process closes open WebSockets with 1001 and exits 0", { timeout: 70_000 + SHUTDOWN_BOUND_MS }, async () => {
    // processes.test.ts shows it with Redis; here without (in-process pubsub).
    const api = await start("serve");
    const user = await prisma.user.findUniqueOrThrow({ where: { email: "viewer@demo.test" } });
    const socket = connect(api.wsUrl, `Bearer ${await signToken(loadConfig({ NODE_ENV: "test", JWT_SECRET: TEST_JWT_SECRET }), user, "1h")}`);
    await socket.connected;
    expect(await api.signal("SIGTERM", SHUTDOWN_BOUND_MS)).toBe(0);
    expect(await socket.closed).toBe(1001);
  });
});
