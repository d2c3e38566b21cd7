import { NotificationChannel, Role } from "../db/client.js";
import { inUnitOfWork } from "../db/unit-of-work.js";
import { DomainError, forbidden, invalidInput } from "../errors.js";
import type { ServiceContext } from "../service-context.js";
import { notifyTest } from "./engine.js";
import { localeOf } from "../text/locale.js";
import { renderInApp } from "../text/templates.js";

/**
 * A test goes only to the caller themself: their own email, their own VERIFIED WhatsApp
 * number (an unverified one is not `whatsappNotificationNumber` yet), the in-app feed.
 * Slack posts into the organization's channel, so only an ORG_ADMIN may test it. Each
 * user may send RATE_LIMIT_TEST_NOTIFICATIONS_PER_HOUR tests an hour (counted from the
 * test notifications themselves, so every instance agrees).
 *
 * Sends the caller a test through one channel, through the engine like any other
 * notification: a notification of their own marked `data.test` (channels render their
 * "test" template for it) and one delivery, enqueued like any other. A channel the
 * caller has nowhere to receive on is BAD_USER_INPUT. Returns the delivery's id.
 */
export async function sendTestNotification({ db, runtime, actor }: ServiceContext, channel: NotificationChannel): Promise<string> {
  const user = await db.user.findUniqueOrThrow({ where: { id: actor.userId }, include: { organization: true } });
  if (channel === NotificationChannel.SLACK && user.role !== Role.ORG_ADMIN && user.role !== Role.SUPER_ADMIN) throw forbidden("only an organization admin may test the Slack channel");
  const hourAgo = new Date(Date.now() - 3600_000);
  const recent = await db.notification.count({ where: { userId: user.id, createdAt: { gte: hourAgo }, data: { path: ["test"], equals: true } } });
  if (recent >= runtime.config.RATE_LIMIT_TEST_NOTIFICATIONS_PER_HOUR) {
    throw new DomainError("RATE_LIMITED", `at most ${runtime.config.RATE_LIMIT_TEST_NOTIFICATIONS_PER_HOUR} test notifications per hour`);
  }
  if (channel === NotificationChannel.WHATSAPP && !user.whatsappNotificationNumber) throw invalidInput("channel", "set and verify your WhatsApp number first");
  if (channel === NotificationChannel.SLACK && !user.organization.slackWebhookUrl) throw invalidInput("channel", "the organization has no Slack webhook");
  if (channel === NotificationChannel.SMS && !user.whatsappNotificationNumber) throw invalidInput("channel", "set your notification number first");
  // Web push goes to the browser the user subscribed most recently.
  const browser =
    channel === NotificationChannel.WEB_PUSH ? await db.webPushSubscription.findFirst({ where: { userId: user.id }, orderBy: [{ updatedAt: "desc" }, { id: "desc" }], select: { id: true } }) : null;
  if (channel === NotificationChannel.WEB_PUSH && !browser) throw invalidInput("channel", "register this browser for push notifications first");
  const text = renderInApp("test", localeOf(user.locale, user.organization.locale), {});
  return inUnitOfWork(db, runtime.log, (unit) =>
    notifyTest(runtime, unit, { organizationId: user.organizationId, userId: user.id, channel, ...text, webPushSubscriptionId: browser?.id ?? null }),
  );
}
