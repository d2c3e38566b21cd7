import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAlertAs } from "../../src/alerts/create-alert.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { DEMO_PHONE_NUMBER_ID, inboundWebhook, postWebhook } from "../helpers/meta.js";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.stop());

const prisma = () => server.app.runtime.prisma;

/** Who got a NEW_MESSAGE about the conversation of `waId`'s latest message. */
async function notifiedAbout(waId: string): Promise<string[]> {
  const conversation = await prisma().conversation.findFirstOrThrow({ where: { contact: { waId } } });
  const notifications = await prisma().notification.findMany({ where: { conversationId: conversation.id, type: "NEW_MESSAGE" }, include: { user: true } });
  return notifications.map((n) => n.user.email).sort();
}

// Each instance keeps the organization's members in memory; any write that changes them,
// whatever code (or instance) makes it, must be seen by the very next webhook.
describe("the members cache behind recipients and the anti-loop rule", () => {
  it("sees a user deactivated by a write outside this instance's code at the next webhook", async () => {
    await postWebhook(server.url, inboundWebhook({ text: "primeira", from: "5511955550001" }).body);
    const before = await notifiedAbout("5511955550001");
    expect(before).toContain("agent2@demo.test");

    await prisma().$executeRawUnsafe(`UPDATE "User" SET active = false WHERE email = 'agent2@demo.test'`);
    try {
      await postWebhook(server.url, inboundWebhook({ text: "segunda", from: "5511955550002" }).body);
      const after = await notifiedAbout("5511955550002");
      expect(after).not.toContain("agent2@demo.test");
      expect(after).toEqual(before.filter((email) => email !== "agent2@demo.test"));
    } finally {
      await prisma().$executeRawUnsafe(`UPDATE "User" SET active = true WHERE email = 'agent2@demo.test'`);
    }
    await postWebhook(server.url, inboundWebhook({ text: "terceira", from: "5511955550003" }).body);
    expect(await notifiedAbout("5511955550003")).toEqual(before);
  });

  it("treats a number verified a moment ago as the agent's own (no notification, no loop)", async () => {
    await postWebhook(server.url, inboundWebhook({ text: "cliente ainda", from: "5511955550010" }).body);
    expect((await notifiedAbout("5511955550010")).length).toBeGreaterThan(0);

    await prisma().$executeRawUnsafe(
      `UPDATE "User" SET "whatsappNotificationNumber" = '+5511955550011', "whatsappNumberVerifiedAt" = now() WHERE email = 'agent2@demo.test'`,
    );
    try {
      await postWebhook(server.url, inboundWebhook({ text: "sou eu", from: "5511955550011" }).body);
      expect(await notifiedAbout("5511955550011")).toEqual([]);
      const agent2 = await prisma().user.findUniqueOrThrow({ where: { email: "agent2@demo.test" } });
      expect(agent2.whatsappLastInboundAt).not.toBeNull();
    } finally {
      await prisma().$executeRawUnsafe(
        `UPDATE "User" SET "whatsappNotificationNumber" = NULL, "whatsappNumberVerifiedAt" = NULL, "whatsappLastInboundAt" = NULL WHERE email = 'agent2@demo.test'`,
      );
    }
  });

  it("follows queue memberships added and removed behind its back", async () => {
    const organization = await prisma().organization.findUniqueOrThrow({ where: { slug: "demo" } });
    const number = await prisma().whatsAppNumber.findFirstOrThrow({ where: { organizationId: organization.id, phoneNumberId: DEMO_PHONE_NUMBER_ID } });
    const queueId = number.defaultQueueId!;
    const agent = await prisma().user.findUniqueOrThrow({ where: { email: "agent@demo.test" } });
    const members = await prisma().queueMember.findMany({ where: { queueId } });
    // Only agent@ in the number's queue: only agent@ hears of its new conversations.
    await prisma().$executeRawUnsafe(`DELETE FROM "QueueMember" WHERE "queueId" = $1::uuid`, queueId);
    await prisma().$executeRawUnsafe(
      `INSERT INTO "QueueMember" ("queueId", "userId", "organizationId") VALUES ($1::uuid, $2::uuid, $3::uuid)`,
      queueId,
      agent.id,
      organization.id,
    );
    try {
      await postWebhook(server.url, inboundWebhook({ text: "fila", from: "5511955550020" }).body);
      expect(await notifiedAbout("5511955550020")).toEqual(["agent@demo.test"]);
    } finally {
      await prisma().$executeRawUnsafe(`DELETE FROM "QueueMember" WHERE "queueId" = $1::uuid`, queueId);
      if (members.length > 0) await prisma().queueMember.createMany({ data: members });
    }
  });

  it("hands an alert to the organization's admins of this version: one promoted and one deactivated behind its back", async () => {
    const adminUser = await prisma().user.findUniqueOrThrow({ where: { email: "admin@demo.test" } });
    // Raised as the monitoring would (no HTTP: the admin's own standing is not the point).
    const alertedAbout = async (title: string) => {
      const { alert } = await createAlertAs(server.app.runtime, { organizationId: adminUser.organizationId, userId: null }, { title, severity: "LOW" });
      const notifications = await prisma().notification.findMany({ where: { alertId: alert.id, type: "ALERT_CREATED" }, include: { user: true } });
      return notifications.map((n) => n.user.email).sort();
    };
    // The first alert loads the members into the cache; later writes bypass this instance's code.
    expect(await alertedAbout("cache: before")).toEqual(["admin@demo.test"]);
    await prisma().$executeRawUnsafe(`UPDATE "User" SET role = 'ORG_ADMIN' WHERE email = 'agent2@demo.test'`);
    try {
      expect(await alertedAbout("cache: promoted")).toEqual(["admin@demo.test", "agent2@demo.test"]);
      await prisma().$executeRawUnsafe(`UPDATE "User" SET active = false WHERE email = 'admin@demo.test'`);
      expect(await alertedAbout("cache: deactivated")).toEqual(["agent2@demo.test"]);
    } finally {
      await prisma().$executeRawUnsafe(`UPDATE "User" SET role = 'AGENT' WHERE email = 'agent2@demo.test'`);
      await prisma().$executeRawUnsafe(`UPDATE "User" SET active = true WHERE email = 'admin@demo.test'`);
    }
  });
});
