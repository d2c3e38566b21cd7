import { createECDH } from "node:crypto";
import { encodeGlobalID } from "@pothos/plugin-relay";
import type { PrismaClient } from "../../src/db/client.js";

/** One organization's rows of every kind, by database id. */
export interface OrganizationRows {
  organization: string;
  admin: string;
  agent: string;
  contact: string;
  conversation: string;
  message: string;
  notification: string;
  delivery: string;
  alert: string;
  queue: string;
  number: string;
  apiKey: string;
}

export type Entity = keyof OrganizationRows;

export const TYPENAMES: Record<Entity, string> = {
  organization: "Organization",
  admin: "User",
  agent: "User",
  contact: "Contact",
  conversation: "Conversation",
  message: "Message",
  notification: "Notification",
  delivery: "Delivery",
  alert: "Alert",
  queue: "Queue",
  number: "WhatsAppNumber",
  apiKey: "ApiKey",
};

export interface SeededOrganization {
  slug: string;
  rows: OrganizationRows;
  /** The relay id of each row, as the API hands them out. */
  globalIds: Record<Entity, string>;
  /** Strings only this organization's data holds: ids, names, emails, phones, texts. */
  markers: string[];
  /** The admin's browser push subscription (not a relay node: reachable by its endpoint only). */
  pushSubscription: { endpoint: string; keys: { p256dh: string; auth: string } };
}

/**
 * Gives a seeded organization one of everything — a contact, a conversation with a
 * message, an unread notification with a DEAD email delivery, an open alert — with
 * texts and phone numbers that name the organization (`label`), so a response that
 * carries any of them is a leak.
 */
export async function populateOrganization(prisma: PrismaClient, slug: string, label: string, phone: string): Promise<SeededOrganization> {
  const organization = await prisma.organization.findUniqueOrThrow({ where: { slug } });
  const organizationId = organization.id;
  const users = await prisma.user.findMany({ where: { organizationId } });
  const admin = users.find((u) => u.role === "ORG_ADMIN")!;
  const agent = users.find((u) => u.role === "AGENT")!;
  const queue = await prisma.queue.findFirstOrThrow({ where: { organizationId } });
  const number = await prisma.whatsAppNumber.findFirstOrThrow({ where: { organizationId } });
  const { conversationSeq } = await prisma.organization.update({ where: { id: organizationId }, data: { conversationSeq: { increment: 1 } } });
  const contact = await prisma.contact.create({ data: { organizationId, waId: phone, phone, name: `Cliente secreto ${label}` } });
  const conversation = await prisma.conversation.create({
    data: { organizationId, number: conversationSeq, contactId: contact.id, queueId: queue.id, assigneeId: agent.id, unreadCount: 1, lastMessageAt: new Date() },
  });
  const message = await prisma.message.create({
    data: { organizationId, conversationId: conversation.id, direction: "INBOUND", type: "TEXT", text: `mensagem secreta ${label}`, externalId: `wamid.secret-${label}` },
  });
  const notification = await prisma.notification.create({
    data: { organizationId, userId: admin.id, type: "NEW_MESSAGE", title: `aviso secreto ${label}`, body: `corpo secreto ${label}`, conversationId: conversation.id },
  });
  const delivery = await prisma.delivery.create({
    data: { organizationId, notificationId: notification.id, userId: admin.id, channel: "EMAIL", status: "DEAD", attempts: 5, lastError: `smtp refused secret ${label}`, failedAt: new Date() },
  });
  const ecdh = createECDH("prime256v1");
  ecdh.generateKeys();
  const pushSubscription = {
    endpoint: `https://push.example.test/secret-${label}-${organizationId}`,
    keys: { p256dh: ecdh.getPublicKey().toString("base64url"), auth: Buffer.alloc(16, label.charCodeAt(0)).toString("base64url") },
  };
  await prisma.webPushSubscription.create({ data: { organizationId, userId: admin.id, endpoint: pushSubscription.endpoint, ...pushSubscription.keys, userAgent: `navegador secreto ${label}` } });
  await prisma.digestPreference.create({ data: { organizationId, userId: admin.id, channel: "EMAIL", frequency: "DAILY", dailyAt: "18:00", timeZone: "America/Sao_Paulo" } });
  const alert = await prisma.alert.create({
    data: { organizationId, title: `alerta secreto ${label}`, description: `descricao secreta ${label}`, severity: "HIGH", category: `categoria-${label}`, dedupeKey: `dedupe-${label}` },
  });
  const apiKey = await prisma.apiKey.create({
    data: { organizationId, name: `chave secreta ${label}`, prefix: `aviso_${label}secret`, secretHash: `hash-secreto-${label}-${phone}`, scopes: ["ALERTS_WRITE"], createdById: admin.id },
  });
  const rows: OrganizationRows = {
    organization: organizationId,
    admin: admin.id,
    agent: agent.id,
    contact: contact.id,
    conversation: conversation.id,
    message: message.id,
    notification: notification.id,
    delivery: delivery.id,
    alert: alert.id,
    queue: queue.id,
    number: number.id,
    apiKey: apiKey.id,
  };
  const globalIds = Object.fromEntries(Object.entries(rows).map(([entity, id]) => [entity, encodeGlobalID(TYPENAMES[entity as Entity], id)])) as Record<Entity, string>;
  const markers = [
    ...Object.values(rows),
    ...Object.values(globalIds),
    ...users.flatMap((u) => [u.id, encodeGlobalID("User", u.id), u.email, u.name, ...(u.whatsappNotificationNumber ? [u.whatsappNotificationNumber] : [])]),
    phone,
    contact.name!,
    message.text!,
    message.externalId!,
    notification.title,
    notification.body,
    delivery.lastError!,
    alert.title,
    alert.description!,
    alert.category!,
    number.phoneNumberId,
    number.displayPhoneNumber,
    number.accessToken,
    pushSubscription.endpoint,
    `navegador secreto ${label}`,
    apiKey.name,
    apiKey.prefix,
    apiKey.secretHash,
  ];
  return { slug, rows, globalIds, markers: [...new Set(markers)], pushSubscription };
}

