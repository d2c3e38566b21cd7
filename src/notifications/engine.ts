import type { Prisma } from "../db/client.js";
import type { Runtime } from "../runtime.js";
import type { NotificationEvent } from "./events.js";

export interface NotifyResult {
  /** Notifications created or coalesced, one per recipient. */
  notificationIds: string[];
  /**
   * Publishes the realtime events (notificationAdded, unreadNotificationCountChanged).
   * When the caller passed its own `tx`, it must call this after that transaction
   * commits; otherwise notify() has already called it.
   */
  publish(): Promise<void>;
}

export interface NotifyOptions {
  /**
   * Write inside the caller's transaction (the webhook processor stores the message
   * and its notifications in one commit). Without it, notify() opens its own.
   */
  tx?: Prisma.TransactionClient;
}

/**
 * Turns an event into notifications: recipients, flags, preferences, quiet hours,
 * coalescing; writes notification + deliveries + jobs in one transaction, then
 * publishes to each recipient's topic. (Filled in by the notification engine work.)
 */
export async function notify(_runtime: Runtime, _event: NotificationEvent, _options: NotifyOptions = {}): Promise<NotifyResult> {
  return { notificationIds: [], publish: async () => {} };
}
