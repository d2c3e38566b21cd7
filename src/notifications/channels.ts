import { EXTERNAL_CHANNELS, type ExternalChannel } from "../delivery/channel-types.js";
import type { NotificationType } from "../db/client.js";
import { isAlertType, newMessageFlagsOn, preferenceOf } from "../preferences/defaults.js";
import { deferToQuietHoursEnd } from "./quiet-hours.js";
import type { Recipient } from "./recipients.js";
import type { Subject } from "./subject.js";

export interface PlannedDelivery {
  channel: ExternalChannel;
  /** Set when the recipient's quiet hours hold the delivery until then. */
  deferUntil: Date | null;
}

/**
 * The external channels one recipient gets for an event, and when. In-app is not
 * here: the notification row always exists. A channel goes out when the user's
 * preference (or role default) says so and it can actually reach them:
 * - NEW_MESSAGE also needs the three flags (global, organization, user);
 * - WHATSAPP and SMS need the user's own number; SLACK needs the organization's webhook;
 * - WEB_PUSH gets one delivery per browser subscription (the engine expands it; none, none sent).
 */
export function externalChannelsFor(
  recipient: Recipient,
  type: NotificationType,
  subject: Subject,
  options: { newMessageEnabledGlobally: boolean; now: Date },
): PlannedDelivery[] {
  const flagsOn = newMessageFlagsOn(options.newMessageEnabledGlobally, subject.organization, recipient);
  const context = { newMessageFlagsOn: flagsOn, orgHasSlack: !!subject.organization.slackWebhookUrl };
  const channels = EXTERNAL_CHANNELS.filter((channel) => {
    if (!preferenceOf(recipient.role, recipient.preferences, type, channel, context)) return false;
    if (type === "NEW_MESSAGE" && !flagsOn) return false;
    if ((channel === "WHATSAPP" || channel === "SMS") && !recipient.whatsappNotificationNumber) return false;
    if (channel === "SLACK" && !context.orgHasSlack) return false;
    return true;
  });
  if (channels.length === 0) return [];
  const deferUntil = bypassesQuietHours(type, subject) ? null : quietHoursEnd(recipient, options.now);
  return channels.map((channel) => ({ channel, deferUntil }));
}

function bypassesQuietHours(type: NotificationType, subject: Subject): boolean {
  const severity = isAlertType(type) ? subject.alert?.severity : subject.severity;
  return severity === "CRITICAL" && subject.organization.criticalBypassesQuietHours;
}

function quietHoursEnd(recipient: Recipient, now: Date): Date | null {
  const { quietHoursStart: start, quietHoursEnd: end, quietHoursTimeZone: timeZone } = recipient;
  if (!start || !end || !timeZone) return null;
  return deferToQuietHoursEnd(now, { start, end, timeZone });
}
