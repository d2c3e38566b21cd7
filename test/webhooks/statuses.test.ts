import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/server.js";
import {
  ACME_PHONE_NUMBER_ID,
  DEMO_PHONE_NUMBER_ID,
  metaFixture,
  postWebhook,
  sampleChange,
  sampleStatus,
  sampleWamid,
  sampleWebhook,
} from "../helpers/meta.js";

let server: TestServer;
let demoId: string;
beforeAll(async () => {
  server = await startTestServer();
  demoId = (await server.app.runtime.prisma.organization.findUniqueOrThrow({ where: { slug: "demo" } })).id;
});
afterAll(() => server?.stop());

/** An outbound message of demo's and the WhatsApp delivery of a notification, both carrying `wamid`. */
async function sentRows(wamid: string, status: "PENDING" | "SENT" = "SENT") {
  const { prisma } = server.app.runtime;
  const agent = await prisma.user.findUniqueOrThrow({ where: { email: "agent@demo.test" } });
  const contact = await prisma.contact.create({ data: { organizationId: demoId, waId: `55119${Math.floor(Math.random() * 1e8)}` } });
  const conversation = await prisma.conversation.create({
    data: { organizationId: demoId, contactId: contact.id, number: 10_000 + Math.floor(Math.random() * 1e6) },
  });
  const message = await prisma.message.create({
    data: { organizationId: demoId, conversationId: conversation.id, direction: "OUTBOUND", type: "TEXT", text: "Posso ajudar?", externalId: wamid, status },
  });
  const notification = await prisma.notification.create({ data: { organizationId: demoId, userId: agent.id, type: "NEW_MESSAGE", title: "t", body: "b" } });
  const delivery = await prisma.delivery.create({
    data: {
      organizationId: demoId,
      notificationId: notification.id,
      userId: agent.id,
      channel: "WHATSAPP",
      status,
      providerMessageId: wamid,
      sentAt: new Date(),
    },
  });
  return { messageId: message.id, deliveryId: delivery.id };
}

async function report(wamid: string, status: "sent" | "delivered" | "read" | "failed", options: { errors?: unknown[]; phoneNumberId?: string } = {}) {
  const body = sampleWebhook([
    sampleChange({ phoneNumberId: options.phoneNumberId ?? DEMO_PHONE_NUMBER_ID, statuses: [sampleStatus(wamid, status, options)] }),
  ]);
  expect((await postWebhook(server.url, body)).status).toBe(200);
}

async function rows(ids: { messageId: string; deliveryId: string }) {
  const { prisma } = server.app.runtime;
  return {
    message: await prisma.message.findUniqueOrThrow({ where: { id: ids.messageId } }),
    delivery: await prisma.delivery.findUniqueOrThrow({ where: { id: ids.deliveryId } }),
  };
}

describe("status webhooks move outbound messages and WhatsApp deliveries forward only", () => {
  it("sent, delivered, read move both forward with their times (fixtures from Meta's examples)", async () => {
    const wamid = "wamid.HBgNNTUxMTk4ODg4MDAwMRUCABEYEjgxQkVFRDVBQTVDODFDOTg3MQA=";
    const ids = await sentRows(wamid, "PENDING");
    await postWebhook(server.url, metaFixture("status-sent"));
    expect((await rows(ids)).message.status).toBe("SENT");
    expect((await rows(ids)).delivery.status).toBe("SENT");
    await postWebhook(server.url, metaFixture("status-delivered"));
    let current = await rows(ids);
    expect([current.message.status, current.delivery.status]).toEqual(["DELIVERED", "DELIVERED"]);
    expect(current.delivery.deliveredAt?.toISOString()).toBe(new Date(1750857384 * 1000).toISOString());
    await postWebhook(server.url, metaFixture("status-read"));
    current = await rows(ids);
    expect([current.message.status, current.delivery.status]).toEqual(["READ", "READ"]);
    expect(current.delivery.readAt).not.toBeNull();
  });

  it("a late delivered (or sent) after read changes nothing", async () => {
    const wamid = sampleWamid();
    const ids = await sentRows(wamid);
    await report(wamid, "read");
    await report(wamid, "delivered");
    await report(wamid, "sent");
    const current = await rows(ids);
    expect([current.message.status, current.delivery.status]).toEqual(["READ", "READ"]);
    expect(current.delivery.deliveredAt).toBeNull();
  });

  it("failed records Meta's error on the delivery and the message, and nothing moves it afterwards", async () => {
    const wamid = "wamid.HBgNNTUxMTk4ODg4MDAwMRUCABEYEjgxQkVFRDVBQTVDODFDOTg3MQA=";
    // The fixtures' wamid: reuse it on fresh rows by clearing the first test's.
    await server.app.runtime.prisma.message.deleteMany({ where: { externalId: wamid } });
    await server.app.runtime.prisma.delivery.deleteMany({ where: { providerMessageId: wamid } });
    const ids = await sentRows(wamid);
    await postWebhook(server.url, metaFixture("status-failed"));
    let current = await rows(ids);
    expect([current.message.status, current.delivery.status]).toEqual(["FAILED", "FAILED"]);
    expect(current.delivery.failedAt).not.toBeNull();
    expect(current.delivery.lastError).toBe(
      "131047 Re-engagement message: Message failed to send because more than 24 hours have passed since the customer last replied to this number.",
    );
    expect(current.message.errors).toMatchObject([{ code: 131047, title: "Re-engagement message" }]);
    await report(wamid, "delivered");
    await report(wamid, "read");
    current = await rows(ids);
    expect([current.message.status, current.delivery.status]).toEqual(["FAILED", "FAILED"]);
  });

  it("a failure after read does not undo read", async () => {
    const wamid = sampleWamid();
    const ids = await sentRows(wamid);
    await report(wamid, "read");
    await report(wamid, "failed", { errors: [{ code: 131000, title: "Something went wrong" }] });
    const current = await rows(ids);
    expect([current.message.status, current.delivery.status]).toEqual(["READ", "READ"]);
    expect(current.delivery.lastError).toBeNull();
  });

  it("a status reported on another organization's number does not touch demo's rows", async () => {
    const wamid = sampleWamid();
    const ids = await sentRows(wamid);
    await report(wamid, "read", { phoneNumberId: ACME_PHONE_NUMBER_ID });
    await report(wamid, "read", { phoneNumberId: "999999999999999" });
    const current = await rows(ids);
    expect([current.message.status, current.delivery.status]).toEqual(["SENT", "SENT"]);
  });

  it("never changes an inbound message's status", async () => {
    const { prisma } = server.app.runtime;
    const wamid = sampleWamid();
    const ids = await sentRows(wamid);
    await prisma.message.update({ where: { id: ids.messageId }, data: { direction: "INBOUND", status: "RECEIVED" } });
    await report(wamid, "read");
    expect((await rows(ids)).message.status).toBe("RECEIVED");
  });
});
