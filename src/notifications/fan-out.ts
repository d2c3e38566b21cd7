import { v7 as uuidv7 } from "uuid";
import { z } from "zod";
import type { Prisma } from "../db/client.js";
import { inUnitOfWork } from "../db/unit-of-work.js";
import { holdForDigests, type HeldRow } from "../digests/hold.js";
import type { Runtime } from "../runtime.js";
import { applyEmailLimit } from "./email-limit.js";
import { enqueueDeliveries } from "./enqueue.js";

// An alert to a thousand admins plans a thousand emails: deciding their hourly limit and
// writing them and their jobs before the commit held every in-app frame back by the time
// that took. A large fan-out (src/notifications/engine.ts decides) therefore commits in
// two transactions:
//
// 1. the notifications and one PendingFanOut row holding the planned deliveries — the
//    outbox: once this commits, the deliveries will exist whatever happens next;
// 2. after the frames are published, `finishFanOut` deletes that row, applies the email
//    limit under its locks, and writes the Delivery rows and their jobs, in one transaction.
//
// Whoever deletes the row writes the deliveries, so they are written exactly once: by
// the process that did phase one, or — when it died in between — by the sweep every
// worker runs at start and every minute (`finishPendingFanOuts`).

const plannedRowSchema = z.object({
  notificationId: z.string().uuid(),
  userId: z.string().uuid(),
  channel: z.enum(["EMAIL", "WHATSAPP", "SLACK", "WEB_PUSH", "SMS"]),
  status: z.enum(["PENDING", "SCHEDULED", "SKIPPED"]),
  scheduledFor: z.string().datetime().nullable(),
  lastError: z.string().nullable(),
  webPushSubscriptionId: z.string().uuid().nullable(),
  /**
   * An email past the user's hourly limit, when decided in phase one (rows recorded before
   * phase two decided it); absent: phase two decides, under the limit's lock.
   */
  overLimit: z.boolean().optional(),
  /** The user's quiet-hours zone: the zone of their digest window when the row is held for one. */
  timeZone: z.string().nullable(),
});

/** What a PendingFanOut row's `deliveries` column holds. */
const plannedFanOutSchema = z.object({
  rows: z.array(plannedRowSchema),
  /** The organization's hourly email limit, applied in phase two (absent in rows that decided it in phase one). */
  emailHourlyLimit: z.number().int().nonnegative().optional(),
});

type PlannedRow = z.infer<typeof plannedRowSchema>;

/** A large fan-out's deliveries as phase one planned them. */
export interface FanOutPlan {
  organizationId: string;
  /** The engine's clock: the deliveries' createdAt and the start of their digest windows. */
  plannedAt: Date;
  rows: HeldRow[];
  /** Each recipient's quiet-hours zone (digest windows of held rows). */
  zoneOf: Map<string, string | null>;
  /** Applied to the emails in phase two. */
  emailHourlyLimit: number;
}

/**
 * Phase one, in the engine's transaction: records the planned deliveries instead of
 * writing them, their emails' hourly limit undecided — phase two decides it under the
 * limit's locks, counting every email written by then. Returns the row's id, for
 * `finishFanOut` after the commit.
 */
export async function recordFanOut(tx: Prisma.TransactionClient, plan: FanOutPlan): Promise<string> {
  const id = uuidv7();
  const rows: PlannedRow[] = plan.rows.map((row) => ({
    notificationId: row.notificationId,
    userId: row.userId,
    channel: row.channel,
    status: row.status,
    scheduledFor: row.scheduledFor?.toISOString() ?? null,
    lastError: row.lastError,
    webPushSubscriptionId: row.webPushSubscriptionId ?? null,
    ...(row.overLimit !== undefined ? { overLimit: row.overLimit } : {}),
    timeZone: plan.zoneOf.get(row.userId) ?? null,
  }));
  // Emails decided within the limit count against it until written (src/notifications/email-limit.ts); undecided ones do not yet.
  const emailUserIds = plan.rows.filter((r) => r.channel === "EMAIL" && r.status !== "SKIPPED" && r.overLimit === false).map((r) => r.userId);
  await tx.$executeRaw`
    INSERT INTO "PendingFanOut" (id, "organizationId", "plannedAt", deliveries, "emailUserIds", "createdAt")
    VALUES (${id}::uuid, ${plan.organizationId}::uuid, ${plan.plannedAt.toISOString()}::timestamptz AT TIME ZONE 'UTC',
            ${JSON.stringify({ rows, emailHourlyLimit: plan.emailHourlyLimit })}::json, ${emailUserIds}::uuid[], now() AT TIME ZONE 'UTC')`;
  return id;
}

