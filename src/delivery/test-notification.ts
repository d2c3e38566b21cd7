import { DeliveryStatus, NotificationChannel, NotificationType, type Delivery, type PrismaClient } from "../db/client.js";
import { invalidInput } from "../errors.js";
import type { Runtime } from "../runtime.js";
import { deliveryJobs } from "./jobs.js";
import { localeOf } from "../notifications/locale.js";

const TEXT = {
  "pt-BR": { title: "Teste", body: "Notificação de teste do Aviso." },
  en: { title: "Test", body: "Aviso test notification." },
} as const;

/**
 * Sends the caller a test through one channel: a notification of their own marked
 * `data.test` (channels render their "test" template for it) and one delivery, enqueued
 * like any other. A channel the caller has nowhere to receive on is BAD_USER_INPUT.
 */
export async function sendTestNotification(db: PrismaClient, runtime: Runtime, userId: string, channel: NotificationChannel): Promise<Delivery> {
  const user = await db.user.findUniqueOrThrow({ where: { id: userId }, include: { organization: true } });
  if (channel === NotificationChannel.WHATSAPP && !user.whatsappNotificationNumber) throw invalidInput("channel", "set your WhatsApp number first");
  if (channel === NotificationChannel.SLACK && !user.organization.slackWebhookUrl) throw invalidInput("channel", "the organization has no Slack webhook");
  const text = TEXT[localeOf(user.locale, user.organization.locale)];
  const inApp = channel === NotificationChannel.IN_APP;
  const { notification, delivery } = await db.$transaction(async (tx) => {
    const notification = await tx.notification.create({
      data: { organizationId: user.organizationId, userId, type: NotificationType.NEW_MESSAGE, title: text.title, body: text.body, data: { test: true } },
    });
    const delivery = await tx.delivery.create({
      data: {
        organizationId: user.organizationId,
        notificationId: notification.id,
        userId,
        channel,
        // In-app, the notification row is the delivery.
        status: inApp ? DeliveryStatus.SENT : DeliveryStatus.PENDING,
        sentAt: inApp ? new Date() : null,
      },
    });
    if (!inApp) await runtime.jobs.sendKeyed(deliveryJobs[channel], { deliveryId: delivery.id }, delivery.id, { tx });
    return { notification, delivery };
  });
  if (inApp) {
    await runtime.pubsub.publish("notificationAdded", userId, {
      notificationId: notification.id,
      seq: notification.seq.toString(),
      updatedAt: notification.updatedAt.getTime(),
    });
    const count = await db.notification.count({ where: { userId, readAt: null, archivedAt: null } });
    await runtime.pubsub.publish("unreadNotificationCountChanged", userId, { count });
  }
  return delivery;
}
