import { encodeGlobalId } from "../global-id.js";
import type { AlertSeverity } from "../db/client.js";
import type { Locale } from "../text/locale.js";
import { truncate } from "../text/preview.js";
import { localizedPath, renderSource, renderTemplate, templateSource } from "../text/templates.js";

/** One held notification, as the digest lists it. */
export interface DigestItem {
  notificationId: string;
  title: string;
  body: string;
  count: number;
  createdAt: Date;
  conversation: { id: string; number: number; contactName: string } | null;
  alert: { id: string; title: string; severity: AlertSeverity } | null;
}

export interface DigestGroup {
  /** "conversation", "alert" or "other": the template words the heading. */
  kind: "conversation" | "alert" | "other";
  conversation: DigestItem["conversation"];
  alert: DigestItem["alert"];
  url: string;
  /** Events in the group (coalesced notifications count each of their messages). */
  count: number;
  items: Array<{ title: string; body: string; time: string }>;
}

export interface DigestView {
  organizationName: string;
  userName: string;
  total: number;
  groupCount: number;
  groups: DigestGroup[];
  actionUrl: string;
}

/**
 * Groups held notifications by conversation and by alert, in order of first
 * appearance, each group's items oldest first.
 */
export function digestView(
  items: DigestItem[],
  context: { organizationName: string; userName: string; baseUrl: string; timeZone: string; locale: Locale },
): DigestView {
  const time = new Intl.DateTimeFormat(context.locale, { timeZone: context.timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  const groups = new Map<string, DigestGroup>();
  for (const item of [...items].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())) {
    const key = item.conversation ? `c:${item.conversation.id}` : item.alert ? `a:${item.alert.id}` : "other";
    let group = groups.get(key);
    if (!group) {
      const url = item.conversation
        ? `${context.baseUrl}/conversations/${encodeGlobalId("Conversation", item.conversation.id)}`
        : item.alert
          ? `${context.baseUrl}/alerts/${encodeGlobalId("Alert", item.alert.id)}`
          : `${context.baseUrl}/notifications`;
      group = { kind: item.conversation ? "conversation" : item.alert ? "alert" : "other", conversation: item.conversation, alert: item.alert, url, count: 0, items: [] };
      groups.set(key, group);
    }
    group.count += item.count;
    group.items.push({ title: truncate(item.title, 120), body: truncate(item.body, 200), time: time.format(item.createdAt) });
  }
  const list = [...groups.values()];
  return {
    organizationName: context.organizationName,
    userName: context.userName,
    total: list.reduce((sum, g) => sum + g.count, 0),
    groupCount: list.length,
    groups: list,
    actionUrl: `${context.baseUrl}/notifications`,
  };
}

/** templates/email/digest.<locale>.hbs (subject on its first line) and its HTML twin. */
export function renderDigestEmail(view: DigestView, locale: Locale): { subject: string; text: string; html: string } {
  const path = localizedPath("email", "digest", "digest", locale);
  const [subjectLine = "", ...rest] = templateSource(path).split("\n");
  return {
    subject: renderSource(`${path}#subject`, subjectLine, view, "none").replace(/\s+/g, " ").trim(),
    text: renderSource(`${path}#body`, rest.join("\n").trim(), view, "none").trim() + "\n",
    html: renderTemplate(`email/digest.${locale}.html.hbs`, view, "html"),
  };
}
