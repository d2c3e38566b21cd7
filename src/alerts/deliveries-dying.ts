import { AlertSeverity, DeliveryStatus } from "../db/client.js";
import { defineJob } from "../jobs/define.js";
import type { Runtime } from "../runtime.js";
import { fillPattern, localeOf, localeStrings } from "../text/locale.js";
import { deadDeliveryReports } from "./queues.js";
import { raiseSystemAlert } from "./raise-system-alert.js";

/**
 * One channel of one organization is "dying" once this many of its deliveries went DEAD
 * within DYING_WINDOW_MS: one dead delivery is a bad address or a blip; several in a few
 * minutes mean the provider or the organization's setup is broken and an admin must look.
 */
export const DYING_THRESHOLD = 3;
export const DYING_WINDOW_MS = 15 * 60_000;

/** The dedupe key of the organization's alert for a dying channel: one open alert per (organization, channel). */
export const dyingDedupeKey = (channel: string) => `delivery-dead:${channel}`;

/**
 * Looks at the organization's recent dead deliveries of the reported delivery's channel
 * and, past the threshold, raises the system alert for its admins. Repeats while that
 * alert is open only count occurrences (dedupe key), so a burst pages once.
 */
export async function reportDeadDelivery(runtime: Runtime, deliveryId: string): Promise<void> {
  const delivery = await runtime.prisma.delivery.findUnique({
    where: { id: deliveryId },
    select: { organizationId: true, channel: true, status: true, organization: { select: { locale: true } } },
  });
  if (!delivery || delivery.status !== DeliveryStatus.DEAD) return;
  const { organizationId, channel } = delivery;
  const dead = await runtime.prisma.delivery.count({
    where: { organizationId, channel, status: DeliveryStatus.DEAD, failedAt: { gte: new Date(Date.now() - DYING_WINDOW_MS) } },
  });
  if (dead < DYING_THRESHOLD) return;
  const text = localeStrings(localeOf(null, delivery.organization.locale)).systemAlerts.deliveriesDying;
  const values = { channel, count: dead, minutes: DYING_WINDOW_MS / 60_000 };
  const { alert, deduplicated } = await raiseSystemAlert(runtime, {
    organizationId,
    title: fillPattern(text.title, values),
    description: fillPattern(text.description, values),
    severity: AlertSeverity.HIGH,
    category: "delivery",
    dedupeKey: dyingDedupeKey(channel),
  });
  if (!deduplicated) runtime.log.warn({ organizationId, channel, dead, alertId: alert.id }, "deliveries dying: system alert raised");
}

/** Handles delivery's DEAD reports (queued by `markDead`, in the same transaction). */
export const deadDeliveryJob = defineJob({
  ...deadDeliveryReports,
  // One job per dead delivery; a few retries cover a database blip.
  queue: { retryLimit: 3, retryDelay: 5, retryBackoff: true },
  work: { pollingIntervalSeconds: 1, batchSize: 20 },
  handler: (data, runtime) => reportDeadDelivery(runtime, data.deliveryId),
});
