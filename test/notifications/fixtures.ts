import { encodeGlobalID } from "@pothos/plugin-relay";
import type { MessageType, PrismaClient } from "../../src/db/client.js";
import { notify } from "../../src/notifications/engine.js";
import type { NotificationEvent } from "../../src/notifications/events.js";
import type { TestServer } from "../helpers/server.js";

/** Polls until `check` returns a value other than undefined/false, or fails after the deadline. */
export async function eventually<T>(check: () => Promise<T | undefined | false>, what = "condition", deadlineMs = 10_000): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export const gid = (typename: string, id: string) => encodeGlobalID(typename, id);

export async function userId(prisma: PrismaClient, email: string): Promise<string> {
  return (await prisma.user.findUniqueOrThrow({ where: { email } })).id;
}

export async function orgId(prisma: PrismaClient, slug: string): Promise<string> {
  return (await prisma.organization.findUniqueOrThrow({ where: { slug } })).id;
}

let contactCounter = 0;

/** A contact and an open conversation, in the organization's first queue unless told otherwise. */
export async function openConversation(
  prisma: PrismaClient,
  options: { org: string; assignee?: string | null; queueId?: string | null; contactName?: string },
): Promise<{ id: string; organizationId: string; number: number }> {
  const organizationId = await orgId(prisma, options.org);
  const queue = options.queueId === undefined ? await prisma.queue.findFirst({ where: { organizationId } }) : null;
  const { conversationSeq } = await prisma.organization.update({ where: { id: organizationId }, data: { conversationSeq: { increment: 1 } } });
  contactCounter += 1;
  const contact = await prisma.contact.create({
    data: { organizationId, waId: `5511977${String(Date.now()).slice(-4)}${contactCounter}`, phone: `5511977000${contactCounter}`, name: options.contactName ?? `Cliente ${contactCounter}` },
  });
  const conversation = await prisma.conversation.create({
    data: {
      organizationId,
      number: conversationSeq,
      contactId: contact.id,
      queueId: options.queueId === undefined ? (queue?.id ?? null) : options.queueId,
      assigneeId: options.assignee ? await userId(prisma, options.assignee) : null,
    },
  });
  return { id: conversation.id, organizationId, number: conversation.number };
}

/** Stores an inbound message and hands NEW_MESSAGE to the engine, as the webhook processor will. */
export async function receiveMessage(
  server: TestServer,
  conversation: { id: string; organizationId: string },
  text: string | null = "Olá, preciso de ajuda",
  type: MessageType = "TEXT",
  now?: Date,
) {
  const { prisma } = server.app.runtime;
  const message = await prisma.message.create({
    data: { organizationId: conversation.organizationId, conversationId: conversation.id, direction: "INBOUND", type, text },
  });
  return notify(server.app.runtime, { type: "NEW_MESSAGE", organizationId: conversation.organizationId, conversationId: conversation.id, messageId: message.id }, undefined, { ...(now ? { now } : {}) });
}

export function raise(server: TestServer, event: NotificationEvent) {
  return notify(server.app.runtime, event);
}

/** A notification written straight into the inbox, to anchor `notificationAdded(after:)` in tests. */
export async function anchorNotification(prisma: PrismaClient, email: string): Promise<string> {
  const user = await prisma.user.findUniqueOrThrow({ where: { email } });
  const row = await prisma.notification.create({
    data: { organizationId: user.organizationId, userId: user.id, type: "CAMPAIGN_FAILED", title: "anchor", body: "anchor", readAt: new Date() },
  });
  return gid("Notification", row.id);
}

export const NOTIFICATION_FIELDS = "id type title body count readAt archivedAt conversation { id number } deliveries { channel status }";

let userCounter = 0;

/** A new active user, so a test's email counts and preferences start from zero. */
export async function createUser(
  prisma: PrismaClient,
  org: string,
  role: "AGENT" | "ORG_ADMIN" | "SUPER_ADMIN" | "VIEWER",
  extras: { whatsappNotificationNumber?: string; notifyOnNewMessage?: boolean; locale?: string } = {},
): Promise<{ id: string; email: string }> {
  userCounter += 1;
  const email = `${role.toLowerCase()}-${userCounter}-${Date.now()}@${org}.test`;
  return prisma.user.create({
    data: { organizationId: await orgId(prisma, org), email, name: `Test ${role} ${userCounter}`, role, ...extras },
    select: { id: true, email: true },
  });
}
