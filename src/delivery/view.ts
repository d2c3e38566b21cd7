import { encodeGlobalId as encodeGlobalID } from "../global-id.js";
import type { AlertSeverity } from "../db/client.js";
import type { Config } from "../config/index.js";
import type { DeliveryContext } from "./channel.js";
import { dataOf } from "./load.js";
import { localeStrings } from "../text/locale.js";
import { messagePreview, truncate } from "../text/preview.js";
import { TEMPLATE_NAMES } from "../text/template-names.js";

/** Slack attachment and email badge colour of each severity. */
export const SEVERITY_COLORS: Record<AlertSeverity, string> = {
  CRITICAL: "#d32f2f",
  HIGH: "#ff9800",
  MEDIUM: "#fbc02d",
  LOW: "#388e3c",
};

/** What every channel's templates may print. User-provided text is plain data here. */
export interface NotificationView {
  template: string;
  isTest: boolean;
  organizationName: string;
  userName: string;
  title: string;
  body: string;
  count: number;
  conversation: { number: number; contactName: string; preview: string } | null;
  alert: {
    title: string;
    description: string | null;
    severity: AlertSeverity;
    /** The severity in the recipient's words ("Alta", "High"), for labels. */
    severityName: string;
    severityColor: string;
    category: string | null;
    escalationLevel: number;
    resolution: string | null;
  } | null;
  /** Where the button goes: the conversation or alert in the web app. */
  actionUrl: string;
  acknowledgeUrl: string | null;
  resolveUrl: string | null;
}

function handOverAudience(data: unknown): boolean {
  const audience = dataOf(data).audience;
  return audience === "previous" || audience === "queue";
}

export function publicUrl(config: Pick<Config, "PUBLIC_URL">): string {
  return (config.PUBLIC_URL ?? "http://localhost:4000").replace(/\/+$/, "");
}

/** Builds the view all channels render from, in the recipient's locale. */
export function notificationView(context: DeliveryContext, config: Pick<Config, "PUBLIC_URL">): NotificationView {
  const { notification, conversation, alert, organization, user, message, locale } = context;
  const base = publicUrl(config);
  const data = dataOf(notification.data);
  const isTest = data.test === true;
  const alertId = alert ? encodeGlobalID("Alert", alert.id) : null;
  const actionUrl = data.url
    ? data.url
    : alertId
      ? `${base}/alerts/${alertId}`
      : conversation
        ? `${base}/conversations/${encodeGlobalID("Conversation", conversation.id)}`
        : `${base}/notifications`;
  return {
    // A hand-over told to the previous assignee or to a queue is not "assigned to you": the generic template prints its title and body.
    template: isTest ? "test" : handOverAudience(notification.data) ? "notification" : TEMPLATE_NAMES[notification.type],
    isTest,
    organizationName: organization.name,
    userName: user.name,
    title: notification.title,
    body: notification.body,
    count: notification.count,
    conversation: conversation
      ? {
          number: conversation.number,
          contactName: conversation.contact.name ?? conversation.contact.phone ?? "?",
          preview: message ? messagePreview(message, locale) : truncate(notification.body),
        }
      : null,
    alert: alert
      ? {
          title: alert.title,
          description: alert.description ? truncate(alert.description, 500) : null,
          severity: alert.severity,
          severityName: localeStrings(locale).severityLevel[alert.severity] ?? alert.severity,
          severityColor: SEVERITY_COLORS[alert.severity],
          category: alert.category,
          escalationLevel: alert.escalationLevel,
          resolution: alert.resolution,
        }
      : null,
    actionUrl,
    acknowledgeUrl: alertId ? `${base}/alerts/${alertId}/acknowledge` : null,
    resolveUrl: alertId ? `${base}/alerts/${alertId}/resolve` : null,
  };
}
