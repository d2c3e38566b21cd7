import { z } from "zod";
import type { JobTarget } from "../jobs/define.js";

/**
 * Where other domains hand work to alerts without loading them: a queue name and its
 * payload schema, nothing more (the handler is attached in `deliveries-dying.ts`).
 * Delivery reports each delivery that went DEAD here, so it stays free of alerts'
 * imports (and, through them, of notifications).
 */
export const deadDeliveryPayload = z.object({ deliveryId: z.string().uuid() });

export const deadDeliveryReports: JobTarget<typeof deadDeliveryPayload> = { name: "alert-delivery-dead", schema: deadDeliveryPayload };
