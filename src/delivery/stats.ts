import { DeliveryStatus, Prisma, type NotificationChannel } from "../db/client.js";
import { invalidInput } from "../errors.js";
import type { ServiceContext } from "../service-context.js";

export interface DeliveryDayCount {
  /** The organization's local day, YYYY-MM-DD. */
  day: string;
  channel: NotificationChannel;
  status: DeliveryStatus;
  count: number;
}

export interface DeliveryFailureReason {
  channel: NotificationChannel;
  reason: string;
  count: number;
}

export interface DeliveryStats {
  from: Date;
  to: Date;
  timeZone: string;
  days: DeliveryDayCount[];
  failureReasons: DeliveryFailureReason[];
}

const MAX_SPAN_DAYS = 366;
const TOP_REASONS = 10;

/**
 * Deliveries of one organization created in [from, to): counts per local day ×
 * channel × status, and the failure reasons (FAILED and DEAD) that dominate.
 * `db` is tenant-scoped; the raw SQL filters organizationId itself, since the
 * tenant filter cannot rewrite raw queries.
 */
export async function deliveryStats({ db, actor }: ServiceContext, range: { from?: Date | null; to?: Date | null }): Promise<DeliveryStats> {
  const { organizationId } = actor;
  const to = range.to ?? new Date();
  const from = range.from ?? new Date(to.getTime() - 7 * 24 * 3600 * 1000);
  if (from >= to) throw invalidInput("from", "must be before to");
  if (to.getTime() - from.getTime() > MAX_SPAN_DAYS * 24 * 3600 * 1000) throw invalidInput("from", `the period may span at most ${MAX_SPAN_DAYS} days`);
  const { timeZone } = await db.organization.findUniqueOrThrow({ where: { id: organizationId }, select: { timeZone: true } });

  const rows = await db.$queryRaw<Array<{ day: string; channel: NotificationChannel; status: DeliveryStatus; count: bigint }>>(Prisma.sql`
    SELECT to_char(("createdAt" AT TIME ZONE 'UTC') AT TIME ZONE ${timeZone}, 'YYYY-MM-DD') AS day,
           channel::text AS channel, status::text AS status, count(*) AS count
      FROM "Delivery"
     WHERE "organizationId" = ${organizationId}::uuid
       -- createdAt holds UTC without a zone: compare it with the bounds in UTC.
       AND "createdAt" >= (${from.toISOString()}::timestamptz AT TIME ZONE 'UTC')
       AND "createdAt" < (${to.toISOString()}::timestamptz AT TIME ZONE 'UTC')
     GROUP BY 1, 2, 3
     ORDER BY 1, 2, 3`);

  const reasons = await db.delivery.groupBy({
    by: ["channel", "lastError"],
    where: { organizationId, status: { in: [DeliveryStatus.FAILED, DeliveryStatus.DEAD] }, createdAt: { gte: from, lt: to }, lastError: { not: null } },
    _count: { _all: true },
    orderBy: { _count: { id: "desc" } },
    take: TOP_REASONS,
  });

  return {
    from,
    to,
    timeZone,
    days: rows.map((row) => ({ ...row, count: Number(row.count) })),
    failureReasons: reasons.map((r) => ({ channel: r.channel, reason: r.lastError ?? "", count: r._count._all })),
  };
}
