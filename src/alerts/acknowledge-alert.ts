import { AlertStatus, type Alert } from "../db/client.js";
import { invalidInput } from "../errors.js";
import type { ServiceContext } from "../service-context.js";
import { cancelQueuedAlertJobs, escalateAlertJob } from "./jobs.js";
import { assertNotResolved, changeAlert, findAlert, updateIfUnchanged } from "./transition.js";

/**
 * Someone is on it: the alert stops escalating by itself. Acknowledging a resolved or
 * already acknowledged alert is BAD_USER_INPUT. Notifies no one (the admins were told
 * at creation); `alertChanged` tells every open dashboard.
 */
export async function acknowledgeAlert({ runtime, actor }: ServiceContext, alertId: string): Promise<Alert> {
  const alert = await changeAlert(runtime, async (tx) => {
    const current = await findAlert(tx, actor.organizationId, alertId);
    assertNotResolved(current, "acknowledged");
    if (current.acknowledgedAt) throw invalidInput("id", "the alert is already acknowledged");
    const now = new Date();
    const acknowledged = await updateIfUnchanged(
      tx,
      current,
      { status: { not: AlertStatus.RESOLVED }, acknowledgedAt: null },
      { status: AlertStatus.ACKNOWLEDGED, acknowledgedAt: now, acknowledgedById: actor.userId, lastActivityAt: now },
    );
    if (!acknowledged) throw invalidInput("id", "the alert was acknowledged or resolved meanwhile");
    const secondsToAcknowledge = Math.round((now.getTime() - current.createdAt.getTime()) / 1000);
    return { alert: acknowledged, audit: { action: "alert.acknowledged", actorId: actor.userId, data: { secondsToAcknowledge } } };
  });
  // The escalation job would find the alert acknowledged and do nothing; cancelling spares it the trip.
  await cancelQueuedAlertJobs(runtime, alertId, [escalateAlertJob]);
  return alert!;
}
