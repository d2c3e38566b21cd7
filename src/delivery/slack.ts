import { keyringFor } from "../secrets/encryption.js";
import type { Channel } from "./channel.js";
import { PermanentDeliveryError, TransientDeliveryError } from "./channel.js";
import { postToTarget, targetPolicy, UnsafeTargetError } from "./safe-target.js";
import { slackMessage } from "./slack-message.js";
import { notificationView } from "./view.js";

/** When Slack says 429 without Retry-After. */
const DEFAULT_RETRY_AFTER_SECONDS = 30;

/**
 * Slack through the organization's incoming webhook. The URL is tenant-controlled, so
 * it goes through safe-target (allow-listed host, public address pinned, no redirects)
 * and only Slack's status and a sanitized reason are kept.
 */
export const slackChannel: Channel = {
  name: "SLACK",

  skipReason: (context) => (context.organization.slackWebhookUrl ? null : "no Slack webhook"),

  async send(context, runtime) {
    const message = slackMessage(notificationView(context, runtime.config), context.locale);
    const url = keyringFor(runtime.config).decrypt(context.organization.slackWebhookUrl!);
    let reply;
    try {
      reply = await postToTarget(url, targetPolicy(runtime.config, runtime.config.SLACK_WEBHOOK_HOSTS), {
        headers: { "content-type": "application/json" },
        body: JSON.stringify(message),
        timeoutMs: 15_000,
      });
    } catch (error) {
      if (error instanceof UnsafeTargetError) throw new PermanentDeliveryError(`Slack webhook ${error.message}`);
      throw new TransientDeliveryError(`Slack unreachable: ${(error as Error).message}`);
    }
    if (reply.status >= 200 && reply.status < 300) return { providerMessageId: null };
    if (reply.status === 429) {
      const retryAfter = Number(reply.headers["retry-after"]);
      const seconds = Number.isFinite(retryAfter) && retryAfter > 0 ? Math.ceil(retryAfter) : DEFAULT_RETRY_AFTER_SECONDS;
      throw new TransientDeliveryError(`Slack 429: rate limited for ${seconds}s`, seconds);
    }
    if (reply.status >= 300 && reply.status < 400) throw new PermanentDeliveryError(`Slack ${reply.status}: redirect not followed`);
    if (reply.status >= 500) throw new TransientDeliveryError(`Slack ${reply.status}: ${reply.reason || "server error"}`);
    // 400 invalid_payload, 403 action_prohibited, 404 channel_not_found, 410 channel_is_archived…
    throw new PermanentDeliveryError(`Slack ${reply.status}: ${reply.reason || "rejected"}`);
  },
};
