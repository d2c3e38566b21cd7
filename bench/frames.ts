// npx tsx bench/frames.ts: what one `notificationAdded` frame costs the server.
// 100 agents of one organization, one socket each, every webhook (an unassigned
// conversation) notifying all of them. The server's CPU for the same webhooks is
// measured with nobody subscribed and with everyone subscribed; the difference over the
// frames received is the CPU per frame. Then a burst: how fast 100 × M frames arrive.
// Not part of `npm run bench`; run it alone on a quiet machine.
import { readFileSync } from "node:fs";
import { createPrisma } from "../src/db/client.js";
import { freePort, freshDatabase, startAviso, tokenFor, type AvisoProcess } from "./lib/aviso.js";
import { inboundText } from "./lib/meta.js";
import { sleep, waitFor } from "./lib/stats.js";
import { connectClient, postWebhook } from "./scenarios.js";

const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const REDIS_URL = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
const AGENTS = 100;
const WEBHOOKS = Number(process.env.FRAMES_WEBHOOKS ?? 200);
const RATE = Number(process.env.FRAMES_RATE ?? 20);
const PHONE_NUMBER_ID = "900000000000077";
const log = (msg: string) => process.stderr.write(`[frames] ${msg}\n`);

const DOCUMENTS: Record<string, string> = {
  scalars: "subscription { notificationAdded { id body } }",
  inbox: "subscription { notificationAdded { id type title body count createdAt updatedAt readAt conversation { id number } alert { id severity status } } }",
};
const only = process.env.FRAMES_DOCUMENTS?.split(",") ?? Object.keys(DOCUMENTS);

/** utime + stime of a process, in ms (Linux /proc; clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  return userMs(pid) + systemMs(pid);
}

/** stime alone: the kernel's share (socket writes on loopback land here). */
function systemMs(pid: number): number {
  return Number(statFields(pid)[12]) * 10;
}

function userMs(pid: number): number {
  return Number(statFields(pid)[11]) * 10;
}

function statFields(pid: number): string[] {
  return readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
}

async function seed(databaseUrl: string) {
  const prisma = createPrisma(databaseUrl, 2);
  const org = await prisma.organization.create({ data: { slug: "frames", name: "Frames", coalesceWindowSeconds: 0 } });
  await prisma.whatsAppNumber.create({
    data: { organizationId: org.id, phoneNumberId: PHONE_NUMBER_ID, displayPhoneNumber: "+55 11 4000-7777", accessToken: "bench" },
  });
  await prisma.user.createMany({
    data: Array.from({ length: AGENTS }, (_, i) => ({ organizationId: org.id, email: `agent${i}@frames.test`, name: `Agent ${i}`, role: "AGENT" as const })),
  });
  const agents = await prisma.user.findMany({ where: { organizationId: org.id } });
  await prisma.$executeRawUnsafe("VACUUM ANALYZE");
  await prisma.$disconnect();
  return agents;
}

const webhook = (label: string, i: number) => inboundText(PHONE_NUMBER_ID, `55118${String(i % 20).padStart(8, "0")}`, `${label}-${i}`);

/** As fast as 20 connections go: the burst that saturates the server. */
async function burstWebhooks(aviso: AvisoProcess, label: string, count: number): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < count) {
      const body = webhook(label, next++);
      if ((await postWebhook(aviso.url, body)) !== 200) await retry(aviso, body);
    }
  };
  await Promise.all(Array.from({ length: 20 }, lane));
}

/** Webhooks at a fixed rate, each from one of 20 customers (conversations nobody is assigned to). */
async function sendWebhooks(aviso: AvisoProcess, label: string, count: number, rate: number): Promise<void> {
  const pending: Promise<number>[] = [];
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    const wait = t0 + (i * 1000) / rate - performance.now();
    if (wait > 1) await sleep(wait);
    pending.push(postWebhook(aviso.url, webhook(label, i)));
  }
  const statuses = await Promise.all(pending);
  // A 503 (the shared machine starved the pool) is retried, as Meta would.
  for (const [i, status] of statuses.entries()) if (status !== 200) await retry(aviso, webhook(label, i));
}

