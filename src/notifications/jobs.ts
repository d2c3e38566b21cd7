import { z } from "zod";
import { inUnitOfWork } from "../db/unit-of-work.js";
import { defineJob } from "../jobs/define.js";
import type { Runtime } from "../runtime.js";
import { notify } from "./engine.js";
import { finishPendingFanOuts } from "./fan-out.js";

// How many overdue conversations one tick handles; the next tick takes the rest.
const SLA_BATCH = 200;

/**
 * Conversations waiting longer than their organization's first-reply SLA, not yet
 * warned: each is claimed (slaWarnedAt set) and notified in one transaction, so a
 * conversation is warned once even when two workers run the same tick.
 */
export async function sendSlaWarnings(runtime: Runtime, now: Date = new Date()): Promise<number> {
  const overdue = await runtime.prisma.$queryRaw<Array<{ id: string; organizationId: string }>>`
    SELECT c.id::text AS id, c."organizationId"::text AS "organizationId"
    FROM "Conversation" c JOIN "Organization" o ON o.id = c."organizationId"
    WHERE c.status = 'OPEN' AND c."slaWarnedAt" IS NULL AND c."awaitingReplySince" IS NOT NULL
      AND c."awaitingReplySince" < ${now}::timestamptz - make_interval(secs => o."slaFirstReplySeconds")
    ORDER BY c."awaitingReplySince"
    LIMIT ${SLA_BATCH}`;
  let warned = 0;
  for (const conversation of overdue) {
    const claimed = await inUnitOfWork(runtime.prisma, runtime.log, async (unit) => {
      const { count } = await unit.tx.conversation.updateMany({ where: { id: conversation.id, slaWarnedAt: null }, data: { slaWarnedAt: now } });
      if (count === 0) return false;
      await notify(runtime, { type: "SLA_WARNING", organizationId: conversation.organizationId, conversationId: conversation.id }, unit);
      return true;
    });
    if (claimed) warned += 1;
  }
  if (warned > 0) runtime.log.info({ warned }, "SLA warnings sent");
  return warned;
}

/** Deletes read notifications older than NOTIFICATION_RETENTION_DAYS (their deliveries go with them). */
export async function deleteExpiredNotifications(runtime: Runtime, now: Date = new Date()): Promise<number> {
  const cutoff = new Date(now.getTime() - runtime.config.NOTIFICATION_RETENTION_DAYS * 24 * 3600_000);
  const { count } = await runtime.prisma.notification.deleteMany({ where: { readAt: { not: null }, createdAt: { lt: cutoff } } });
  if (count > 0) runtime.log.info({ deleted: count }, "expired notifications deleted");
  return count;
}

// Cron ticks carry no payload (pg-boss sends null).
const tick = z.object({}).passthrough().nullish();

// The minute's sweep leaves a fan-out this young to the process finishing it right now.
const FAN_OUT_SWEEP_AGE_SECONDS = 30;

export const notificationJobs = [
  defineJob({ name: "sla-warnings", schema: tick, cron: "* * * * *", handler: async (_data, runtime) => void (await sendSlaWarnings(runtime)) }),
  defineJob({
    name: "notification-fan-outs",
    schema: z
      .object({ olderThanSeconds: z.number().min(0).optional() })
      .passthrough()
      .nullish(),
    cron: "* * * * *",
    // At start, whatever is pending: a process that died between a fan-out's two phases left it.
    atWorkerStart: { olderThanSeconds: 0 },
    handler: async (data, runtime) => void (await finishPendingFanOuts(runtime, data?.olderThanSeconds ?? FAN_OUT_SWEEP_AGE_SECONDS)),
  }),
  defineJob({
    name: "notification-retention",
    schema: tick,
    cron: "17 3 * * *",
    handler: async (_data, runtime) => void (await deleteExpiredNotifications(runtime)),
  }),
];
