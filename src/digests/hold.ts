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

/**
 * Finds or opens the digest of (user, channel) for the window ending at `windowEnd` and
 * makes sure its job exists, inside the engine's transaction. Returns the digest's id,
 * or null when that digest is already being sent (a delivery arriving that late goes
 * out on its own instead of waiting on a digest that has left).
 *
 * The upsert locks the digest row until the engine commits; the digest job flips the
 * row out of SCHEDULED under the same lock before reading what it holds, so a delivery
 * is either in the digest's email or was never attached to it.
 */
export async function openDigest(
  runtime: Runtime,
  tx: Prisma.TransactionClient,
  target: { organizationId: string; userId: string; channel: NotificationChannel; windowEnd: Date },
): Promise<string | null> {
  const rows = await tx.$queryRaw<Array<{ id: string; status: string }>>`
    INSERT INTO "Digest" (id, "organizationId", "userId", channel, "windowEnd", status, "createdAt", "updatedAt")
    VALUES (${uuidv7()}::uuid, ${target.organizationId}::uuid, ${target.userId}::uuid, ${target.channel}::"NotificationChannel",
            ${target.windowEnd.toISOString()}::timestamptz AT TIME ZONE 'UTC', 'SCHEDULED', now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC')
    ON CONFLICT ("userId", channel, "windowEnd") DO UPDATE SET "updatedAt" = "Digest"."updatedAt"
    RETURNING id::text AS id, status::text AS status`;
  const digest = rows[0]!;
  if (digest.status !== "SCHEDULED") return null;
  await runtime.jobs.send(
    digestQueue,
    { digestId: digest.id },
    { tx, id: digestJobId(target.userId, target.channel, target.windowEnd), singletonKey: `${target.userId}:${target.channel}:${target.windowEnd.toISOString()}`, startAfter: target.windowEnd },
  );
  return digest.id;
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
  const zoneOf = new Map(context.recipients.map((r) => [r.id, r.quietHoursTimeZone]));
  let organizationZone: string | undefined;
  const result: DeliveryRow[] = [];
  for (const { overLimit, ...row } of rows) {
    const choice = choices.find((c) => c.userId === row.userId && c.channel === row.channel);
    if (!overLimit && !choice) {
      result.push(row);
      continue;
    }
    organizationZone ??= (await tx.organization.findUniqueOrThrow({ where: { id: context.organization.id }, select: { timeZone: true } })).timeZone;
    const schedule = scheduleFor(choice, { user: zoneOf.get(row.userId) ?? null, organization: organizationZone });
    // Quiet hours first: held until they end, it joins the first digest at or after that end.
    const from = row.scheduledFor && row.scheduledFor > context.now ? new Date(row.scheduledFor.getTime() - 1) : context.now;
    const windowEnd = digestWindowEnd(from, schedule);
    const digestId = await openDigest(runtime, tx, { organizationId: row.organizationId, userId: row.userId, channel: row.channel, windowEnd });
    if (!digestId) {
      // That digest has already left: this one goes on its own (rare: a window closing mid-event).
      result.push({ ...row, status: row.scheduledFor ? "SCHEDULED" : "PENDING", lastError: null });
      continue;
    }
    result.push({ ...row, status: "SCHEDULED", scheduledFor: windowEnd, digestId, lastError: overLimit ? row.lastError : `held for the ${schedule.frequency.toLowerCase()} digest` });
  }
  return result;
}
