import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { digestJobId } from "../../src/digests/hold.js";
import { sendDigest } from "../../src/digests/send.js";
import { digestWindowEnd } from "../../src/digests/window.js";
import { notify } from "../../src/notifications/engine.js";
import { startSmtp, type FakeSmtp } from "../helpers/smtp.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { DigestPreferencesDocument } from "../generated/operations.js";
import { eventually } from "../helpers/eventually.js";
import { openConversation, orgId, receiveMessage, userId } from "./fixtures.js";

let api: TestServer;
let worker: TestServer;
let smtp: FakeSmtp;
let pool: pg.Pool;

beforeAll(async () => {
  smtp = await startSmtp();
  const env = {
    NOTIFY_NEW_MESSAGE_ENABLED: "true",
    SMTP_HOST: "127.0.0.1",
    SMTP_PORT: String(smtp.port),
    SMTP_USE_TLS: "false",
    PUBLIC_URL: "https://app.aviso.test",
  };
  // Two processes' worth of Aviso on one database: both run every job queue.
  api = await startTestServer({ env });
  worker = await startTestServer({ env, role: "worker", database: api.database });
  pool = new pg.Pool({ connectionString: api.database.url, max: 2 });
  // The database is dropped at the end with its connections: an idle client's error is the pool's to emit.
  pool.on("error", () => {});
  const prisma = api.app.runtime.prisma;
  const demo = await orgId(prisma, "demo");
  // Every message its own notification (no coalescing), so the email limit is what holds them back.
  await prisma.organization.update({ where: { id: demo }, data: { coalesceWindowSeconds: 0, emailHourlyLimit: 5 } });
  // This test is about email: the agent's WhatsApp stays quiet.
  for (const email of ["agent@demo.test", "agent2@demo.test"]) {
    await prisma.notificationPreference.create({
      data: { organizationId: demo, userId: await userId(prisma, email), type: "NEW_MESSAGE", channel: "WHATSAPP", enabled: false },
    });
  }
});
afterAll(async () => {
  await pool?.end();
  await worker?.stop();
  await api?.stop();
  await smtp?.close();
});

const prisma = () => api.app.runtime.prisma;
const emailsTo = (address: string) => smtp.messages.filter((m) => m.to.includes(address));

/** The digest window has ended: its job becomes due now (what the clock would do at windowEnd). */
async function windowEnds(jobId: string) {
  const { rowCount } = await pool.query(`UPDATE pgboss.job SET start_after = now() WHERE name = 'send-digest' AND id = $1 AND state = 'created'`, [jobId]);
  expect(rowCount).toBe(1);
}

