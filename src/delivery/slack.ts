import type { Channel } from "./channel.js";
import { PermanentDeliveryError, TransientDeliveryError } from "./channel.js";
import { slackMessage } from "./slack-message.js";
import { notificationView } from "./view.js";

/** When Slack says 429 without Retry-After. */
const DEFAULT_RETRY_AFTER_SECONDS = 30;

/** Slack through the organization's incoming webhook. */
export const slackChannel: Channel = {
  name: "SLACK",

  skipReason: (context) => (context.organization.slackWebhookUrl ? null : "no Slack webhook"),

  async send(context, runtime) {
    const message = slackMessage(notificationView(context, runtime.config), context.locale);
    let response: Response;
    try {
      response = await fetch(context.organization.slackWebhookUrl!, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(message),
        signal: AbortSignal.timeout(15_000),
      });
    } catch (error) {
      throw new TransientDeliveryError(`Slack unreachable: ${(error as Error).message}`);
    }
    const reply = (await response.text().catch(() => "")).slice(0, 200);
    if (response.ok) return { providerMessageId: null };
    if (response.status === 429) {
      const retryAfter = Number(response.headers.get("retry-after"));
      const seconds = Number.isFinite(retryAfter) && retryAfter > 0 ? Math.ceil(retryAfter) : DEFAULT_RETRY_AFTER_SECONDS;
      throw new TransientDeliveryError(`Slack 429: rate limited for ${seconds}s`, seconds);
    }
    if (response.status >= 500) throw new TransientDeliveryError(`Slack ${response.status}: ${reply}`);
    // 400 invalid_payload, 403 action_prohibited, 404 channel_not_found, 410 channel_is_archived…
    throw new PermanentDeliveryError(`Slack ${response.status}: ${reply || "rejected"}`);
  },
};
