import { AlertSeverity, AlertStatus, Prisma } from "../db/client.js";
import { invalidInput } from "../errors.js";
import type { ServiceContext } from "../service-context.js";

export interface AlertPeriod {
  /** Inclusive; unbounded when absent. */
  from?: Date | null;
  /** Exclusive; unbounded when absent. */
  to?: Date | null;
}

export interface AlertSummary {
  from: Date | null;
  to: Date | null;
  total: number;
  bySeverity: Array<{ severity: AlertSeverity; count: number }>;
  byStatus: Array<{ status: AlertStatus; count: number }>;
  /** Over the period's alerts that were acknowledged; null when none was. */
  meanSecondsToAcknowledge: number | null;
  /** Over the period's alerts that were resolved; null when none was. */
  meanSecondsToResolve: number | null;
}

// Prisma stores UTC in "timestamp without time zone": compare with the instant in UTC,
// whatever the session's time zone.
const utc = (instant: Date) => Prisma.sql`(${instant.toISOString()}::timestamptz AT TIME ZONE 'UTC')`;

interface Row {
  severity: AlertSeverity;
  status: AlertStatus;
  count: number;
  acknowledged: number;
  ackSeconds: number | null;
  resolved: number;
  resolveSeconds: number | null;
}

/**
 * The alerts an organization opened in a period: how many by severity and by status
 * (every value listed, zeros included), and the mean seconds from opening to
 * acknowledgement and to resolution. One grouped query, whatever the volume.
 */
export async function summarizeAlerts({ db: prisma, actor }: ServiceContext, period: AlertPeriod = {}): Promise<AlertSummary> {
  const { organizationId } = actor;
  const from = period.from ?? null;
  const to = period.to ?? null;
  if (from && to && from >= to) throw invalidInput("to", "must be after from");
  // Raw SQL does not pass through the tenant extension: the organization is named here.
  const rows = await prisma.$queryRaw<Row[]>`
    SELECT "severity"::text AS "severity", "status"::text AS "status",
           COUNT(*)::int AS "count",
           COUNT("acknowledgedAt")::int AS "acknowledged",
           SUM(EXTRACT(EPOCH FROM ("acknowledgedAt" - "createdAt")))::float8 AS "ackSeconds",
           COUNT("resolvedAt")::int AS "resolved",
           SUM(EXTRACT(EPOCH FROM ("resolvedAt" - "createdAt")))::float8 AS "resolveSeconds"
      FROM "Alert"
     WHERE "organizationId" = ${organizationId}::uuid
       ${from ? Prisma.sql`AND "createdAt" >= ${utc(from)}` : Prisma.empty}
       ${to ? Prisma.sql`AND "createdAt" < ${utc(to)}` : Prisma.empty}
     GROUP BY 1, 2`;

  const severities = new Map(Object.values(AlertSeverity).map((s) => [s, 0]));
  const statuses = new Map(Object.values(AlertStatus).map((s) => [s, 0]));
  let total = 0;
  let acknowledged = 0;
  let ackSeconds = 0;
  let resolved = 0;
  let resolveSeconds = 0;
  for (const row of rows) {
    total += row.count;
    severities.set(row.severity, severities.get(row.severity)! + row.count);
    statuses.set(row.status, statuses.get(row.status)! + row.count);
    acknowledged += row.acknowledged;
    ackSeconds += row.ackSeconds ?? 0;
    resolved += row.resolved;
    resolveSeconds += row.resolveSeconds ?? 0;
  }
  return {
    from,
    to,
    total,
    bySeverity: [...severities].map(([severity, count]) => ({ severity, count })),
    byStatus: [...statuses].map(([status, count]) => ({ status, count })),
    meanSecondsToAcknowledge: acknowledged > 0 ? ackSeconds / acknowledged : null,
    meanSecondsToResolve: resolved > 0 ? resolveSeconds / resolved : null,
  };
}
