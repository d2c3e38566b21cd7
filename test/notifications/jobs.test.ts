import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deleteExpiredNotifications, sendSlaWarnings } from "../../src/notifications/jobs.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { createUser, openConversation, orgId } from "./fixtures.js";

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.stop());

describe("SLA warnings", () => {
  it("warns the assignee once about a conversation waiting past the organization's first-reply limit", async () => {
    const { prisma } = server.app.runtime;
    const agent = await createUser(prisma, "demo", "AGENT");
    const now = new Date();
    // demo's limit is 900 s: 20 minutes is overdue, 5 minutes is not.
    const overdue = await openConversation(prisma, { org: "demo", assignee: agent.email, contactName: "Lenta" });
    const recent = await openConversation(prisma, { org: "demo", assignee: agent.email });
    await prisma.conversation.update({ where: { id: overdue.id }, data: { awaitingReplySince: new Date(now.getTime() - 20 * 60_000) } });
    await prisma.conversation.update({ where: { id: recent.id }, data: { awaitingReplySince: new Date(now.getTime() - 5 * 60_000) } });

    await sendSlaWarnings(server.app.runtime, now);
    await sendSlaWarnings(server.app.runtime, now);

    const warnings = await prisma.notification.findMany({ where: { userId: agent.id, type: "SLA_WARNING" } });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({
      conversationId: overdue.id,
      title: `Conversa #${overdue.number} aguardando resposta`,
      body: "Lenta espera uma primeira resposta há 20 min.",
    });
    expect((await prisma.conversation.findUniqueOrThrow({ where: { id: overdue.id } })).slaWarnedAt?.toISOString()).toBe(now.toISOString());
    expect((await prisma.conversation.findUniqueOrThrow({ where: { id: recent.id } })).slaWarnedAt).toBeNull();
  });

  it("warns the organization's admins when nobody is assigned and the queue has no agents", async () => {
    const { prisma } = server.app.runtime;
    const acmeId = await orgId(prisma, "acme");
    const conversation = await openConversation(prisma, { org: "acme", assignee: null, queueId: null });
    await prisma.conversation.update({ where: { id: conversation.id }, data: { awaitingReplySince: new Date(Date.now() - 3600_000) } });
    await sendSlaWarnings(server.app.runtime);
    const warnings = await prisma.notification.findMany({ where: { conversationId: conversation.id, type: "SLA_WARNING" }, include: { user: true } });
    expect(warnings.map((w) => w.user.email)).toEqual(["admin@acme.test"]);
    expect(warnings[0]!.organizationId).toBe(acmeId);
  });
});

describe("retention", () => {
  it("deletes read notifications older than NOTIFICATION_RETENTION_DAYS and keeps the rest", async () => {
    const { prisma, config } = server.app.runtime;
    const user = await createUser(prisma, "demo", "AGENT");
    const organizationId = await orgId(prisma, "demo");
    const old = new Date(Date.now() - (config.NOTIFICATION_RETENTION_DAYS + 1) * 24 * 3600_000);
    const base = { organizationId, userId: user.id, type: "CAMPAIGN_FAILED" as const, title: "t", body: "b" };
    const oldRead = await prisma.notification.create({ data: { ...base, createdAt: old, readAt: old } });
    const oldUnread = await prisma.notification.create({ data: { ...base, createdAt: old } });
    const recentRead = await prisma.notification.create({ data: { ...base, readAt: new Date() } });
    await deleteExpiredNotifications(server.app.runtime);
    const left = (await prisma.notification.findMany({ where: { userId: user.id } })).map((n) => n.id).sort();
    expect(left).toEqual([oldUnread.id, recentRead.id].sort());
    expect(left).not.toContain(oldRead.id);
  });
});
