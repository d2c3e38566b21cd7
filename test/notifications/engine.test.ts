import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { raiseCampaignFailed } from "../../src/notifications/campaign.js";
import { inUnitOfWork, type UnitOfWork } from "../../src/db/unit-of-work.js";
import { notify } from "../../src/notifications/engine.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { NotificationTitlesDocument } from "../generated/operations.js";
import { createUser, openConversation, orgId, raise, receiveMessage, userId } from "./fixtures.js";

let server: TestServer;
let demoId: string;

beforeAll(async () => {
  server = await startTestServer({ env: { NOTIFY_NEW_MESSAGE_ENABLED: "true" } });
  demoId = await orgId(server.app.runtime.prisma, "demo");
});
afterAll(() => server?.stop());

const prisma = () => server.app.runtime.prisma;

async function recipientsOf(notificationIds: string[]) {
  const rows = await prisma().notification.findMany({ where: { id: { in: notificationIds } }, include: { user: true, deliveries: true } });
  return rows.map((n) => n.user.email).sort();
}

describe("recipients", () => {
  it("notifies only the assignee of an assigned conversation", async () => {
    const conversation = await openConversation(prisma(), { org: "demo", assignee: "agent2@demo.test" });
    const result = await receiveMessage(server, conversation);
    expect(await recipientsOf(result.notificationIds)).toEqual(["agent2@demo.test"]);
  });

  it("notifies the queue's agents when nobody is assigned", async () => {
    const queue = await prisma().queue.create({ data: { organizationId: demoId, name: "Financeiro" } });
    await prisma().queueMember.create({ data: { organizationId: demoId, queueId: queue.id, userId: await userId(prisma(), "agent2@demo.test") } });
    const conversation = await openConversation(prisma(), { org: "demo", queueId: queue.id });
    expect(await recipientsOf((await receiveMessage(server, conversation)).notificationIds)).toEqual(["agent2@demo.test"]);
  });

  it("notifies every active agent when the queue has none", async () => {
    const empty = await prisma().queue.create({ data: { organizationId: demoId, name: "Vazia" } });
    const conversation = await openConversation(prisma(), { org: "demo", queueId: empty.id });
    expect(await recipientsOf((await receiveMessage(server, conversation)).notificationIds)).toEqual(["agent2@demo.test", "agent@demo.test"]);
  });

  it("tells the new assignee about an assignment, unless they assigned themselves", async () => {
    const conversation = await openConversation(prisma(), { org: "demo", assignee: "agent@demo.test", contactName: "Paula" });
    const agent = await userId(prisma(), "agent@demo.test");
    const admin = await userId(prisma(), "admin@demo.test");
    const assigned = await raise(server, {
      type: "CONVERSATION_ASSIGNED",
      organizationId: demoId,
      conversationId: conversation.id,
      assigneeId: agent,
      actorId: admin,
    });
    const [row] = await prisma().notification.findMany({ where: { id: { in: assigned.notificationIds } } });
    expect(row).toMatchObject({ userId: agent, title: `Conversa #${conversation.number} atribuída a você`, body: "Contato: Paula" });
    const self = await raise(server, {
      type: "CONVERSATION_ASSIGNED",
      organizationId: demoId,
      conversationId: conversation.id,
      assigneeId: agent,
      actorId: agent,
    });
    expect(self.notificationIds).toEqual([]);
  });

  it("sends alerts to the organization's admins and level-2 escalations to super admins", async () => {
    const alert = await prisma().alert.create({ data: { organizationId: demoId, title: "Fila parada", severity: "HIGH", escalationLevel: 2 } });
    const created = await raise(server, { type: "ALERT_CREATED", organizationId: demoId, alertId: alert.id });
    expect(await recipientsOf(created.notificationIds)).toEqual(["admin@demo.test"]);
    const level1 = await raise(server, { type: "ALERT_ESCALATED", organizationId: demoId, alertId: alert.id, escalationLevel: 1 });
    expect(await recipientsOf(level1.notificationIds)).toEqual(["admin@demo.test"]);
    const level2 = await raise(server, { type: "ALERT_ESCALATED", organizationId: demoId, alertId: alert.id, escalationLevel: 2 });
    expect(await recipientsOf(level2.notificationIds)).toEqual(["root@aviso.test"]);
    const [rootRow] = await prisma().notification.findMany({ where: { id: { in: level2.notificationIds } }, include: { deliveries: true } });
    // Kept in the alert's organization so its links resolve; the super admin's defaults add email and WhatsApp (no number: no WhatsApp).
    expect(rootRow).toMatchObject({ organizationId: demoId, alertId: alert.id, title: "Alerta escalado (nível 2): Fila parada" });
    expect(rootRow!.deliveries.map((d) => d.channel)).toEqual(["EMAIL"]);

    // The super admin sees it in their own inbox.
    const inbox = await server.gql(NotificationTitlesDocument, {}, await server.token("root@aviso.test"));
    expect(inbox.data?.notifications.edges[0]?.node).toEqual({ title: "Alerta escalado (nível 2): Fila parada", alert: { title: "Fila parada" } });
  });

  it("says how long a resolved alert was open, in the recipient's locale", async () => {
    const acmeId = await orgId(prisma(), "acme");
    const alert = await prisma().alert.create({
      data: {
        organizationId: acmeId,
        title: "Disk full",
        severity: "MEDIUM",
        createdAt: new Date("2026-01-01T10:00:00Z"),
        resolvedAt: new Date("2026-01-01T12:05:00Z"),
        status: "RESOLVED",
      },
    });
    const resolved = await raise(server, { type: "ALERT_RESOLVED", organizationId: acmeId, alertId: alert.id });
    const [row] = await prisma().notification.findMany({ where: { id: { in: resolved.notificationIds } } });
    expect(row).toMatchObject({ title: "Alert resolved: Disk full", body: "It was open for 2 h 5 min." });
  });

  it("raises CAMPAIGN_FAILED for the organization's admins with an email", async () => {
    const result = await raiseCampaignFailed(server.app.runtime, { organizationId: demoId, campaignName: "Natal", reason: "template rejeitado" });
    const [row] = await prisma().notification.findMany({ where: { id: { in: result.notificationIds } }, include: { user: true, deliveries: true } });
    expect(row).toMatchObject({ type: "CAMPAIGN_FAILED", title: "Falha na campanha Natal", body: "template rejeitado", user: { email: "admin@demo.test" } });
    expect(row!.deliveries.map((d) => [d.channel, queued(d.status)])).toEqual([["EMAIL", "queued"]]);
  });
});

