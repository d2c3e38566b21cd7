import type { NotificationType, Prisma } from "../db/client.js";
import type { NotificationEvent } from "./events.js";
import { formatDuration, localeStrings, type Locale } from "../text/locale.js";
import { TEMPLATE_NAMES } from "../text/template-names.js";
import { renderInApp } from "../text/templates.js";
import { messagePreview } from "../text/preview.js";
import type { Subject } from "./subject.js";

/**
 * What a notification says. `data` is locale-free (ids, numbers, names) for the
 * channel templates; `render` writes the title and body in a recipient's locale from
 * templates/in-app/.
 */
export interface NotificationContent {
  type: NotificationType;
  conversationId: string | null;
  alertId: string | null;
  data: Prisma.InputJsonObject;
  render(locale: Locale, count: number): { title: string; body: string };
}

const HAND_OVER_TEMPLATE = { assignee: "conversation_assigned", previous: "conversation_handed_over", queue: "conversation_queued" } as const;

export function describeEvent(event: NotificationEvent, subject: Subject, now: Date): NotificationContent {
  const content = contentOf(event, subject, now);
  return { ...content, render: renderedOnce(content.render) };
}

/**
 * An event's recipients share a handful of locales: each (locale, count) is rendered
 * once, not once per recipient — an alert to a thousand admins spent more time in the
 * templates than in building its rows.
 */
function renderedOnce(render: NotificationContent["render"]): NotificationContent["render"] {
  const rendered = new Map<string, { title: string; body: string }>();
  return (locale, count) => {
    const key = `${locale}\u0000${count}`;
    let text = rendered.get(key);
    if (!text) rendered.set(key, (text = render(locale, count)));
    return text;
  };
}

function contentOf(event: NotificationEvent, subject: Subject, now: Date): NotificationContent {
  const conversation = subject.conversation;
  const alert = subject.alert;
  const base = { type: event.type, conversationId: conversation?.id ?? null, alertId: alert?.id ?? null };
  if ("trigger" in event) {
    // The caller's own words, in whatever language it wrote them.
    const { title, body, url, severity, dedupeKey } = event.trigger;
    return { ...base, data: { triggered: true, url, severity, dedupeKey }, render: () => ({ title, body }) };
  }
  const template = TEMPLATE_NAMES[event.type];
  switch (event.type) {
    case "NEW_MESSAGE": {
      const c = conversation!;
      const message = subject.message!;
      return {
        ...base,
        data: { conversationId: c.id, conversationNumber: c.number, contactName: c.contactName, messageId: message.id, messageType: message.type },
        render: (locale, count) => renderInApp(template, locale, { count, contactName: c.contactName, preview: messagePreview(message, locale) }),
      };
    }
    case "CONVERSATION_ASSIGNED": {
      const c = conversation!;
      return {
        ...base,
        data: {
          conversationId: c.id,
          conversationNumber: c.number,
          contactName: c.contactName,
          actorId: event.actorId ?? null,
          audience: event.audience ?? "assignee",
        },
        // A hand-over tells the new assignee, the previous one, or the queue's agents, each in their words.
        render: (locale) => renderInApp(HAND_OVER_TEMPLATE[event.audience ?? "assignee"], locale, { number: c.number, contactName: c.contactName }),
      };
    }
    case "SLA_WARNING": {
      const c = conversation!;
      const waitedMs = c.awaitingReplySince ? now.getTime() - c.awaitingReplySince.getTime() : null;
      return {
        ...base,
        data: { conversationId: c.id, conversationNumber: c.number, contactName: c.contactName, waitingSince: c.awaitingReplySince?.toISOString() ?? null },
        render: (locale) =>
          renderInApp(template, locale, { number: c.number, contactName: c.contactName, waited: waitedMs === null ? "?" : formatDuration(waitedMs, locale) }),
      };
    }
    case "CAMPAIGN_FAILED":
      return {
        ...base,
        data: { campaignName: event.campaignName, reason: event.reason },
        render: (locale) => renderInApp(template, locale, { campaignName: event.campaignName, reason: event.reason.slice(0, 500) }),
      };
    default: {
      const a = alert!;
      const level = event.escalationLevel ?? a.escalationLevel;
      const openMs = (a.resolvedAt ?? now).getTime() - a.createdAt.getTime();
      const summary = (a.description ?? a.title).slice(0, 500);
      return {
        ...base,
        data: { alertId: a.id, alertTitle: a.title, alertSeverity: a.severity, escalationLevel: level, openSeconds: Math.round(openMs / 1000) },
        render: (locale) =>
          renderInApp(template, locale, {
            alertTitle: a.title,
            severity: localeStrings(locale).severity[a.severity],
            level,
            openFor: formatDuration(openMs, locale),
            summary,
          }),
      };
    }
  }
}
