import { AlertStatus, type Alert, type Prisma } from "../db/client.js";
import { invalidInput, notFound } from "../errors.js";
import { inUnitOfWork } from "../db/unit-of-work.js";
import { notify } from "../notifications/engine.js";
import type { Runtime } from "../runtime.js";

/** The alert notifications the engine knows; acknowledgements and occurrences notify no one. */
export type AlertNotificationType = "ALERT_CREATED" | "ALERT_ESCALATED" | "ALERT_RESOLVED" | "ALERT_STALE";

/** What one change to an alert did, as the work inside `changeAlert` reports it. */
export interface AlertChange {
  /** The alert as it is after the change. */
  alert: Alert;
  /** Written to AuditLog in the same transaction; `actorId` null for Aviso itself (or an API key: `apiKeyId`). */
  audit: { action: string; actorId: string | null; apiKeyId?: string | null; data?: Prisma.InputJsonObject };
  /** Handed to the notification engine inside the same transaction. */
  notification?: { type: AlertNotificationType; escalationLevel?: number };
}

/**
 * Runs one alert change in a unit of work that also writes its audit row and its
 * notifications (and any jobs the work enqueued with `tx`), then — only after the
 * commit — publishes the engine's realtime events and `alertChanged`. Returns the
 * changed alert, or null when the work decided there was nothing to change.
 *
 * The transaction is on the unscoped client on purpose: the engine reads recipients
 * outside the alert's organization (level-2 escalations page the super admins), so
 * every alert query here names its `organizationId` explicitly.
 */
export async function changeAlert(runtime: Runtime, work: (tx: Prisma.TransactionClient) => Promise<AlertChange | null>): Promise<Alert | null> {
  return inUnitOfWork(runtime.prisma, runtime.log, async (unit) => {
    const change = await work(unit.tx);
    if (!change) return null;
    const { alert, audit, notification } = change;
    await unit.tx.auditLog.create({
      data: {
        organizationId: alert.organizationId,
        actorId: audit.actorId,
        apiKeyId: audit.apiKeyId ?? null,
        action: audit.action,
        entityType: "Alert",
        entityId: alert.id,
        data: audit.data ?? {},
      },
    });
    if (notification) {
      await notify(
        runtime,
        {
          type: notification.type,
          organizationId: alert.organizationId,
          alertId: alert.id,
          ...(notification.escalationLevel !== undefined ? { escalationLevel: notification.escalationLevel } : {}),
        },
        unit,
      );
    }
    unit.afterCommit(() => runtime.pubsub.publish("alertChanged", alert.organizationId, { alertId: alert.id }));
    return alert;
  });
}

/** The organization's alert, or NOT_FOUND (also for another organization's alert). */
export async function findAlert(tx: Prisma.TransactionClient, organizationId: string, alertId: string): Promise<Alert> {
  const alert = await tx.alert.findFirst({ where: { id: alertId, organizationId } });
  if (!alert) throw notFound("alert");
  return alert;
}

export function assertNotResolved(alert: Alert, doing: string): void {
  if (alert.status === AlertStatus.RESOLVED) throw invalidInput("id", `a resolved alert cannot be ${doing}`);
}

/**
 * Applies `data` only if the alert still matches `guard` (the state the caller
 * validated): two people acting at once cannot both win. Returns null if it lost.
 */
export async function updateIfUnchanged(
  tx: Prisma.TransactionClient,
  alert: Pick<Alert, "id" | "organizationId">,
  guard: Prisma.AlertWhereInput,
  data: Prisma.AlertUpdateManyMutationInput,
): Promise<Alert | null> {
  const [updated] = await tx.alert.updateManyAndReturn({ where: { ...guard, id: alert.id, organizationId: alert.organizationId }, data });
  return updated ?? null;
}