/** The markers of `organization` found in `response` (serialized as JSON). */
export function leaksIn(response: unknown, organization: SeededOrganization, extraMarkers: string[] = []): string[] {
  const text = JSON.stringify(response);
  return [...organization.markers, ...extraMarkers].filter((marker) => text.includes(marker));
}

/**
 * Every row of the organization, of every model, serialized: equal before and after
 * means nothing of it changed.
 */
export async function snapshotOrganization(prisma: PrismaClient, organizationId: string): Promise<string> {
  const where = { organizationId };
  const byId = { orderBy: { id: "asc" as const } };
  const tables = {
    organization: await prisma.organization.findMany({ where: { id: organizationId } }),
    users: await prisma.user.findMany({ where, ...byId }),
    numbers: await prisma.whatsAppNumber.findMany({ where, ...byId }),
    queues: await prisma.queue.findMany({ where, ...byId }),
    queueMembers: await prisma.queueMember.findMany({ where, orderBy: [{ queueId: "asc" }, { userId: "asc" }] }),
    contacts: await prisma.contact.findMany({ where, ...byId }),
    conversations: await prisma.conversation.findMany({ where, ...byId }),
    messages: await prisma.message.findMany({ where, ...byId }),
    notifications: await prisma.notification.findMany({ where, ...byId }),
    deliveries: await prisma.delivery.findMany({ where, ...byId }),
    preferences: await prisma.notificationPreference.findMany({ where, ...byId }),
    alerts: await prisma.alert.findMany({ where, ...byId }),
    auditLog: await prisma.auditLog.findMany({ where, ...byId }),
    webPushSubscriptions: await prisma.webPushSubscription.findMany({ where, ...byId }),
    digestPreferences: await prisma.digestPreference.findMany({ where, ...byId }),
    digests: await prisma.digest.findMany({ where, ...byId }),
    apiKeys: await prisma.apiKey.findMany({ where, ...byId }),
  };
  return JSON.stringify(tables, (_key, value: unknown) => (typeof value === "bigint" ? value.toString() : value));
}
