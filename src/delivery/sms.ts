import type { Config } from "../config/index.js";
import type { Channel, DeliveryContext, DigestSummary } from "./channel.js";
import { localizedPath, renderTemplate } from "../text/templates.js";
import { smsSegments } from "./sms-segments.js";
import { twilioProvider, type SmsProvider } from "./twilio.js";
import { notificationView, type NotificationView } from "./view.js";
import { truncate } from "../text/preview.js";

/** At most three GSM-7 segments (459 characters): an alert, not a letter. */
const MAX_SMS_CHARACTERS = 300;

const providers = new WeakMap<object, SmsProvider>();

function providerFor(config: Config): SmsProvider {
  let provider = providers.get(config);
  if (!provider) providers.set(config, (provider = twilioProvider(config)));
  return provider;
}

export function smsConfigured(config: Pick<Config, "SMS_ACCOUNT_SID" | "SMS_AUTH_TOKEN" | "SMS_FROM">): boolean {
  return !!(config.SMS_ACCOUNT_SID && config.SMS_AUTH_TOKEN && config.SMS_FROM);
}

/**
 * The agent's number for SMS. Today that is the WhatsApp notification number the user
 * set in their preferences; once numbers are verified (security issue) only a verified
 * one may be used — this is the one place to change.
 */
export function smsNumberOf(user: DeliveryContext["user"]): string | null {
  return user.whatsappNotificationNumber;
}

/** The text of a notification's SMS (templates/sms/). */
export function smsText(view: NotificationView, context: Pick<DeliveryContext, "locale">): string {
  const path = localizedPath("sms", view.template, "notification", context.locale);
  return truncate(renderTemplate(path, view, "none").trim(), MAX_SMS_CHARACTERS);
}

/** The text of a digest's SMS (templates/sms/digest.*). */
export function smsDigestText(view: NotificationView, digest: DigestSummary, context: Pick<DeliveryContext, "locale">): string {
  return truncate(renderTemplate(`sms/digest.${context.locale}.hbs`, { organizationName: view.organizationName, ...digest }, "none").trim(), MAX_SMS_CHARACTERS);
}

/** SMS to the agent's own phone through the SMS provider (Twilio's Messages API). */
export const smsChannel: Channel = {
  name: "SMS",

  skipReason(context, runtime) {
    if (!smsConfigured(runtime.config)) return "SMS not configured";
    return smsNumberOf(context.user) ? null : "no notification number";
  },

  async send(context, runtime) {
    const view = notificationView(context, runtime.config);
    const body = context.digest ? smsDigestText(view, context.digest, context) : smsText(view, context);
    const counted = smsSegments(body);
    const sent = await providerFor(runtime.config).send({ to: smsNumberOf(context.user)!, body });
    return {
      providerMessageId: sent.id,
      // Counted from the text we sent (what Twilio bills as num_segments).
      record: { smsEncoding: counted.encoding, smsSegments: counted.segments },
    };
  },
};
