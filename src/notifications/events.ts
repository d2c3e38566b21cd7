import type { AlertSeverity, NotificationType, Role } from "../db/client.js";

/**
 * What other domains tell the notification engine. Payloads carry ids; the engine
 * reads what it needs. This is the one seam between the domains that cause
 * notifications (conversations, alerts, campaigns) and the engine.
 */
export type NotificationEvent =
  | {
      type: "NEW_MESSAGE";
      organizationId: string;
      conversationId: string;
      messageId: string /** When the webhook arrived, for latency metrics. */;
      receivedAt?: Date;
    }
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
    }
  | TriggeredEvent;

/**
 * A notification another system asked for (`triggerNotification`, src/notifications/trigger.ts):
 * its recipients, words and link are the caller's; the engine applies everything else.
 */
export interface TriggeredEvent {
  type: "CUSTOM" | "CAMPAIGN_FAILED";
  organizationId: string;
  trigger: {
    /** Users of the organization: these ids, holders of these roles, members of these queues (any of them). */
    recipients: { userIds: string[]; roles: Role[]; queueIds: string[] };
    title: string;
    body: string;
    url: string | null;
    severity: AlertSeverity | null;
    /** Repeats with the same key inside the coalescing window fold into one notification. */
    dedupeKey: string | null;
  };
}

export type NotificationEventType = NotificationEvent["type"] & NotificationType;
