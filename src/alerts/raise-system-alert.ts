import type { AlertSeverity } from "../db/client.js";
import type { Runtime } from "../runtime.js";
import { createAlertAs, type CreatedAlert } from "./create-alert.js";

export interface SystemAlertInput {
  organizationId: string;
  title: string;
  severity: AlertSeverity;
  category?: string;
  description?: string;
  /**
   * Give one whenever the same condition can be raised again (e.g.
   * `delivery-dying:SLACK`): repeats then count occurrences of the open alert
   * instead of paging the admins each time.
   */
  dedupeKey?: string;
}

/**
 * Opens an alert on Aviso's own behalf (no user behind it, `createdById` null), e.g.
 * when a channel's deliveries keep dying. Same lifecycle, escalation and notifications
 * as an alert an admin creates.
 */
export function raiseSystemAlert(runtime: Runtime, input: SystemAlertInput): Promise<CreatedAlert> {
  const { organizationId, category, ...alert } = input;
  return createAlertAs(runtime, { organizationId, userId: null }, { ...alert, category: category ?? "system" });
}