async function retry(aviso: AvisoProcess, body: string): Promise<void> {
  for (let attempt = 0; attempt < 10; attempt++) {
    await sleep(500);
    if ((await postWebhook(aviso.url, body)) === 200) return;
  }
  throw new Error("webhook refused 10 times");
}

const databaseUrl = await freshDatabase(ADMIN_URL, "aviso_frames_bench");
const aviso = await startAviso({ DATABASE_URL: databaseUrl, REDIS_URL, EMAIL_ENABLED: "false" }, await freePort());
const pid = aviso.child.pid!;
try {
  const agents = await seed(databaseUrl);
  const clients = await Promise.all(agents.map(async (agent) => connectClient(aviso.wsUrl, await tokenFor(agent))));
  // Frames whose body carries the current label (`${label}-${i}`).
  let label = "";
  let framesOfLabel = 0;
  const subscribe = (query: string) =>
    clients.map((client) =>
      client.subscribe<{ notificationAdded: { body: string } }>(
        { query },
        {
          next: (v) => {
            if (label && v.data?.notificationAdded.body.includes(`${label}-`)) framesOfLabel++;
          },
          error: (e) => log(`subscription error ${JSON.stringify(e)}`),
          complete: () => {},
        },
      ),
    );
  const expect = (next: string) => {
    label = next;
    framesOfLabel = 0;
    return next;
  };
  const allArrived = (count: number) => () => framesOfLabel >= count * AGENTS;

  log("warm-up");
  await sendWebhooks(aviso, "warm", 100, RATE);
  await sleep(2000);

  log(`no subscriber: ${WEBHOOKS} webhooks at ${RATE}/s`);
  let cpu = cpuMs(pid);
  let sys = systemMs(pid);
  await sendWebhooks(aviso, "idle", WEBHOOKS, RATE);
  await sleep(1500);
  const idleCpu = cpuMs(pid) - cpu;
  const idleSys = systemMs(pid) - sys;
  const results: Record<string, unknown> = { webhooks: WEBHOOKS, rate: RATE, agents: AGENTS, idleCpuMsPerWebhook: round(idleCpu / WEBHOOKS) };

  for (const name of only) {
    const unsubscribe = subscribe(DOCUMENTS[name]!);
    await sleep(1000);
    await sendWebhooks(aviso, expect(`${name}-warm`), 50, RATE);
    await waitFor(allArrived(50), 30_000);
    await sleep(1000);
    log(`${name}: ${WEBHOOKS} webhooks at ${RATE}/s, ${AGENTS} subscribers`);
    cpu = cpuMs(pid);
    sys = systemMs(pid);
    await sendWebhooks(aviso, expect(`${name}-paced`), WEBHOOKS, RATE);
    const complete = await waitFor(allArrived(WEBHOOKS), 60_000);
    await sleep(1500);
    const busyCpu = cpuMs(pid) - cpu;
    const busySys = systemMs(pid) - sys;
    const frames = WEBHOOKS * AGENTS;
    log(`${name}: ${round((busyCpu - idleCpu) / frames)} ms CPU per frame (complete: ${complete})`);

    log(`${name}: burst of ${WEBHOOKS} webhooks`);
    await sleep(1000);
    const started = performance.now();
    await burstWebhooks(aviso, expect(`${name}-burst`), WEBHOOKS);
    const burstComplete = await waitFor(allArrived(WEBHOOKS), 120_000, 5);
    const burstSeconds = (performance.now() - started) / 1000;
    results[name] = {
      complete,
      cpuMsPerFrame: round((busyCpu - idleCpu) / frames),
      // Of which the kernel's (system time): what a cheaper execution cannot save.
      systemCpuMsPerFrame: round((busySys - idleSys) / frames),
      burstComplete,
      burstFramesPerSecond: Math.round(frames / burstSeconds),
      burstSeconds: round(burstSeconds),
    };
    log(JSON.stringify(results[name]));
    for (const stop of unsubscribe) stop();
    await sleep(1000);
  }
  console.log(JSON.stringify(results, null, 2));
  await Promise.all(clients.map((c) => c.dispose()));
} finally {
  await aviso.stop();
}

function round(n: number) {
  return Math.round(n * 1000) / 1000;
}
