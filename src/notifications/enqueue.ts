import type { Prisma } from "../db/client.js";
import type { ExternalChannel } from "../delivery/channel-types.js";
import { deliveryQueues } from "../delivery/queues.js";
import type { Runtime } from "../runtime.js";
import { insertDeliveries, type InsertedDelivery, type NewDelivery } from "./bulk-insert.js";

/** One external delivery the engine decided on (IN_APP is the notification itself). */
export type DeliveryRow = NewDelivery & { channel: ExternalChannel };

/**
 * Writes the delivery rows and, in the same transaction, one pg-boss job per row
 * that is to be sent (SCHEDULED ones start at the end of the quiet hours; SKIPPED
 * ones get none).
 */
export async function enqueueDeliveries(runtime: Runtime, tx: Prisma.TransactionClient, rows: DeliveryRow[], now: Date): Promise<InsertedDelivery[]> {
  if (rows.length === 0) return [];
  const deliveries = await insertDeliveries(tx, rows, now);
  const jobsOf = new Map<ExternalChannel, Array<{ data: { deliveryId: string }; startAfter?: Date }>>();
  for (const delivery of deliveries) {
    // Digest-held deliveries go out with their digest's job (src/digests/).
    if (delivery.status === "SKIPPED" || delivery.channel === "IN_APP" || delivery.digestId) continue;
    const jobs = jobsOf.get(delivery.channel) ?? [];
    jobs.push({ data: { deliveryId: delivery.id }, ...(delivery.scheduledFor ? { startAfter: delivery.scheduledFor } : {}) });
    jobsOf.set(delivery.channel, jobs);
  }
  // One insert per channel: an alert to a thousand admins is three statements, not a thousand.
  for (const [channel, jobs] of jobsOf) await runtime.jobs.sendMany(deliveryQueues[channel], jobs, { tx });
  return deliveries;
}
