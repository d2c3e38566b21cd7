import type { NotificationType } from "../db/client.js";

/**
 * What other domains tell the notification engine. Payloads carry ids; the engine
 * reads what it needs. This is the one seam between the domains that cause
 * notifications (conversations, alerts, campaigns) and the engine.
 */
export type NotificationEvent =
  | { type: "NEW_MESSAGE"; organizationId: string; conversationId: string; messageId: string; /** When the webhook arrived, for latency metrics. */ receivedAt?: Date }
  | {
      type: "CONVERSATION_ASSIGNED";
      organizationId: string;
      conversationId: string;
      /** The user told (the new assignee, or the previous one); null when the queue's agents are. */
      assigneeId: string | null;
      actorId?: string;
      /** Who hears of a hand-over: the new assignee (default), the previous one, or the agents of `queueId`. */
      audience?: "assignee" | "previous" | "queue";
      queueId?: string;
    }
  | { type: "SLA_WARNING"; organizationId: string; conversationId: string }
  | { type: "CAMPAIGN_FAILED"; organizationId: string; campaignName: string; reason: string }
  | {
      type: "ALERT_CREATED" | "ALERT_ESCALATED" | "ALERT_RESOLVED" | "ALERT_STALE";
      organizationId: string;
      alertId: string;
      /** For ALERT_ESCALATED: the level reached (1 → org admins, 2 → super admins). */
      escalationLevel?: number;
    };

export type NotificationEventType = NotificationEvent["type"] & NotificationType;
