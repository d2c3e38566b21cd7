import { z } from "zod";
import { MessageDirection, type Delivery, type Message, type PrismaClient } from "../db/client.js";
import type { DeliveryContext } from "./channel.js";
import { localeOf } from "../text/locale.js";

/** What other domains may leave in Notification.data that channels use. */
const notificationData = z
  .object({
    messageId: z.string().uuid().optional(),
    test: z.boolean().optional(),
    /** A triggered notification's link (triggerNotification's `url`). */
    url: z.string().url().nullable().optional(),
  })
  .passthrough();

export function dataOf(data: unknown): z.output<typeof notificationData> {
  const parsed = notificationData.safeParse(data ?? {});
  return parsed.success ? parsed.data : {};
}

/** Reads one delivery and what its channel needs (see `loadDeliveries`). */
export async function loadDelivery(prisma: PrismaClient, deliveryId: string): Promise<DeliveryContext | null> {
  return (await loadDeliveries(prisma, [deliveryId])).get(deliveryId) ?? null;
}

/** Rows of organization-owned tables, as related reads return them. */
interface Owned {
  id: string;
  organizationId: string;
}

/** A related row, only when it belongs to the delivery's organization. */
function ownRow<T extends Owned>(rows: Map<string, T>, id: string | null, organizationId: string): T | null {
  const row = id ? rows.get(id) : undefined;
  return row && row.organizationId === organizationId ? row : null;
}

const byId = <T extends { id: string }>(rows: T[]) => new Map(rows.map((row) => [row.id, row]));
const distinct = (values: Array<string | null>) => [...new Set(values.filter((v): v is string => v !== null))];

/**
 * Reads deliveries and what their channels need, in a few queries whatever their number
 * (a worker's batch): the deliveries, then their notifications, users and organizations,
 * then conversations and alerts, then the messages. Jobs use the unscoped client, so
 * every related read is filtered by the deliveries' organizations, and a row is used
 * only for a delivery of its own organization: a stray id can never pull another
 * organization's data into a message. Missing deliveries, or ones whose rows are gone,
 * are absent from the map.
 */
export async function loadDeliveries(prisma: PrismaClient, deliveryIds: string[]): Promise<Map<string, DeliveryContext>> {
  const contexts = new Map<string, DeliveryContext>();
  const ids = distinct(deliveryIds);
  if (ids.length === 0) return contexts;
  const deliveries = await prisma.delivery.findMany({ where: { id: { in: ids } } });
  if (deliveries.length === 0) return contexts;
  const organizationIds = distinct(deliveries.map((d) => d.organizationId));
  const [notifications, users, organizations] = await Promise.all([
    prisma.notification.findMany({ where: { id: { in: distinct(deliveries.map((d) => d.notificationId)) }, organizationId: { in: organizationIds } } }),
    prisma.user.findMany({ where: { id: { in: distinct(deliveries.map((d) => d.userId)) }, organizationId: { in: organizationIds } } }),
    prisma.organization.findMany({ where: { id: { in: organizationIds } } }),
  ]);
  const notificationsById = byId(notifications);
  const conversationIds = distinct(notifications.map((n) => n.conversationId));
  const alertIds = distinct(notifications.map((n) => n.alertId));
  const [conversations, alerts] = await Promise.all([
    conversationIds.length > 0
      ? prisma.conversation.findMany({ where: { id: { in: conversationIds }, organizationId: { in: organizationIds } }, include: { contact: true } })
      : [],
    alertIds.length > 0 ? prisma.alert.findMany({ where: { id: { in: alertIds }, organizationId: { in: organizationIds } } }) : [],
  ]);
  const usersById = byId(users);
  const organizationsById = byId(organizations);
  const conversationsById = byId(conversations);
  const alertsById = byId(alerts);

  for (const delivery of deliveries) {
    const { organizationId } = delivery;
    const notification = ownRow(notificationsById, delivery.notificationId, organizationId);
    const user = ownRow(usersById, delivery.userId, organizationId);
    // Its own organization: looked up by the delivery's organizationId itself.
    const organization = organizationsById.get(organizationId);
    if (!notification || !user || !organization) continue;
    contexts.set(delivery.id, {
      delivery,
      notification,
      user,
      organization,
      conversation: ownRow(conversationsById, notification.conversationId, organizationId),
      alert: ownRow(alertsById, notification.alertId, organizationId),
      message: null,
      locale: localeOf(user.locale, organization.locale),
    });
  }
  await attachMessages(prisma, [...contexts.values()], organizationIds);
  return contexts;
}

/**
 * NEW_MESSAGE previews: the message the notification names, or else the conversation's
 * latest customer message. Named ones in one query; the fallback (older notifications
 * without a messageId) one query per conversation.
 */
async function attachMessages(prisma: PrismaClient, contexts: DeliveryContext[], organizationIds: string[]): Promise<void> {
  const wanting = contexts.filter((c) => c.notification.type === "NEW_MESSAGE" && c.conversation);
  const named = wanting.flatMap((context) => {
    const { messageId } = dataOf(context.notification.data);
    return messageId ? [{ context, messageId }] : [];
  });
  const unnamed = wanting.filter((context) => !dataOf(context.notification.data).messageId);
  const messages =
    named.length > 0
      ? byId(
          await prisma.message.findMany({
            where: {
              id: { in: distinct(named.map((n) => n.messageId)) },
              organizationId: { in: organizationIds },
              conversationId: { in: distinct(named.map((n) => n.context.conversation!.id)) },
            },
          }),
        )
      : new Map<string, Message>();
  for (const { context, messageId } of named) {
    const message = ownRow(messages, messageId, context.delivery.organizationId);
    context.message = message && message.conversationId === context.conversation!.id ? message : null;
  }
  await Promise.all(unnamed.map(async (context) => (context.message = await latestInbound(prisma, context.delivery, context.conversation!.id))));
}

function latestInbound(prisma: PrismaClient, delivery: Delivery, conversationId: string): Promise<Message | null> {
  return prisma.message.findFirst({
    where: { organizationId: delivery.organizationId, conversationId, direction: MessageDirection.INBOUND },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
  });
}
