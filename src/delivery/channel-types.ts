import type { NotificationChannel } from "../db/client.js";

/** Channels that leave Aviso; IN_APP is the notification row itself. */
export type ExternalChannel = Exclude<NotificationChannel, "IN_APP">;
export const EXTERNAL_CHANNELS: readonly ExternalChannel[] = ["EMAIL", "WHATSAPP", "SLACK", "WEB_PUSH", "SMS"];
