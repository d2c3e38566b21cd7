import { z } from "zod";
import type { JobTarget } from "../jobs/define.js";
import type { ExternalChannel } from "./channel-types.js";

/**
 * Where deliveries are enqueued: one pg-boss queue per channel, payloads carrying the
 * delivery id only. Just names and payload schemas — enqueuing (the engine, replays)
 * loads no channel adapter; the handlers are attached in `jobs.ts`.
 */
export const deliveryPayload = z.object({ deliveryId: z.string().uuid() });

export const deliveryQueueName = (channel: ExternalChannel) => `deliver-${channel.toLowerCase()}`;
export const deadLetterQueueName = (channel: ExternalChannel) => `${deliveryQueueName(channel)}-dead`;

const target = (channel: ExternalChannel): JobTarget<typeof deliveryPayload> => ({ name: deliveryQueueName(channel), schema: deliveryPayload });

export const deliveryQueues: Record<ExternalChannel, JobTarget<typeof deliveryPayload>> = {
  EMAIL: target("EMAIL"),
  WHATSAPP: target("WHATSAPP"),
  SLACK: target("SLACK"),
  WEB_PUSH: target("WEB_PUSH"),
  SMS: target("SMS"),
};