describe("flags and preferences", () => {
  it("sends an opted-in agent's new messages to WhatsApp and email, each with its job", async () => {
    const conversation = await openConversation(prisma(), { org: "demo", assignee: "agent@demo.test" });
    const result = await receiveMessage(server, conversation);
    const deliveries = await prisma().delivery.findMany({ where: { notificationId: result.notificationIds[0] }, orderBy: { channel: "asc" } });
    expect(deliveries.map((d) => [d.channel, queued(d.status)])).toEqual([
      ["EMAIL", "queued"],
      ["WHATSAPP", "queued"],
    ]);
    const jobs = await jobsFor(deliveries.map((d) => d.id));
    expect(jobs.map((j) => j.name).sort()).toEqual(["deliver-email", "deliver-whatsapp"]);
  });

  it("keeps a new message in the app when the organization or the user flag is off", async () => {
    const conversation = await openConversation(prisma(), { org: "demo", assignee: "agent@demo.test" });
    await prisma().organization.update({ where: { id: demoId }, data: { notifyNewMessage: false } });
    const orgOff = await receiveMessage(server, conversation);
    await prisma().organization.update({ where: { id: demoId }, data: { notifyNewMessage: true } });
    expect(await prisma().delivery.count({ where: { notificationId: { in: orgOff.notificationIds } } })).toBe(0);
    expect(orgOff.notificationIds).toHaveLength(1);

    const other = await openConversation(prisma(), { org: "demo", assignee: "agent2@demo.test" });
    const agent2 = await userId(prisma(), "agent2@demo.test");
    await prisma().user.update({ where: { id: agent2 }, data: { notifyOnNewMessage: false } });
    // Even an explicit email preference does not beat the user's switch.
    await prisma().notificationPreference.create({ data: { organizationId: demoId, userId: agent2, type: "NEW_MESSAGE", channel: "EMAIL", enabled: true } });
    const userOff = await receiveMessage(server, other);
    await prisma().user.update({ where: { id: agent2 }, data: { notifyOnNewMessage: true } });
    await prisma().notificationPreference.deleteMany({ where: { userId: agent2 } });
    expect(await prisma().delivery.count({ where: { notificationId: { in: userOff.notificationIds } } })).toBe(0);
    expect(userOff.notificationIds).toHaveLength(1);
  });

  it("honours a user's override turning a default channel off", async () => {
    const agent = await userId(prisma(), "agent@demo.test");
    await prisma().notificationPreference.create({ data: { organizationId: demoId, userId: agent, type: "NEW_MESSAGE", channel: "WHATSAPP", enabled: false } });
    const result = await receiveMessage(server, await openConversation(prisma(), { org: "demo", assignee: "agent@demo.test" }));
    await prisma().notificationPreference.deleteMany({ where: { userId: agent } });
    const channels = (await prisma().delivery.findMany({ where: { notificationId: { in: result.notificationIds } } })).map((d) => d.channel);
    expect(channels).toEqual(["EMAIL"]);
  });

  it("posts an alert to the organization's Slack once, not once per admin", async () => {
    const acmeId = await orgId(prisma(), "acme");
    await prisma().organization.update({ where: { id: acmeId }, data: { slackWebhookUrl: "http://127.0.0.1:9/slack" } });
    await prisma().user.create({ data: { organizationId: acmeId, email: "admin2@acme.test", name: "Second Admin", role: "ORG_ADMIN" } });
    const alert = await prisma().alert.create({ data: { organizationId: acmeId, title: "Webhook errors", severity: "HIGH" } });
    const result = await raise(server, { type: "ALERT_CREATED", organizationId: acmeId, alertId: alert.id });
    expect(result.notificationIds).toHaveLength(2);
    const deliveries = await prisma().delivery.findMany({ where: { notificationId: { in: result.notificationIds } } });
    expect(deliveries.filter((d) => d.channel === "SLACK")).toHaveLength(1);
    expect(deliveries.filter((d) => d.channel === "EMAIL")).toHaveLength(2);
  });
});

