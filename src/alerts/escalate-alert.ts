import { z } from "zod";
import type { Alert } from "../db/client.js";
import { AlertStatus } from "../db/client.js";
import { invalidInput } from "../errors.js";
import type { ServiceContext } from "../service-context.js";
import { parseInput } from "../validation.js";
import { escalationUpdate, MAX_ESCALATION_LEVEL } from "./escalation.js";
import { scheduleEscalation } from "./jobs.js";
import { assertNotResolved, changeAlert, findAlert, updateIfUnchanged } from "./transition.js";

const reasonSchema = z.string().trim().max(1000).nullish();

/**
 * Escalates one level now (level 1 pages the organization's admins, level 2 the super
 * admins) and notifies ALERT_ESCALATED. An unacknowledged alert keeps its automatic
 * schedule from the new level. Escalating a resolved alert, or one already at the top
 * level, is BAD_USER_INPUT.
 */
export async function escalateAlert({ runtime, actor }: ServiceContext, input: { alertId: string; reason?: string | null }): Promise<Alert> {
  const { alertId } = input;
  const reason = parseInput(reasonSchema, input.reason, "reason");
  const alert = await changeAlert(runtime, async (tx) => {
    const current = await findAlert(tx, actor.organizationId, alertId);
    assertNotResolved(current, "escalated");
    if (current.escalationLevel >= MAX_ESCALATION_LEVEL) throw invalidInput("id", `the alert is already at the highest escalation level (${MAX_ESCALATION_LEVEL})`);
    const level = current.escalationLevel + 1;
    const escalated = await updateIfUnchanged(
      tx,
      current,
      { status: { not: AlertStatus.RESOLVED }, escalationLevel: current.escalationLevel },
      escalationUpdate(level, new Date()),
    );
    if (!escalated) throw invalidInput("id", "the alert changed meanwhile; try again");
    // The pending job for this level now finds nothing to do; the next one takes over.
    if (!escalated.acknowledgedAt) await scheduleEscalation(runtime, tx, escalated, level + 1);
    return {
      alert: escalated,
      audit: { action: "alert.escalated", actorId: actor.userId, data: { level, automatic: false, reason: reason || null } },
      notification: { type: "ALERT_ESCALATED", escalationLevel: level },
    };
  });
  return alert!;
}
