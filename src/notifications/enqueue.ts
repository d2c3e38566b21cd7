import type { Prisma } from "../db/client.js";
import { deliveryJobs, type ExternalChannel } from "../delivery/jobs.js";
import type { Runtime } from "../runtime.js";

/** One external delivery the engine decided on (IN_APP is the notification itself). */
export interface DeliveryRow {
  organizationId: string;
  notificationId: string;
  userId: string;
  channel: ExternalChannel;
  status: "PENDING" | "SCHEDULED" | "SKIPPED";
  scheduledFor: Date | null;
  lastError: string | null;
}

/**
 * Writes the delivery rows and, in the same transaction, one pg-boss job per row
 * that is to be sent (SCHEDULED ones start at the end of the quiet hours; SKIPPED
 * ones get none).
 */
export async function enqueueDeliveries(runtime: Runtime, tx: Prisma.TransactionClient, rows: DeliveryRow[]): Promise<void> {
  if (rows.length === 0) return;
  const deliveries = await tx.delivery.createManyAndReturn({
    data: rows,
    select: { id: true, channel: true, status: true, scheduledFor: true },
  });
  for (const delivery of deliveries) {
    if (delivery.status === "SKIPPED" || delivery.channel === "IN_APP") continue;
    await runtime.jobs.send(
      deliveryJobs[delivery.channel],
      { deliveryId: delivery.id },
      { tx, ...(delivery.scheduledFor ? { startAfter: delivery.scheduledFor } : {}) },
    );
  }
}