/**
 * Phase two: deletes the pending row, applies the email limit (src/notifications/email-limit.ts)
 * and writes its deliveries and jobs (digests as the engine would have) in one transaction.
 * A row another transaction is finishing is skipped, not waited for; if that one fails the
 * row stays for the sweep. Rows whose notification or browser subscription went away
 * meanwhile are dropped. Returns how many deliveries it wrote, or null when there was
 * nothing (left) to finish.
 */
export async function finishFanOut(runtime: Runtime, fanOutId: string): Promise<number | null> {
  return inUnitOfWork(
    runtime.prisma,
    runtime.log,
    async ({ tx }) => {
      const [pending] = await tx.$queryRaw<Array<{ organizationId: string; plannedAt: Date; deliveries: unknown }>>`
        DELETE FROM "PendingFanOut"
        WHERE id = (SELECT id FROM "PendingFanOut" WHERE id = ${fanOutId}::uuid FOR UPDATE SKIP LOCKED)
        RETURNING "organizationId"::text AS "organizationId", "plannedAt", deliveries`;
      if (!pending) return null;
      const plan = plannedFanOutSchema.parse(pending.deliveries);
      const rows = await stillDeliverable(tx, plan.rows);
      const held = rows.map(
        (r): HeldRow => ({
          organizationId: pending.organizationId,
          notificationId: r.notificationId,
          userId: r.userId,
          channel: r.channel,
          status: r.status,
          scheduledFor: r.scheduledFor ? new Date(r.scheduledFor) : null,
          lastError: r.lastError,
          webPushSubscriptionId: r.webPushSubscriptionId,
          ...(r.overLimit !== undefined ? { overLimit: r.overLimit } : {}),
        }),
      );
      const recipients = [...new Map(rows.map((r) => [r.userId, { id: r.userId, quietHoursTimeZone: r.timeZone }])).values()];
      const now = pending.plannedAt;
      const limited = plan.emailHourlyLimit === undefined ? held : await applyEmailLimit(tx, held, plan.emailHourlyLimit, now);
      await enqueueDeliveries(runtime, tx, await holdForDigests(runtime, tx, limited, { recipients, organization: { id: pending.organizationId }, now }), now);
      return rows.length;
    },
    { timeout: 15_000, maxWait: 10_000 },
  );
}

/** Planned rows whose notification (and browser subscription, for WEB_PUSH) still exist. */
async function stillDeliverable(tx: Prisma.TransactionClient, rows: PlannedRow[]): Promise<PlannedRow[]> {
  if (rows.length === 0) return rows;
  const notificationIds = [...new Set(rows.map((r) => r.notificationId))];
  const subscriptionIds = [...new Set(rows.flatMap((r) => (r.webPushSubscriptionId ? [r.webPushSubscriptionId] : [])))];
  const [notifications, subscriptions] = await Promise.all([
    tx.$queryRaw<Array<{ id: string }>>`SELECT id::text AS id FROM "Notification" WHERE id = ANY(${notificationIds}::uuid[])`,
    subscriptionIds.length > 0
      ? tx.$queryRaw<Array<{ id: string }>>`SELECT id::text AS id FROM "WebPushSubscription" WHERE id = ANY(${subscriptionIds}::uuid[])`
      : Promise.resolve([]),
  ]);
  const notificationExists = new Set(notifications.map((n) => n.id));
  const subscriptionExists = new Set(subscriptions.map((s) => s.id));
  return rows.filter((r) => notificationExists.has(r.notificationId) && (!r.webPushSubscriptionId || subscriptionExists.has(r.webPushSubscriptionId)));
}

// How many pending rows one sweep finishes; the next sweep takes the rest.
const SWEEP_BATCH = 100;

/**
 * Finishes the fan-outs pending for at least `olderThanSeconds` (0 at a worker's start:
 * whatever a dead process left; the cron's sweep leaves the in-flight ones to their own
 * process). Two workers sweeping at once each finish different rows (or the same row
 * once). Returns how many it finished.
 */
export async function finishPendingFanOuts(runtime: Runtime, olderThanSeconds: number): Promise<number> {
  const due = await runtime.prisma.$queryRaw<Array<{ id: string }>>`
    SELECT id::text AS id FROM "PendingFanOut"
    WHERE "createdAt" <= (now() AT TIME ZONE 'UTC') - make_interval(secs => ${olderThanSeconds}::float8)
    ORDER BY "createdAt"
    LIMIT ${SWEEP_BATCH}`;
  let finished = 0;
  for (const { id } of due) {
    const written = await finishFanOut(runtime, id);
    if (written === null) continue;
    finished += 1;
    runtime.log.warn({ fanOutId: id, deliveries: written }, "pending fan-out finished by the sweep (its process stopped, or failed, between the two phases)");
  }
  return finished;
}
