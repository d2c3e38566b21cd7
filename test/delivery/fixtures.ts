import { randomBytes } from "node:crypto";
import type { AlertSeverity, DeliveryStatus, MessageType, NotificationChannel, NotificationType, PrismaClient } from "../../src/db/client.js";
import type { TestServer } from "../helpers/server.js";
import type { ExternalChannel } from "../../src/delivery/channel-types.js";
import { deliveryJobs } from "../../src/delivery/jobs.js";

export interface NotificationFixture {
  userEmail: string;
  channel: NotificationChannel;
  type?: NotificationType;
  title?: string;
  body?: string;
  count?: number;
  /** A conversation with one inbound message the notification is about. */
  conversation?: { contactName: string; text?: string | null; messageType?: MessageType };
  alert?: { title: string; severity: AlertSeverity; description?: string; category?: string; escalationLevel?: number; resolution?: string };
  status?: DeliveryStatus;
  data?: Record<string, unknown>;
}

/** What the notification engine writes: a notification (and what it is about) and one delivery. */
export async function createNotificationWithDelivery(prisma: PrismaClient, fixture: NotificationFixture) {
  const user = await prisma.user.findUniqueOrThrow({ where: { email: fixture.userEmail } });
  const organizationId = user.organizationId;
  let conversationId: string | null = null;
  let messageId: string | null = null;
  if (fixture.conversation) {
    const { conversationSeq } = await prisma.organization.update({ where: { id: organizationId }, data: { conversationSeq: { increment: 1 } } });
    const contact = await prisma.contact.create({
      data: { organizationId, name: fixture.conversation.contactName, waId: `55119${randomBytes(4).readUInt32BE() % 100000000}`, phone: "+5511900000000" },
    });
    const conversation = await prisma.conversation.create({ data: { organizationId, number: conversationSeq, contactId: contact.id, assigneeId: user.id } });
    const message = await prisma.message.create({
      data: { organizationId, conversationId: conversation.id, direction: "INBOUND", type: fixture.conversation.messageType ?? "TEXT", text: fixture.conversation.text ?? null },
    });
    conversationId = conversation.id;
    messageId = message.id;
  }
  const alert = fixture.alert
    ? await prisma.alert.create({
        data: {
          organizationId,
          title: fixture.alert.title,
          severity: fixture.alert.severity,
          description: fixture.alert.description ?? null,
          category: fixture.alert.category ?? null,
          escalationLevel: fixture.alert.escalationLevel ?? 0,
          resolution: fixture.alert.resolution ?? null,
        },
      })
    : null;
  const notification = await prisma.notification.create({
    data: {
      organizationId,
      userId: user.id,
      type: fixture.type ?? (alert ? "ALERT_CREATED" : "NEW_MESSAGE"),
      title: fixture.title ?? "Notificação",
      body: fixture.body ?? "",
      count: fixture.count ?? 1,
      conversationId,
      alertId: alert?.id ?? null,
      data: { ...(messageId ? { messageId } : {}), ...fixture.data },
    },
  });
  const delivery = await prisma.delivery.create({
    data: { organizationId, notificationId: notification.id, userId: user.id, channel: fixture.channel, status: fixture.status ?? "PENDING" },
  });
  return { user, notification, delivery, conversationId, alertId: alert?.id ?? null };
}

/** Enqueues a delivery exactly as the notification engine does. */
export function enqueue(server: TestServer, channel: ExternalChannel, deliveryId: string) {
  return server.app.runtime.jobs.send(deliveryJobs[channel], { deliveryId });
}

/** Polls until `check` returns a value (not undefined/false), or fails after `timeoutMs`. */
export async function waitFor<T>(check: () => Promise<T | undefined | false | null>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false && value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Waits until the delivery reaches one of `statuses` and returns the row. */
export function waitForStatus(server: TestServer, deliveryId: string, statuses: DeliveryStatus[], timeoutMs?: number) {
  return waitFor(
    async () => {
      const row = await server.app.runtime.prisma.delivery.findUniqueOrThrow({ where: { id: deliveryId } });
      return statuses.includes(row.status) ? row : undefined;
    },
    `delivery ${deliveryId} to become ${statuses.join("/")}`,
    timeoutMs,
  );
}
