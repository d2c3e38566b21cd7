import { z } from "zod";
import { AlertStatus, type Alert } from "../db/client.js";
import { invalidInput } from "../errors.js";
import type { ServiceContext } from "../service-context.js";
import { parseInput } from "../validation.js";
import { alertStalenessJob, cancelQueuedAlertJobs, escalateAlertJob } from "./jobs.js";
import { assertNotResolved, changeAlert, findAlert, updateIfUnchanged } from "./transition.js";

const resolutionSchema = z
  .string()
  .max(5000)
  .nullish()
  .transform((v) => (v == null || v.trim() === "" ? null : v.trim()));

/**
 * Closes the alert with an optional resolution note and notifies ALERT_RESOLVED (the
 * engine reads how long it was open from createdAt/resolvedAt). Its dedupe key is free
 * again: the next alert with it opens a new one. Resolving twice is BAD_USER_INPUT.
 */
export async function resolveAlert({ runtime, actor }: ServiceContext, input: { alertId: string; resolution?: string | null }): Promise<Alert> {
  const { alertId } = input;
  const resolution = parseInput(resolutionSchema, input.resolution, "resolution");
  const alert = await changeAlert(runtime, async (tx) => {
    const current = await findAlert(tx, actor.organizationId, alertId);
    assertNotResolved(current, "resolved again");
    const now = new Date();
    const resolved = await updateIfUnchanged(
      tx,
      current,
      { status: { not: AlertStatus.RESOLVED } },
      { status: AlertStatus.RESOLVED, resolvedAt: now, resolvedById: actor.userId, resolution, lastActivityAt: now },
    );
    if (!resolved) throw invalidInput("id", "the alert was resolved meanwhile");
    const secondsOpen = Math.round((now.getTime() - current.createdAt.getTime()) / 1000);
    return {
      alert: resolved,
      audit: { action: "alert.resolved", actorId: actor.userId, data: { secondsOpen } },
      notification: { type: "ALERT_RESOLVED" },
    };
  });
  await cancelQueuedAlertJobs(runtime, alertId, [escalateAlertJob, alertStalenessJob]);
  return alert!;
}