describe("the caller's transaction", () => {
  it("writes notification, deliveries and jobs in the caller's transaction, and rolls back with it", async () => {
    const conversation = await openConversation(prisma(), { org: "demo", assignee: "agent@demo.test" });
    const runtime = server.app.runtime;
    const store = async (unit: UnitOfWork) => {
      // The message is only visible inside this transaction: the engine must read through it.
      const message = await unit.tx.message.create({
        data: { organizationId: demoId, conversationId: conversation.id, direction: "INBOUND", type: "TEXT", text: "oi" },
      });
      return notify(runtime, { type: "NEW_MESSAGE", organizationId: demoId, conversationId: conversation.id, messageId: message.id }, unit);
    };
    let rolledBack: string[] = [];
    await expect(
      inUnitOfWork(runtime.prisma, runtime.log, async (unit) => {
        rolledBack = (await store(unit)).notificationIds;
        throw new Error("webhook failed");
      }),
    ).rejects.toThrow("webhook failed");
    expect(rolledBack).toHaveLength(1);
    expect(await prisma().notification.count({ where: { conversationId: conversation.id } })).toBe(0);
    expect(await prisma().delivery.count({ where: { notificationId: { in: rolledBack } } })).toBe(0);

    const committed = await inUnitOfWork(runtime.prisma, runtime.log, (unit) => store(unit));
    const deliveries = await prisma().delivery.findMany({ where: { notificationId: { in: committed.notificationIds } } });
    expect(deliveries).toHaveLength(2);
    expect(await jobsFor(deliveries.map((d) => d.id))).toHaveLength(2);
  });
});

