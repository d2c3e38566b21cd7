import type { NotificationType } from "../db/client.js";

/**
 * The template file name of each notification type, the same in every channel's folder
 * (templates/in-app/, templates/email/, …: `<name>.<locale>.hbs`).
 */
export const TEMPLATE_NAMES: Record<NotificationType, string> = {
  NEW_MESSAGE: "new_message",
  CONVERSATION_ASSIGNED: "conversation_assigned",
  SLA_WARNING: "sla_warning",
  CAMPAIGN_FAILED: "campaign_failed",
  ALERT_CREATED: "alert_created",
  ALERT_ESCALATED: "alert_escalated",
  ALERT_RESOLVED: "alert_resolved",
  ALERT_STALE: "stale_alert",
  // Triggered notifications carry their caller's own words.
  CUSTOM: "custom",
};
