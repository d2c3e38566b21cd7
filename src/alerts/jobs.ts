import { z } from "zod";
import { AlertStatus, type Alert, type Prisma } from "../db/client.js";
import { defineJob, type JobDefinition } from "../jobs/define.js";
import type { Runtime } from "../runtime.js";
import { escalationDelaySeconds, escalationUpdate, MAX_ESCALATION_LEVEL } from "./escalation.js";
import { changeAlert } from "./transition.js";

const escalationPayload = z.object({ alertId: z.string().uuid(), level: z.number().int().min(1).max(MAX_ESCALATION_LEVEL) });
const stalenessPayload = z.object({ alertId: z.string().uuid() });

// Every alert job is delayed, and NOTIFY only wakes workers when a job is created, not
// when it comes due. With NOTIFY on, pg-boss stretches polling to a 30 s backstop
// (notifyPollingIntervalSeconds), so these queues turn it off and poll at pg-boss's
// minimum, 0.5 s, which bounds how late a due escalation fires.
const work = { pollingIntervalSeconds: 0.5, batchSize: 20 };
// "short": at most one queued job per singleton key, so scheduling the same step twice is a no-op.
const queue = { policy: "short", notify: false, retryLimit: 5, retryDelay: 5, retryBackoff: true } as const;

/** Escalates an alert still unacknowledged to `level`, then schedules the next level. */
export const escalateAlertJob = defineJob({
  name: "alert-escalate",
  schema: escalationPayload,
  queue,
  work,
  handler: (data, runtime) => escalateOnSchedule(runtime, data.alertId, data.level),
});

/** Raises ALERT_STALE once for an alert idle for ALERT_STALE_SECONDS; otherwise looks again when it would be. */
export const alertStalenessJob = defineJob({
  name: "alert-staleness",
  schema: stalenessPayload,
  queue,
  work,
  handler: (data, runtime) => raiseStaleIfIdle(runtime, data.alertId),
});

export const alertJobs: readonly JobDefinition[] = [escalateAlertJob, alertStalenessJob];

/**
 * Schedules the automatic escalation to `level` one severity delay from now (in the
 * caller's transaction when given). Severities without a delay (LOW) never escalate.
 */
export async function scheduleEscalation(
  runtime: Runtime,
  tx: Prisma.TransactionClient | undefined,
  alert: Pick<Alert, "id" | "severity">,
  level: number,
): Promise<void> {
  if (level > MAX_ESCALATION_LEVEL) return;
  const delay = escalationDelaySeconds(runtime.config, alert.severity);
  if (delay === undefined) return;
  await runtime.jobs.send(escalateAlertJob, { alertId: alert.id, level }, { ...(tx ? { tx } : {}), startAfter: delay, singletonKey: `${alert.id}:${level}` });
}

/** When an alert last active at `lastActivityAt` goes stale. */
export function staleAt(runtime: Runtime, lastActivityAt: Date): Date {
  return new Date(lastActivityAt.getTime() + runtime.config.ALERT_STALE_SECONDS * 1000);
}

/** Schedules the staleness check for when the alert would go stale if nothing happens before. */
export async function scheduleStalenessCheck(
  runtime: Runtime,
  tx: Prisma.TransactionClient | undefined,
  alert: Pick<Alert, "id" | "lastActivityAt">,
): Promise<void> {
  await runtime.jobs.send(
    alertStalenessJob,
    { alertId: alert.id },
    { ...(tx ? { tx } : {}), startAfter: staleAt(runtime, alert.lastActivityAt), singletonKey: alert.id },
  );
}

/**
 * Cancels the alert's queued jobs of these kinds. Best effort: every handler
 * re-checks the alert's state, so a job that slips through does nothing.
 */
export async function cancelQueuedAlertJobs(runtime: Runtime, alertId: string, kinds: readonly JobDefinition[]): Promise<void> {
  const { boss } = runtime.jobs;
  for (const job of kinds) {
    try {
      const queued = await boss.findJobs(job.name, { data: { alertId }, queued: true });
      if (queued.length > 0)
        await boss.cancel(
          job.name,
          queued.map((j) => j.id),
        );
    } catch (error) {
      runtime.log.warn({ err: (error as Error).message, alertId, job: job.name }, "cancelling alert jobs failed");
    }
  }
}

async function escalateOnSchedule(runtime: Runtime, alertId: string, level: number): Promise<void> {
  await changeAlert(runtime, async (tx) => {
    // Only an alert nobody has acknowledged or resolved, and not already there
    // (a manual escalation may have got ahead of the schedule).
    const [alert] = await tx.alert.updateManyAndReturn({
      where: { id: alertId, status: { in: [AlertStatus.OPEN, AlertStatus.ESCALATED] }, acknowledgedAt: null, escalationLevel: { lt: level } },
      data: escalationUpdate(level, new Date()),
    });
    if (!alert) return null;
    await scheduleEscalation(runtime, tx, alert, level + 1);
    return {
      alert,
      audit: { action: "alert.escalated", actorId: null, data: { level, automatic: true } },
      notification: { type: "ALERT_ESCALATED", escalationLevel: level },
    };
  });
}

async function raiseStaleIfIdle(runtime: Runtime, alertId: string): Promise<void> {
  const alert = await runtime.prisma.alert.findUnique({ where: { id: alertId } });
  if (!alert || alert.status === AlertStatus.RESOLVED || alert.staleNotifiedAt) return;
  if (staleAt(runtime, alert.lastActivityAt).getTime() > Date.now()) {
    // There was activity since this check was scheduled: look again when it would be stale.
    await scheduleStalenessCheck(runtime, undefined, alert);
    return;
  }
  const raised = await changeAlert(runtime, async (tx) => {
    const [stale] = await tx.alert.updateManyAndReturn({
      where: { id: alertId, status: { not: AlertStatus.RESOLVED }, staleNotifiedAt: null, lastActivityAt: alert.lastActivityAt },
      data: { staleNotifiedAt: new Date() },
    });
    if (!stale) return null;
    const idleSeconds = Math.round((stale.staleNotifiedAt!.getTime() - stale.lastActivityAt.getTime()) / 1000);
    return { alert: stale, audit: { action: "alert.stale", actorId: null, data: { idleSeconds } }, notification: { type: "ALERT_STALE" } };
  });
  // Activity (or a resolution) landed between the read and the update: decide again.
  if (!raised) await raiseStaleIfIdle(runtime, alertId);
}