describe("digests", () => {
  it("sends a burst of 30 over an hourly limit of 5 as 5 emails and one digest of the other 25, once, across two workers", async () => {
    const agent = await userId(prisma(), "agent@demo.test");
    const conversations = [
      await openConversation(prisma(), { org: "demo", assignee: "agent@demo.test", contactName: "Alice" }),
      await openConversation(prisma(), { org: "demo", assignee: "agent@demo.test", contactName: "Bruno" }),
      await openConversation(prisma(), { org: "demo", assignee: "agent@demo.test", contactName: "Carla" }),
    ];
    // The engine's clock, pinned ten minutes into the next hour: the burst cannot straddle a window.
    const now = new Date(Math.floor(Date.now() / 3600_000) * 3600_000 + 3600_000 + 600_000);
    // Round robin over the three conversations, half through each instance's engine.
    for (let i = 0; i < 30; i += 1) await receiveMessage(i % 2 === 0 ? api : worker, conversations[i % 3]!, `mensagem ${i + 1}`, "TEXT", now);

    const deliveries = await prisma().delivery.findMany({ where: { userId: agent, channel: "EMAIL" }, orderBy: { createdAt: "asc" } });
    expect(deliveries).toHaveLength(30);
    const held = deliveries.filter((d) => d.digestId);
    expect(held).toHaveLength(25);
    expect(deliveries.filter((d) => d.status === "SKIPPED")).toHaveLength(0);
    expect(new Set(held.map((d) => d.digestId)).size).toBe(1);
    expect(held.every((d) => d.status === "SCHEDULED" && d.lastError?.includes("held for the next digest"))).toBe(true);

    const digest = await prisma().digest.findUniqueOrThrow({ where: { id: held[0]!.digestId! } });
    // The end of that hour in the agent's zone (São Paulo is a whole number of hours off UTC).
    const expectedEnd = new Date(now.getTime() - 600_000 + 3600_000);
    expect(digest).toMatchObject({ userId: agent, channel: "EMAIL", status: "SCHEDULED", windowEnd: expectedEnd });
    expect(held.every((d) => d.scheduledFor?.getTime() === expectedEnd.getTime())).toBe(true);

    // One pg-boss job for the window, keyed by user and window, due at the window's end.
    const jobs = await pool.query(`SELECT id, start_after, singleton_key FROM pgboss.job WHERE name = 'send-digest' AND data->>'digestId' = $1`, [digest.id]);
    expect(jobs.rows).toHaveLength(1);
    expect(jobs.rows[0]).toMatchObject({
      id: digestJobId(agent, "EMAIL", expectedEnd),
      start_after: expectedEnd,
      singleton_key: `${agent}:EMAIL:${expectedEnd.toISOString()}`,
    });

    await eventually(async () => emailsTo("agent@demo.test").length >= 5 || undefined, { what: "the 5 emails within the limit", timeoutMs: 20_000 });
    await windowEnds(jobs.rows[0].id);
    const sent = await eventually(
      async () => {
        const row = await prisma().digest.findUniqueOrThrow({ where: { id: digest.id } });
        return row.status === "SENT" ? row : undefined;
      },
      { what: "digest sent", timeoutMs: 20_000 },
    );
    expect(sent.attempts).toBe(1);

    // Another worker running the same digest again finds it sent: no second email.
    await sendDigest(worker.app.runtime, digest.id);
    const mails = emailsTo("agent@demo.test");
    expect(mails).toHaveLength(6);
    const digestMails = mails.filter((m) => m.headers["x-aviso-digest"] === digest.id);
    expect(digestMails).toHaveLength(1);
    const mail = digestMails[0]!;
    expect(mail.subject).toBe("Resumo do Aviso: 25 notificações em 3 assuntos");
    // Grouped by conversation: of messages 1–5 (emailed) Alice had 1 and 4, Bruno 2 and 5, Carla 3.
    const [alice, bruno, carla] = conversations;
    expect(mail.text).toContain(`Ticket #${alice!.number} · Alice (8)`);
    expect(mail.text).toContain(`Ticket #${bruno!.number} · Bruno (8)`);
    expect(mail.text).toContain(`Ticket #${carla!.number} · Carla (9)`);
    expect(mail.text.match(/mensagem \d+/g)).toHaveLength(25);
    expect(mail.text).not.toMatch(/mensagem [1-5]\b/);
    expect(mail.html).toContain("Resumo do Aviso");

    const after = await prisma().delivery.findMany({ where: { digestId: digest.id } });
    expect(after.every((d) => d.status === "SENT" && d.providerMessageId === sent.providerMessageId)).toBe(true);
  }, 60_000);

  it("loses nothing when the worker that took a digest died before finishing: the job's next run sends it", async () => {
    const agent2 = await userId(prisma(), "agent2@demo.test");
    const conversation = await openConversation(prisma(), { org: "demo", assignee: "agent2@demo.test", contactName: "Davi" });
    // agent2 has had 5 emails this hour already (sent on their own).
    const now = new Date(Math.floor(Date.now() / 3600_000) * 3600_000 + 3600_000 + 600_000);
    for (let i = 0; i < 6; i += 1) await receiveMessage(api, conversation, `pedido ${i + 1}`, "TEXT", now);
    const held = await prisma().delivery.findFirstOrThrow({ where: { userId: agent2, channel: "EMAIL", digestId: { not: null } } });
    const digest = await prisma().digest.findUniqueOrThrow({ where: { id: held.digestId! } });
    // A worker claimed it (SCHEDULED → PENDING) and died before sending.
    await prisma().digest.update({ where: { id: digest.id }, data: { status: "PENDING", attempts: 1 } });
    await windowEnds(digestJobId(agent2, "EMAIL", digest.windowEnd));
    await eventually(async () => ((await prisma().digest.findUniqueOrThrow({ where: { id: digest.id } })).status === "SENT" ? true : undefined), {
      what: "digest sent",
      timeoutMs: 20_000,
    });
    expect(await prisma().delivery.findUniqueOrThrow({ where: { id: held.id } })).toMatchObject({ status: "SENT" });
    expect(emailsTo("agent2@demo.test").filter((m) => m.headers["x-aviso-digest"] === digest.id)).toHaveLength(1);
  }, 40_000);

  it("sends a DAILY digest at the user's local 18:00", async () => {
    const token = await api.token("admin@demo.test");
    const chosen = await api.gql(
      `mutation { updateDigestPreference(input: { channel: EMAIL, frequency: DAILY, dailyAt: "18:00", timeZone: "America/Sao_Paulo" }) { channel frequency dailyAt timeZone } }`,
      {},
      token,
    );
    expect(chosen).toEqual({ data: { updateDigestPreference: { channel: "EMAIL", frequency: "DAILY", dailyAt: "18:00", timeZone: "America/Sao_Paulo" } } });
    const admin = await userId(prisma(), "admin@demo.test");
    const demo = await orgId(prisma(), "demo");
    const alert = await prisma().alert.create({ data: { organizationId: demo, title: "Fila parada", severity: "HIGH" } });
    // The engine's clock, pinned: the window's end cannot pass while the test runs.
    const before = new Date(Math.floor(Date.now() / 3600_000) * 3600_000 + 3600_000 + 600_000);
    await notify(api.app.runtime, { type: "ALERT_CREATED", organizationId: demo, alertId: alert.id }, undefined, { now: before });
    const delivery = await prisma().delivery.findFirstOrThrow({ where: { userId: admin, channel: "EMAIL", notification: { alertId: alert.id } } });
    // 18:00 in São Paulo (UTC−3) is 21:00 UTC: today's if still ahead, else tomorrow's.
    const end = digestWindowEnd(before, { frequency: "DAILY", dailyAt: "18:00", timeZone: "America/Sao_Paulo" });
    expect(end.getUTCHours()).toBe(21);
    expect(end.getTime() - before.getTime()).toBeLessThanOrEqual(24 * 3600_000);
    expect(delivery).toMatchObject({ status: "SCHEDULED", scheduledFor: end });
    const digest = await prisma().digest.findUniqueOrThrow({ where: { id: delivery.digestId! } });
    expect(digest.windowEnd).toEqual(end);

    await windowEnds(digestJobId(admin, "EMAIL", end));
    await eventually(async () => ((await prisma().digest.findUniqueOrThrow({ where: { id: digest.id } })).status === "SENT" ? true : undefined), {
      what: "daily digest sent",
      timeoutMs: 20_000,
    });
    const [mail] = emailsTo("admin@demo.test").filter((m) => m.headers["x-aviso-digest"] === digest.id);
    expect(mail!.subject).toBe("Resumo do Aviso: 1 notificações em 1 assunto");
    expect(mail!.text).toContain("Alerta [HIGH] Fila parada (1)");
  }, 40_000);

  it("computes windows on the caller's clock: daily at local 18:00 across days, hourly at local tops of the hour", () => {
    const daily = { frequency: "DAILY", dailyAt: "18:00", timeZone: "America/Sao_Paulo" } as const;
    expect(digestWindowEnd(new Date("2026-11-30T12:00:00Z"), daily)).toEqual(new Date("2026-11-30T21:00:00Z"));
    expect(digestWindowEnd(new Date("2026-11-30T21:00:00Z"), daily)).toEqual(new Date("2026-12-01T21:00:00Z"));
    expect(digestWindowEnd(new Date("2026-12-31T23:30:00Z"), daily)).toEqual(new Date("2027-01-01T21:00:00Z"));
    // New York's 18:00 is 22:00 UTC in summer and 23:00 UTC in winter.
    const ny = { frequency: "DAILY", dailyAt: "18:00", timeZone: "America/New_York" } as const;
    expect(digestWindowEnd(new Date("2026-07-01T12:00:00Z"), ny)).toEqual(new Date("2026-07-01T22:00:00Z"));
    expect(digestWindowEnd(new Date("2026-12-01T12:00:00Z"), ny)).toEqual(new Date("2026-12-01T23:00:00Z"));
    const hourly = (timeZone: string) => ({ frequency: "HOURLY", timeZone }) as const;
    expect(digestWindowEnd(new Date("2026-11-30T12:10:00Z"), hourly("America/Sao_Paulo"))).toEqual(new Date("2026-11-30T13:00:00Z"));
    expect(digestWindowEnd(new Date("2026-11-30T13:00:00Z"), hourly("America/Sao_Paulo"))).toEqual(new Date("2026-11-30T14:00:00Z"));
    // India is UTC+5:30: its hours turn at :30 UTC.
    expect(digestWindowEnd(new Date("2026-11-30T12:10:00Z"), hourly("Asia/Kolkata"))).toEqual(new Date("2026-11-30T12:30:00Z"));
  });

  it("accepts HOURLY and DAILY for email, SMS and web push only", async () => {
    const result = await api.gql(
      `mutation { updateDigestPreference(input: { channel: WHATSAPP, frequency: HOURLY }) { channel } }`,
      {},
      await api.token("agent@demo.test"),
    );
    expect(result.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    const prefs = await api.gql(DigestPreferencesDocument, {}, await api.token("admin@demo.test"));
    expect(prefs.data?.notificationPreferences.digests).toEqual([
      { channel: "EMAIL", frequency: "DAILY" },
      { channel: "WHATSAPP", frequency: "IMMEDIATE" },
      { channel: "SLACK", frequency: "IMMEDIATE" },
      { channel: "WEB_PUSH", frequency: "IMMEDIATE" },
      { channel: "SMS", frequency: "IMMEDIATE" },
    ]);
  });
});