describe("coalescing", () => {
  it("folds five quick messages into one unread notification with count 5 and at most one email", async () => {
    const conversation = await openConversation(prisma(), { org: "demo", assignee: "agent@demo.test", contactName: "Rita" });
    const ids = new Set<string>();
    for (let i = 1; i <= 5; i++) for (const id of (await receiveMessage(server, conversation, `mensagem ${i}`)).notificationIds) ids.add(id);
    expect(ids.size).toBe(1);
    const notification = await prisma().notification.findUniqueOrThrow({ where: { id: [...ids][0]! }, include: { deliveries: true } });
    expect(notification).toMatchObject({ count: 5, body: "mensagem 5", title: "5 novas mensagens de Rita", readAt: null });
    expect(notification.deliveries.filter((d) => d.channel === "EMAIL").length).toBeLessThanOrEqual(1);
    expect(notification.deliveries.filter((d) => d.channel === "WHATSAPP").length).toBeLessThanOrEqual(1);
  });

  it("stays one notification when the messages arrive concurrently", async () => {
    const conversation = await openConversation(prisma(), { org: "demo", assignee: "agent2@demo.test" });
    const results = await Promise.all(Array.from({ length: 5 }, (_, i) => receiveMessage(server, conversation, `rajada ${i}`)));
    const ids = new Set(results.flatMap((r) => r.notificationIds));
    expect(ids.size).toBe(1);
    const notification = await prisma().notification.findUniqueOrThrow({ where: { id: [...ids][0]! }, include: { deliveries: true } });
    expect(notification.count).toBe(5);
    expect(notification.deliveries.filter((d) => d.channel === "EMAIL")).toHaveLength(1);
  });

  it("folds the next message of an unassigned conversation into each queue agent's notification, and a reader's into a fresh one", async () => {
    const conversation = await openConversation(prisma(), { org: "demo", contactName: "Bia" });
    const first = await receiveMessage(server, conversation, "primeira");
    expect(first.notificationIds.length).toBeGreaterThan(1);
    const [read, ...unread] = first.notificationIds;
    await prisma().notification.update({ where: { id: read! }, data: { readAt: new Date() } });

    const second = await receiveMessage(server, conversation, "segunda");
    expect(second.notificationIds).toHaveLength(first.notificationIds.length);
    expect(second.notificationIds).toEqual(expect.arrayContaining(unread));
    expect(second.notificationIds).not.toContain(read);
    for (const row of await prisma().notification.findMany({ where: { id: { in: unread } } })) {
      expect(row).toMatchObject({ count: 2, body: "segunda", readAt: null });
      expect(row.title).toContain("Bia");
    }
    const fresh = await prisma().notification.findMany({ where: { id: { in: second.notificationIds.filter((id) => !unread.includes(id)) } } });
    expect(fresh).toEqual([expect.objectContaining({ count: 1, body: "segunda", readAt: null })]);
  });

  it("starts a new notification once the previous one is read", async () => {
    const conversation = await openConversation(prisma(), { org: "demo", assignee: "agent@demo.test" });
    const first = await receiveMessage(server, conversation);
    await prisma().notification.updateMany({ where: { id: { in: first.notificationIds } }, data: { readAt: new Date() } });
    const second = await receiveMessage(server, conversation);
    expect(second.notificationIds[0]).not.toBe(first.notificationIds[0]);
  });

  it("does not coalesce when the organization's window is 0", async () => {
    const acmeId = await orgId(prisma(), "acme");
    await prisma().organization.update({ where: { id: acmeId }, data: { coalesceWindowSeconds: 0 } });
    const conversation = await openConversation(prisma(), { org: "acme", assignee: "agent@acme.test" });
    const a = await receiveMessage(server, conversation);
    const b = await receiveMessage(server, conversation);
    await prisma().organization.update({ where: { id: acmeId }, data: { coalesceWindowSeconds: 60 } });
    expect(a.notificationIds[0]).not.toBe(b.notificationIds[0]);
  });
});

describe("email rate limit", () => {
  it("holds the emails over the organization's hourly limit per user for the next digest, with a reason", async () => {
    const agent = await createUser(prisma(), "demo", "AGENT", { notifyOnNewMessage: true });
    for (let i = 0; i < 6; i++) await receiveMessage(server, await openConversation(prisma(), { org: "demo", assignee: agent.email }), `conversa ${i}`);
    const emails = await prisma().delivery.findMany({ where: { userId: agent.id, channel: "EMAIL" }, orderBy: { createdAt: "asc" } });
    // The first five go out (the worker may already have sent them); the sixth waits for the digest (test/notifications/digests.test.ts).
    expect(emails.map((d) => (d.digestId ? "HELD" : "QUEUED"))).toEqual(["QUEUED", "QUEUED", "QUEUED", "QUEUED", "QUEUED", "HELD"]);
    expect(emails[5]).toMatchObject({ status: "SCHEDULED" });
    expect(emails[5]!.lastError).toMatch(/^over the email limit: 5 emails in the last hour \(limit 5 per user\), held for the next digest/);
    expect(await jobsFor([emails[5]!.id])).toEqual([]);
    // The in-app notification is never limited.
    expect(await prisma().notification.count({ where: { userId: agent.id } })).toBe(6);
  });
});

