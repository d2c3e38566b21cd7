import { z } from "zod";
import type { NotificationChannel } from "../db/client.js";
import { defineJob, type JobDefinition } from "../jobs/define.js";
import { deliver } from "./deliver.js";

/** Channels that leave Aviso; IN_APP is the notification row itself. */
export type ExternalChannel = Exclude<NotificationChannel, "IN_APP">;
export const EXTERNAL_CHANNELS: readonly ExternalChannel[] = ["EMAIL", "WHATSAPP", "SLACK"];

const payload = z.object({ deliveryId: z.string().uuid() });

function deliveryJob(channel: ExternalChannel) {
  return defineJob({
    name: `deliver-${channel.toLowerCase()}`,
    schema: payload,
    handler: (data, runtime, attempt) => deliver(runtime, channel, data.deliveryId, attempt),
  });
}

/** One pg-boss queue per channel; payloads carry the delivery id only. */
export const deliveryJobs: Record<ExternalChannel, JobDefinition<typeof payload>> = {
  EMAIL: deliveryJob("EMAIL"),
  WHATSAPP: deliveryJob("WHATSAPP"),
  SLACK: deliveryJob("SLACK"),
};
