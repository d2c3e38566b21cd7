import { v5 as uuidv5, v7 as uuidv7 } from "uuid";
import type { NotificationChannel, Prisma } from "../db/client.js";
import type { DeliveryRow } from "../notifications/enqueue.js";
import type { Runtime } from "../runtime.js";
import { digestQueue } from "./queue.js";
import { DEFAULT_DAILY_AT, digestWindowEnd, type DigestSchedule } from "./window.js";

/** Namespace of digest job ids: the same (user, channel, window) always names the same job. */
const DIGEST_JOB_NAMESPACE = "6f1d0f52-8d7e-4b0a-9a35-0c7f1a0d6b21";

/** A user's digest choices, read once per event by the engine. */
export interface DigestChoice {
  userId: string;
  channel: NotificationChannel;
  frequency: "IMMEDIATE" | "HOURLY" | "DAILY";
  dailyAt: string | null;
  timeZone: string | null;
}

/** Channels with digests: one email, or one short SMS / push per browser. WhatsApp and Slack stay immediate. */
export const DIGEST_CHANNELS: readonly NotificationChannel[] = ["EMAIL", "SMS", "WEB_PUSH"];

export async function digestChoicesOf(tx: Prisma.TransactionClient, userIds: string[]): Promise<DigestChoice[]> {
  if (userIds.length === 0) return [];
  return tx.digestPreference.findMany({
    where: { userId: { in: userIds }, channel: { in: [...DIGEST_CHANNELS] }, frequency: { not: "IMMEDIATE" } },
    select: { userId: true, channel: true, frequency: true, dailyAt: true, timeZone: true },
  });
}

/**
 * The schedule a user's held deliveries on a channel follow: their own HOURLY/DAILY
 * choice, else — for emails over the hourly limit — the next hourly digest. The zone is
 * the choice's, else the user's quiet-hours zone, else the organization's.
 */
export function scheduleFor(choice: DigestChoice | undefined, zones: { user: string | null; organization: string }): DigestSchedule {
  const timeZone = choice?.timeZone ?? zones.user ?? zones.organization;
  if (choice?.frequency === "DAILY") return { frequency: "DAILY", dailyAt: choice.dailyAt ?? DEFAULT_DAILY_AT, timeZone };
  return { frequency: "HOURLY", timeZone };
}

/** The pg-boss job id of a digest: keyed per user, channel and window, so it exists once whoever enqueues it. */
export function digestJobId(userId: string, channel: NotificationChannel, windowEnd: Date): string {
  return uuidv5(`${userId}:${channel}:${windowEnd.toISOString()}`, DIGEST_JOB_NAMESPACE);
}

/** Which digest a held delivery joins: one per (user, channel, window). */
interface DigestTarget {
  organizationId: string;
  userId: string;
  channel: NotificationChannel;
  windowEnd: Date;
}

const targetKey = (t: Pick<DigestTarget, "userId" | "channel" | "windowEnd">) => `${t.userId}:${t.channel}:${t.windowEnd.toISOString()}`;

/**
 * Finds or opens the digests of these (user, channel, window) targets and makes sure
 * each one's job exists, inside the engine's transaction — in two statements however
 * many there are (an alert storm holds a thousand admins' emails at once). Returns each
 * target's digest id by `targetKey`, or null when that digest is already being sent (a
 * delivery arriving that late goes out on its own instead of waiting on one that left).
 *
 * The upsert locks the digest rows until the engine commits — taken in key order, so two
 * engines holding overlapping sets never deadlock; the digest job flips its row out of
 * SCHEDULED under the same lock before reading what it holds, so a delivery is either
 * in the digest's email or was never attached to it.
 */
