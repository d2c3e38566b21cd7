import { AlertStatus, type AlertSeverity, type Prisma } from "../db/client.js";
import type { Config } from "../config/index.js";

/** Level 1 pages the organization's admins, level 2 the super admins; there is no one above. */
export const MAX_ESCALATION_LEVEL = 2;

/** Seconds an unacknowledged alert of this severity waits per level; undefined: it never escalates by itself. */
export function escalationDelaySeconds(config: Pick<Config, "ALERT_ESCALATION_SECONDS">, severity: AlertSeverity): number | undefined {
  return config.ALERT_ESCALATION_SECONDS[severity];
}

/** The columns an escalation to `level` sets, whoever asked for it. */
export function escalationUpdate(level: number, now: Date): Prisma.AlertUpdateManyMutationInput {
  return { status: AlertStatus.ESCALATED, escalationLevel: level, escalatedAt: now, lastActivityAt: now };
}
