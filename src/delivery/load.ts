import { z } from "zod";
import { MessageDirection, type PrismaClient } from "../db/client.js";
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

/**
 * Reads a delivery and what its channel needs. Jobs use the unscoped client, so
 * every related row is read with the delivery's organizationId in its filter: a
 * stray id can never pull another organization's data into a message.
 */
export async function loadDelivery(prisma: PrismaClient, deliveryId: string): Promise<DeliveryContext | null> {
  const delivery = await prisma.delivery.findUnique({ where: { id: deliveryId } });
  if (!delivery) return null;
  const organizationId = delivery.organizationId;
  const [notification, user, organization] = await Promise.all([
    prisma.notification.findFirst({ where: { id: delivery.notificationId, organizationId } }),
    prisma.user.findFirst({ where: { id: delivery.userId, organizationId } }),
    prisma.organization.findUnique({ where: { id: organizationId } }),
  ]);
  if (!notification || !user || !organization) return null;
  const [conversation, alert] = await Promise.all([
    notification.conversationId
      ? prisma.conversation.findFirst({ where: { id: notification.conversationId, organizationId }, include: { contact: true } })
      : null,
    notification.alertId ? prisma.alert.findFirst({ where: { id: notification.alertId, organizationId } }) : null,
  ]);
  const { messageId } = dataOf(notification.data);
  const message =
    notification.type !== "NEW_MESSAGE" || !conversation
      ? null
      : messageId
        ? await prisma.message.findFirst({ where: { id: messageId, organizationId, conversationId: conversation.id } })
        : await prisma.message.findFirst({
            where: { organizationId, conversationId: conversation.id, direction: MessageDirection.INBOUND },
            orderBy: [{ createdAt: "desc" }, { id: "desc" }],
          });
  return { delivery, notification, user, organization, conversation, alert, message, locale: localeOf(user.locale, organization.locale) };
}
