import type { Runtime } from "../runtime.js";
import type { NotificationEvent } from "./events.js";

export interface NotifyResult {
  /** Notifications created or coalesced, one per recipient. */
  notificationIds: string[];
}

/**
 * Turns an event into notifications: recipients, flags, preferences, quiet hours,
 * coalescing; writes notification + deliveries + jobs in one transaction, then
 * publishes to each recipient's topic. (Filled in by the notification engine work.)
 */
export async function notify(_runtime: Runtime, _event: NotificationEvent): Promise<NotifyResult> {
  return { notificationIds: [] };
}
