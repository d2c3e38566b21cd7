import { NotificationChannel } from "../db/client.js";
import { inUnitOfWork } from "../db/unit-of-work.js";
import { invalidInput } from "../errors.js";
import type { ServiceContext } from "../service-context.js";
import { notifyTest } from "./engine.js";
import { localeOf } from "../text/locale.js";
import { renderInApp } from "../text/templates.js";

/**
 * Sends the caller a test through one channel, through the engine like any other
 * notification: a notification of their own marked `data.test` (channels render their
 * "test" template for it) and one delivery, enqueued like any other. A channel the
 * caller has nowhere to receive on is BAD_USER_INPUT. Returns the delivery's id.
 */
export async function sendTestNotification({ db, runtime, actor }: ServiceContext, channel: NotificationChannel): Promise<string> {
  const user = await db.user.findUniqueOrThrow({ where: { id: actor.userId }, include: { organization: true } });
  if (channel === NotificationChannel.WHATSAPP && !user.whatsappNotificationNumber) throw invalidInput("channel", "set your WhatsApp number first");
  if (channel === NotificationChannel.SLACK && !user.organization.slackWebhookUrl) throw invalidInput("channel", "the organization has no Slack webhook");
  const text = renderInApp("test", localeOf(user.locale, user.organization.locale), {});
  return inUnitOfWork(db, runtime.log, (unit) => notifyTest(runtime, unit, { organizationId: user.organizationId, userId: user.id, channel, ...text }));
}
