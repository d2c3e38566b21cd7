import type { AlertSeverity, NotificationType, Prisma } from "../db/client.js";
import type { NotificationEvent } from "./events.js";
import { formatDuration, type Locale } from "./locale.js";
import { messagePreview } from "./preview.js";
import type { Subject } from "./subject.js";

/**
 * What a notification says. `data` is locale-free (ids, numbers, names) for the
 * channel templates; `render` writes the title and body in a recipient's locale.
 */
export interface NotificationContent {
  type: NotificationType;
  conversationId: string | null;
  alertId: string | null;
  data: Prisma.InputJsonObject;
  render(locale: Locale, count: number): { title: string; body: string };
}

const SEVERITY: Record<Locale, Record<AlertSeverity, string>> = {
  "pt-BR": { CRITICAL: "crítico", HIGH: "alto", MEDIUM: "médio", LOW: "baixo" },
  en: { CRITICAL: "critical", HIGH: "high", MEDIUM: "medium", LOW: "low" },
};

const pt = (locale: Locale) => locale === "pt-BR";

export function describeEvent(event: NotificationEvent, subject: Subject, now: Date): NotificationContent {
  const conversation = subject.conversation;
  const alert = subject.alert;
  const base = { type: event.type, conversationId: conversation?.id ?? null, alertId: alert?.id ?? null };
  switch (event.type) {
    case "NEW_MESSAGE": {
      const c = conversation!;
      const message = subject.message!;
      return {
        ...base,
        data: { conversationId: c.id, conversationNumber: c.number, contactName: c.contactName, messageId: message.id, messageType: message.type },
        render: (locale, count) => ({
          title:
            count > 1
              ? pt(locale)
                ? `${count} novas mensagens de ${c.contactName}`
                : `${count} new messages from ${c.contactName}`
              : pt(locale)
                ? `Nova mensagem de ${c.contactName}`
                : `New message from ${c.contactName}`,
          body: messagePreview(message, locale),
        }),
      };
    }
    case "CONVERSATION_ASSIGNED": {
      const c = conversation!;
      return {
        ...base,
        data: { conversationId: c.id, conversationNumber: c.number, contactName: c.contactName, actorId: event.actorId ?? null, audience: event.audience ?? "assignee" },
        render: (locale) => {
          const audience = event.audience ?? "assignee";
          if (audience === "previous")
            return pt(locale)
              ? { title: `Conversa #${c.number} não está mais com você`, body: `Contato: ${c.contactName}` }
              : { title: `Conversation #${c.number} is no longer yours`, body: `Contact: ${c.contactName}` };
          if (audience === "queue")
            return pt(locale)
              ? { title: `Conversa #${c.number} transferida para sua fila`, body: `Contato: ${c.contactName}` }
              : { title: `Conversation #${c.number} transferred to your queue`, body: `Contact: ${c.contactName}` };
          return pt(locale)
            ? { title: `Conversa #${c.number} atribuída a você`, body: `Contato: ${c.contactName}` }
            : { title: `Conversation #${c.number} assigned to you`, body: `Contact: ${c.contactName}` };
        },
      };
    }
    case "SLA_WARNING": {
      const c = conversation!;
      const waited = c.awaitingReplySince ? formatDuration(now.getTime() - c.awaitingReplySince.getTime()) : "?";
      return {
        ...base,
        data: { conversationId: c.id, conversationNumber: c.number, contactName: c.contactName, waitingSince: c.awaitingReplySince?.toISOString() ?? null },
        render: (locale) =>
          pt(locale)
            ? { title: `Conversa #${c.number} aguardando resposta`, body: `${c.contactName} espera uma primeira resposta há ${waited}.` }
            : { title: `Conversation #${c.number} awaiting a reply`, body: `${c.contactName} has waited ${waited} for a first reply.` },
      };
    }
    case "CAMPAIGN_FAILED":
      return {
        ...base,
        data: { campaignName: event.campaignName, reason: event.reason },
        render: (locale) => ({
          title: pt(locale) ? `Falha na campanha ${event.campaignName}` : `Campaign ${event.campaignName} failed`,
          body: event.reason.slice(0, 500),
        }),
      };
    default: {
      const a = alert!;
      const level = event.escalationLevel ?? a.escalationLevel;
      const openFor = formatDuration((a.resolvedAt ?? now).getTime() - a.createdAt.getTime());
      const summary = (a.description ?? a.title).slice(0, 500);
      return {
        ...base,
        data: { alertId: a.id, alertTitle: a.title, alertSeverity: a.severity, escalationLevel: level, openSeconds: Math.round(((a.resolvedAt ?? now).getTime() - a.createdAt.getTime()) / 1000) },
        render: (locale) => {
          const severity = SEVERITY[locale][a.severity];
          switch (event.type) {
            case "ALERT_CREATED":
              return { title: pt(locale) ? `Alerta ${severity}: ${a.title}` : `${cap(severity)} alert: ${a.title}`, body: summary };
            case "ALERT_ESCALATED":
              return {
                title: pt(locale) ? `Alerta escalado (nível ${level}): ${a.title}` : `Alert escalated (level ${level}): ${a.title}`,
                body: pt(locale) ? `Severidade ${severity}, sem reconhecimento há ${openFor}.` : `Severity ${severity}, unacknowledged for ${openFor}.`,
              };
            case "ALERT_RESOLVED":
              return { title: pt(locale) ? `Alerta resolvido: ${a.title}` : `Alert resolved: ${a.title}`, body: pt(locale) ? `Ficou aberto por ${openFor}.` : `It was open for ${openFor}.` };
            default:
              return { title: pt(locale) ? `Alerta sem atividade: ${a.title}` : `Stale alert: ${a.title}`, body: pt(locale) ? `Aberto há ${openFor} sem atividade recente.` : `Open for ${openFor} with no recent activity.` };
          }
        },
      };
    }
  }
}

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