describe("quiet hours", () => {
  it("schedules email and WhatsApp for the end of the window, with the job starting then, while in-app is immediate", async () => {
    const now = new Date();
    const hh = (d: Date) => `${String(d.getUTCHours()).padStart(2, "0")}:${String(d.getUTCMinutes()).padStart(2, "0")}`;
    const end = new Date(now.getTime() + 2 * 3600_000);
    const agent = await createUser(prisma(), "demo", "AGENT", { notifyOnNewMessage: true, whatsappNotificationNumber: "+5511988887777" });
    await prisma().user.update({
      where: { id: agent.id },
      data: { quietHoursStart: hh(new Date(now.getTime() - 3600_000)), quietHoursEnd: hh(end), quietHoursTimeZone: "UTC" },
    });
    const result = await receiveMessage(server, await openConversation(prisma(), { org: "demo", assignee: agent.email }));
    const deliveries = await prisma().delivery.findMany({ where: { notificationId: { in: result.notificationIds } }, orderBy: { channel: "asc" } });
    const expectedEnd = new Date(end);
    expectedEnd.setUTCSeconds(0, 0);
    expect(deliveries.map((d) => [d.channel, d.status, d.scheduledFor?.toISOString()])).toEqual([
      ["EMAIL", "SCHEDULED", expectedEnd.toISOString()],
      ["WHATSAPP", "SCHEDULED", expectedEnd.toISOString()],
    ]);
    const jobs = await jobsFor(deliveries.map((d) => d.id));
    expect(jobs.map((j) => [j.name, j.start_after.toISOString()]).sort()).toEqual([
      ["deliver-email", expectedEnd.toISOString()],
      ["deliver-whatsapp", expectedEnd.toISOString()],
    ]);
    expect(await prisma().notification.count({ where: { id: { in: result.notificationIds }, readAt: null } })).toBe(1);
  });

  it("lets a CRITICAL alert through when the organization says so", async () => {
    const admin = await createUser(prisma(), "demo", "ORG_ADMIN");
    await prisma().user.update({ where: { id: admin.id }, data: { quietHoursStart: "00:00", quietHoursEnd: "23:59", quietHoursTimeZone: "UTC" } });
    const critical = await prisma().alert.create({ data: { organizationId: demoId, title: "Tudo fora do ar", severity: "CRITICAL" } });
    const high = await prisma().alert.create({ data: { organizationId: demoId, title: "Lento", severity: "HIGH" } });
    await raise(server, { type: "ALERT_CREATED", organizationId: demoId, alertId: critical.id });
    await raise(server, { type: "ALERT_CREATED", organizationId: demoId, alertId: high.id });
    const emailFor = async (alertId: string) =>
      (await prisma().delivery.findMany({ where: { userId: admin.id, channel: "EMAIL", notification: { alertId } } })).map((d) => d.status);
    // Not deferred: pending, or already sent by the worker.
    expect(await emailFor(critical.id)).toHaveLength(1);
    expect(await emailFor(critical.id)).not.toContain("SCHEDULED");
    expect(await emailFor(high.id)).toEqual(["SCHEDULED"]);
    await prisma().organization.update({ where: { id: demoId }, data: { criticalBypassesQuietHours: false } });
    const another = await prisma().alert.create({ data: { organizationId: demoId, title: "De novo", severity: "CRITICAL" } });
    await raise(server, { type: "ALERT_CREATED", organizationId: demoId, alertId: another.id });
    await prisma().organization.update({ where: { id: demoId }, data: { criticalBypassesQuietHours: true } });
    expect(await emailFor(another.id)).toEqual(["SCHEDULED"]);
  });
});

/** The worker runs beside these tests: a created delivery may already be sent. */
function queued(status: string): string {
  return status === "PENDING" || status === "SENT" ? "queued" : status;
}

async function jobsFor(deliveryIds: string[]): Promise<Array<{ name: string; start_after: Date }>> {
  const client = new pg.Client({ connectionString: server.database.url });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string; start_after: Date }>(
      "SELECT name, start_after FROM pgboss.job WHERE data->>'deliveryId' = ANY($1::text[])",
      [deliveryIds],
    );
    return rows;
  } finally {
    await client.end();
  }
}
