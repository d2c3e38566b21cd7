import type { Runtime } from "../runtime.js";
import type { ExternalChannel } from "./jobs.js";

/**
 * Sends one delivery through its channel and records the outcome on its row.
 * (Filled in by the delivery channels work.)
 */
export async function deliver(_runtime: Runtime, _channel: ExternalChannel, _deliveryId: string, _attempt: { retryCount: number }): Promise<void> {
  throw new Error("delivery channels are not implemented yet");
}
