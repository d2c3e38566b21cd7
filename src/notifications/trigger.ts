import { z } from "zod";
import type { Actor } from "../auth/actor.js";
import type { ServiceContext } from "../service-context.js";
import { parseInput } from "../validation.js";
import { recordAudit } from "../audit/record.js";
import { AlertSeverity, Role } from "../db/client.js";
import { notify } from "./engine.js";
import type { TriggeredEvent } from "./events.js";

const uuid = z.string().uuid();

export const triggerNotificationSchema = z.object({
  type: z.enum(["CUSTOM", "CAMPAIGN_FAILED"]),
  recipients: z
    .object({
      userIds: z.array(uuid).max(500).default([]),
      roles: z.array(z.nativeEnum(Role)).max(4).default([]),
      queueIds: z.array(uuid).max(100).default([]),
    })
    .refine((r) => r.userIds.length + r.roles.length + r.queueIds.length > 0, "name at least one user, role or queue"),
  title: z.string().trim().min(1, "must not be empty").max(200),
  body: z.string().trim().max(2000).default(""),
  url: z
    .string()
    .max(2000)
    .url()
    .refine((u) => /^https?:\/\//i.test(u), "must be an http(s) URL")
    .nullish()
    .transform((v) => v ?? null),
  severity: z
    .nativeEnum(AlertSeverity)
    .nullish()
    .transform((v) => v ?? null),
  dedupeKey: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .nullish()
    .transform((v) => v ?? null),
});

export type TriggerNotificationInput = z.input<typeof triggerNotificationSchema>;

export interface TriggerResult {
  /** Users notified (a new notification, or one more occurrence folded into theirs). */
  recipientCount: number;
  notificationIds: string[];
}

/**
 * Another system's notification to the team (a campaign runner, a billing job): sent
 * through the engine like any event — preferences, quiet hours, channels, coalescing
 * by `dedupeKey` within the organization's window — and audited.
 */
export async function triggerNotification({ runtime, actor }: ServiceContext<Actor>, input: TriggerNotificationInput): Promise<TriggerResult> {
  const { type, ...trigger } = parseInput(triggerNotificationSchema, input);
  const event: TriggeredEvent = { type, organizationId: actor.organizationId, trigger };
  const { notificationIds } = await notify(runtime, event);
  await recordAudit(runtime.prisma, {
    organizationId: actor.organizationId,
    actor,
    action: "notification.triggered",
    entityType: "Notification",
    data: { type, title: trigger.title, dedupeKey: trigger.dedupeKey, recipientCount: notificationIds.length },
  });
  return { recipientCount: notificationIds.length, notificationIds };
}