async function openDigests(runtime: Runtime, tx: Prisma.TransactionClient, targets: DigestTarget[]): Promise<Map<string, string | null>> {
  const distinct = [...new Map(targets.map((t) => [targetKey(t), t])).entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, t]) => t);
  if (distinct.length === 0) return new Map();
  const rows = await tx.$queryRaw<Array<{ id: string; status: string; userId: string; channel: NotificationChannel; windowEnd: Date }>>`
    INSERT INTO "Digest" (id, "organizationId", "userId", channel, "windowEnd", status, "createdAt", "updatedAt")
    SELECT t.id, t."organizationId", t."userId", t.channel::"NotificationChannel", t."windowEnd" AT TIME ZONE 'UTC', 'SCHEDULED',
           now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
    FROM unnest(${distinct.map(() => uuidv7())}::uuid[], ${distinct.map((t) => t.organizationId)}::uuid[], ${distinct.map((t) => t.userId)}::uuid[],
                ${distinct.map((t) => t.channel)}::text[], ${distinct.map((t) => t.windowEnd.toISOString())}::timestamptz[])
      WITH ORDINALITY AS t(id, "organizationId", "userId", channel, "windowEnd", n)
    ORDER BY t.n
    ON CONFLICT ("userId", channel, "windowEnd") DO UPDATE SET "updatedAt" = "Digest"."updatedAt"
    RETURNING id::text AS id, status::text AS status, "userId"::text AS "userId", channel::text AS channel, "windowEnd"`;
  const digestOf = new Map<string, string | null>(rows.map((r) => [targetKey(r), r.status === "SCHEDULED" ? r.id : null]));
  const scheduled = distinct.flatMap((t) => {
    const digestId = digestOf.get(targetKey(t));
    return digestId ? [{ target: t, digestId }] : [];
  });
  await runtime.jobs.sendMany(
    digestQueue,
    scheduled.map(({ target, digestId }) => ({
      data: { digestId },
      id: digestJobId(target.userId, target.channel, target.windowEnd),
      key: targetKey(target),
      startAfter: target.windowEnd,
    })),
    { tx },
  );
  return digestOf;
}

export { digestWindowEnd };

/** A delivery row the engine planned; `overLimit` marks an email past the user's hourly limit. */
export type HeldRow = DeliveryRow & { overLimit?: boolean };

/**
 * Routes the engine's delivery rows through digests: an email over the hourly limit,
 * and every row of a channel the user set to HOURLY or DAILY, is held (SCHEDULED, no job
 * of its own) for the digest of the window it falls in — after the quiet hours when they
 * hold it. Everything else passes through unchanged.
 */
export async function holdForDigests(
  runtime: Runtime,
  tx: Prisma.TransactionClient,
  rows: HeldRow[],
  context: { recipients: Array<{ id: string; quietHoursTimeZone: string | null }>; organization: { id: string }; now: Date },
): Promise<DeliveryRow[]> {
  const candidates = rows.filter((r) => DIGEST_CHANNELS.includes(r.channel));
  if (candidates.length === 0) return rows.map(({ overLimit: _, ...row }) => row);
  const choices = await digestChoicesOf(tx, [...new Set(candidates.map((r) => r.userId))]);
  const choiceOf = new Map(choices.map((c) => [`${c.userId}:${c.channel}`, c]));
  const zoneOf = new Map(context.recipients.map((r) => [r.id, r.quietHoursTimeZone]));
  let organizationZone: string | undefined;
  // Each row's digest window first, then every digest they join opened at once.
  const planned: Array<{ row: DeliveryRow; held?: { target: DigestTarget; frequency: DigestSchedule["frequency"]; overLimit: boolean } }> = [];
  for (const { overLimit, ...row } of rows) {
    const choice = choiceOf.get(`${row.userId}:${row.channel}`);
    if (!overLimit && !choice) {
      planned.push({ row });
      continue;
    }
    organizationZone ??= (await tx.organization.findUniqueOrThrow({ where: { id: context.organization.id }, select: { timeZone: true } })).timeZone;
    const schedule = scheduleFor(choice, { user: zoneOf.get(row.userId) ?? null, organization: organizationZone });
    // Quiet hours first: held until they end, it joins the first digest at or after that end.
    const from = row.scheduledFor && row.scheduledFor > context.now ? new Date(row.scheduledFor.getTime() - 1) : context.now;
    const target = { organizationId: row.organizationId, userId: row.userId, channel: row.channel, windowEnd: digestWindowEnd(from, schedule) };
    planned.push({ row, held: { target, frequency: schedule.frequency, overLimit: overLimit ?? false } });
  }
  const digestOf = await openDigests(
    runtime,
    tx,
    planned.flatMap((p) => (p.held ? [p.held.target] : [])),
  );
  return planned.map(({ row, held }): DeliveryRow => {
    if (!held) return row;
    const digestId = digestOf.get(targetKey(held.target));
    // That digest has already left: this one goes on its own (rare: a window closing mid-event).
    if (!digestId) return { ...row, status: row.scheduledFor ? "SCHEDULED" : "PENDING", lastError: null };
    return {
      ...row,
      status: "SCHEDULED",
      scheduledFor: held.target.windowEnd,
      digestId,
      lastError: held.overLimit ? row.lastError : `held for the ${held.frequency.toLowerCase()} digest`,
    };
  });
}
