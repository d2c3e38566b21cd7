import webpush, { WebPushError } from "web-push";
import type { Channel, DeliveryContext } from "./channel.js";
import { PermanentDeliveryError, TransientDeliveryError } from "./channel.js";
import { pushEndpointRefusal } from "./push-endpoint.js";
import { localizedPath, renderTemplate } from "../text/templates.js";
import { vapidKeys } from "./vapid.js";
import { notificationView, type NotificationView } from "./view.js";
import { truncate } from "../text/preview.js";

/** How long a push service keeps a message for an offline browser: a notification a day old is noise. */
const TTL_SECONDS = 24 * 3600;
/** When the push service says 429 without Retry-After. */
const DEFAULT_RETRY_AFTER_SECONDS = 30;

/** What the service worker receives (examples/web-push/service-worker.js shows it). */
export interface PushPayload {
  title: string;
  body: string;
  /** Where a click on the notification goes. */
  url: string;
  notificationId: string;
  /** One per conversation (or alert): a burst replaces one system notification instead of stacking. */
  tag: string;
}

export function pushPayload(view: NotificationView, context: Pick<DeliveryContext, "notification" | "locale" | "digest">): PushPayload {
  const { notification, digest } = context;
  if (digest) {
    // templates/push/digest.*: the title on the first line, the body below.
    const [title = "", ...body] = renderTemplate(`push/digest.${context.locale}.hbs`, { organizationName: view.organizationName, ...digest }, "none").split("\n");
    return { title: truncate(title, 120), body: truncate(body.join(" ").trim(), 300), url: digest.url, notificationId: notification.id, tag: "aviso-digest" };
  }
  const path = localizedPath("push", view.template, "notification", context.locale);
  return {
    title: truncate(view.title, 120),
    body: truncate(renderTemplate(path, view, "none").trim(), 300),
    url: view.actionUrl,
    notificationId: notification.id,
    tag: notification.conversationId
      ? `conversation-${notification.conversationId}`
      : notification.alertId
        ? `alert-${notification.alertId}`
        : `notification-${notification.id}`,
  };
}

/** Browser push (Push API) through the subscription's push service: VAPID + RFC 8291 aes128gcm. */
export const webPushChannel: Channel = {
  name: "WEB_PUSH",

  async skipReason(context, runtime) {
    if (!vapidKeys(runtime.config)) return "web push not configured (VAPID keys)";
    if (!context.delivery.webPushSubscriptionId) return "push subscription removed";
    const subscription = await runtime.prisma.webPushSubscription.findFirst({
      where: { id: context.delivery.webPushSubscriptionId, organizationId: context.delivery.organizationId, userId: context.user.id },
    });
    return subscription ? null : "push subscription removed";
  },

  async send(context, runtime) {
    const vapid = vapidKeys(runtime.config)!;
    const subscription = await runtime.prisma.webPushSubscription.findFirst({
      where: { id: context.delivery.webPushSubscriptionId!, organizationId: context.delivery.organizationId },
    });
    if (!subscription) throw new PermanentDeliveryError("push subscription removed");
    const refusal = await pushEndpointRefusal(subscription.endpoint, runtime.config);
    if (refusal) throw new PermanentDeliveryError(`push endpoint refused: ${refusal}`);
    const payload = pushPayload(notificationView(context, runtime.config), context);
    try {
      const result = await webpush.sendNotification(
        { endpoint: subscription.endpoint, keys: { p256dh: subscription.p256dh, auth: subscription.auth } },
        JSON.stringify(payload),
        {
          vapidDetails: vapid,
          TTL: TTL_SECONDS,
          contentEncoding: "aes128gcm",
          urgency: "high",
          // RFC 8030 Topic: the push service keeps only the latest undelivered message per topic.
          topic: topicOf(payload.tag),
          timeout: 15_000,
        },
      );
      return { providerMessageId: locationId(result.headers) };
    } catch (error) {
      if (!(error instanceof WebPushError)) throw new TransientDeliveryError(`push service unreachable: ${(error as Error).message}`.slice(0, 300));
      const status = error.statusCode;
      const reason = `push ${status}: ${String(error.body ?? "").slice(0, 200)}`.trim();
      if (status === 404 || status === 410) {
        // RFC 8030 §7.3: the subscription expired or was unsubscribed — it will never work again.
        await runtime.prisma.webPushSubscription.deleteMany({ where: { id: subscription.id } });
        runtime.log.info({ deliveryId: context.delivery.id, subscriptionId: subscription.id, status }, "push subscription gone: removed");
        throw new PermanentDeliveryError(`push ${status}: subscription gone, removed`);
      }
      if (status === 429) {
        const retryAfter = Number(headerOf(error.headers, "retry-after"));
        throw new TransientDeliveryError(reason, Number.isFinite(retryAfter) && retryAfter > 0 ? Math.ceil(retryAfter) : DEFAULT_RETRY_AFTER_SECONDS);
      }
      if (status >= 500) throw new TransientDeliveryError(reason);
      // 400 bad request, 401/403 VAPID refused, 413 payload too large: retrying sends the same.
      throw new PermanentDeliveryError(reason);
    }
  },
};

/** RFC 8030 topics are at most 32 base64url characters. */
function topicOf(tag: string): string {
  return tag.replace(/[^A-Za-z0-9_-]/g, "").slice(-32);
}

function headerOf(headers: Record<string, string | string[] | undefined> | undefined, name: string): string | undefined {
  const value = headers?.[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The push service names the message it accepted in Location (RFC 8030 §5). */
function locationId(headers: Record<string, string | string[] | undefined>): string | null {
  return headerOf(headers, "location")?.slice(0, 500) ?? null;
}
