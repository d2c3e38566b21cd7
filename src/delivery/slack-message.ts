import { z } from "zod";
import type { Locale } from "../text/templates.js";
import { localeStrings } from "../text/locale.js";
import { renderTemplate } from "../text/templates.js";
import type { NotificationView } from "./view.js";

const labelsSchema = z.object({
    headlines: z.record(z.string()),
    severity: z.string(),
    category: z.string(),
    escalationLevel: z.string(),
    organization: z.string(),
    ticket: z.string(),
    contact: z.string(),
    resolution: z.string(),
    view: z.string(),
    acknowledge: z.string(),
    resolve: z.string(),
    open: z.string(),
});
type Labels = z.output<typeof labelsSchema>;

// The labels live in the locale files (templates/locales/<locale>.json, "slack").
const labelsByLocale = new Map<Locale, Labels>();
function labelsFor(locale: Locale): Labels {
  let labels = labelsByLocale.get(locale);
  if (!labels) labelsByLocale.set(locale, (labels = labelsSchema.parse(localeStrings(locale).slack)));
  return labels;
}

/** Slack mrkdwn treats &, < and > as markup (`<!channel>`, links): user text gets them escaped. */
export function slackEscape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Slack's limits: header text 150 characters, a text field 3000. */
const clip = (text: string, max: number) => (Array.from(text).length <= max ? text : `${Array.from(text).slice(0, max - 1).join("")}…`);

type Block = Record<string, unknown>;
const mrkdwn = (text: string) => ({ type: "mrkdwn", text: clip(text, 2900) });
const plain = (text: string, max: number) => ({ type: "plain_text", text: clip(text, max), emoji: true });
const field = (label: string, value: string) => mrkdwn(`*${label}*\n${slackEscape(value)}`);
const button = (text: string, url: string, actionId: string, style?: "primary" | "danger") => ({
  type: "button",
  text: plain(text, 75),
  url,
  action_id: actionId,
  ...(style ? { style } : {}),
});

/**
 * The Block Kit payload of one notification. Alerts: header, fields, a bar in the
 * severity's colour and view / acknowledge / resolve buttons, with `<!channel>` on
 * escalation. Other types: header, the text and one button to open it.
 */
export function slackMessage(view: NotificationView, locale: Locale): { text: string; blocks: Block[]; attachments?: Block[] } {
  const labels = labelsFor(locale);
  const headline = labels.headlines[view.template] ?? labels.headlines.notification!;
  const mention = view.template === "alert_escalated";
  const subject = view.alert?.title ?? (view.conversation ? `#${view.conversation.number} ${view.conversation.contactName}` : view.title);
  const text = renderTemplate(`slack/message.${locale}.hbs`, { ...escapedView(view), headline, subject: slackEscape(subject), mention }, "none").trim();
  const header = { type: "header", text: plain(`${headline}: ${subject}`, 150) };

  if (!view.alert) {
    const fields = view.conversation
      ? [field(labels.ticket, `#${view.conversation.number}`), field(labels.contact, view.conversation.contactName)]
      : [field(labels.organization, view.organizationName)];
    const body = view.conversation ? view.conversation.preview : view.body;
    return {
      text,
      blocks: [
        header,
        { type: "section", fields },
        ...(body ? [{ type: "section", text: mrkdwn(slackEscape(body)) }] : []),
        { type: "actions", elements: [button(labels.open, view.actionUrl, "view", "primary")] },
      ],
    };
  }

  const { alert } = view;
  const fields = [
    field(labels.severity, alert.severityName),
    field(labels.organization, view.organizationName),
    ...(alert.category ? [field(labels.category, alert.category)] : []),
    ...(alert.escalationLevel > 0 ? [field(labels.escalationLevel, String(alert.escalationLevel))] : []),
  ];
  const details = [alert.description, alert.resolution ? `${labels.resolution}: ${alert.resolution}` : null].filter((d): d is string => !!d);
  const actions =
    view.template === "alert_resolved"
      ? [button(labels.view, view.actionUrl, "view", "primary")]
      : [
          button(labels.view, view.actionUrl, "view", "primary"),
          button(labels.acknowledge, view.acknowledgeUrl!, "acknowledge"),
          button(labels.resolve, view.resolveUrl!, "resolve", "danger"),
        ];
  return {
    text,
    blocks: [...(mention ? [{ type: "section", text: mrkdwn(`<!channel> ${slackEscape(headline)}`) }] : []), header],
    attachments: [
      {
        color: alert.severityColor,
        fallback: text,
        blocks: [
          { type: "section", fields },
          ...details.map((detail) => ({ type: "section", text: mrkdwn(slackEscape(detail)) })),
          { type: "actions", elements: actions },
        ],
      },
    ],
  };
}

function escapedView(view: NotificationView) {
  return {
    organizationName: slackEscape(view.organizationName),
    alert: view.alert ? { severity: view.alert.severity } : null,
  };
}
