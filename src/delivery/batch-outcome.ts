import { DeliveryStatus, Prisma, type Delivery } from "../db/client.js";
import type { Runtime } from "../runtime.js";
import type { SentMessage } from "./channel.js";
import type { ExternalChannel } from "./channel-types.js";

/*
 * The outcomes of a worker's batch, one statement per kind instead of one per delivery
 * (the single-delivery forms are in outcome.ts and mean the same). Values travel as
 * arrays (unnest), so each statement has a fixed parameter list and stays prepared.
 * Timestamps are the JS clock in UTC, as Prisma's own writes (@updatedAt) are.
 */

const utc = (at: Date) => Prisma.sql`(${at.toISOString()}::timestamptz AT TIME ZONE 'UTC')`;
const SENDABLE_SQL = Prisma.sql`d.status IN ('PENDING', 'SCHEDULED')`;

/**
 * Claims deliveries for one send attempt each (see `claim` in outcome.ts): a row is
 * taken only at the attempts and updatedAt it was read with, so of two jobs that read
 * the same row exactly one claims it. Rows are locked in id order, so two batches
 * claiming overlapping deliveries wait for each other instead of deadlocking.
 * Resolves to the ids claimed.
 */
export async function claimAll(runtime: Runtime, deliveries: Delivery[]): Promise<Set<string>> {
  if (deliveries.length === 0) return new Set();
  const rows = await runtime.prisma.$queryRaw<Array<{ id: string }>>(Prisma.sql`
    WITH version AS (
      SELECT * FROM unnest(${deliveries.map((d) => d.id)}::uuid[], ${deliveries.map((d) => d.attempts)}::int[], ${deliveries.map((d) => d.updatedAt.toISOString())}::timestamptz[])
        AS v(id, attempts, updated_at)
    ), taken AS (
      SELECT d.id FROM "Delivery" d JOIN version v ON v.id = d.id
      WHERE ${SENDABLE_SQL} AND d.attempts = v.attempts AND d."updatedAt" = (v.updated_at AT TIME ZONE 'UTC')
      ORDER BY d.id FOR UPDATE OF d
    )
    UPDATE "Delivery" d SET attempts = d.attempts + 1, "lastError" = NULL, "updatedAt" = ${utc(new Date())}
    FROM taken WHERE d.id = taken.id
    RETURNING d.id::text AS id`);
  return new Set(rows.map((r) => r.id));
}

/** Accepted by the provider: SENT with its message id (and SMS segments). */
export async function recordSentAll(runtime: Runtime, channel: ExternalChannel, sent: Array<{ delivery: Delivery; message: SentMessage }>): Promise<void> {
  if (sent.length === 0) return;
  const now = utc(new Date());
  const settled = await runtime.prisma.$queryRaw<Array<{ id: string }>>(Prisma.sql`
    UPDATE "Delivery" d SET status = 'SENT', "sentAt" = ${now}, "providerMessageId" = v.provider_message_id, "lastError" = NULL,
      "smsSegments" = COALESCE(v.sms_segments, d."smsSegments"), "smsEncoding" = COALESCE(v.sms_encoding, d."smsEncoding"), "updatedAt" = ${now}
    FROM unnest(${sent.map((s) => s.delivery.id)}::uuid[], ${sent.map((s) => s.message.providerMessageId)}::text[],
      ${sent.map((s) => s.message.record?.smsSegments ?? null)}::int[], ${sent.map((s) => s.message.record?.smsEncoding ?? null)}::text[])
      AS v(id, provider_message_id, sms_segments, sms_encoding)
    WHERE d.id = v.id AND ${SENDABLE_SQL}
    RETURNING d.id::text AS id`);
  count(runtime, channel, DeliveryStatus.SENT, settled.length);
}

/** Retrying cannot help: FAILED with its reason. */
export async function recordFailedAll(runtime: Runtime, channel: ExternalChannel, failed: Array<{ delivery: Delivery; reason: string }>): Promise<void> {
  await settleWithReason(runtime, channel, DeliveryStatus.FAILED, failed);
}

/** Cannot go out on this channel: SKIPPED with its reason. */
export async function recordSkippedAll(runtime: Runtime, channel: ExternalChannel, skipped: Array<{ delivery: Delivery; reason: string }>): Promise<void> {
  await settleWithReason(runtime, channel, DeliveryStatus.SKIPPED, skipped);
}

/** Failures that will be retried: each reason shows while its delivery waits. */
export async function recordRetryableErrorAll(runtime: Runtime, failures: Array<{ delivery: Delivery; reason: string }>): Promise<void> {
  if (failures.length === 0) return;
  await runtime.prisma.$executeRaw(Prisma.sql`
    UPDATE "Delivery" d SET "lastError" = v.reason, "updatedAt" = ${utc(new Date())}
    FROM unnest(${failures.map((f) => f.delivery.id)}::uuid[], ${failures.map((f) => f.reason)}::text[]) AS v(id, reason)
    WHERE d.id = v.id AND ${SENDABLE_SQL}`);
}

async function settleWithReason(
  runtime: Runtime,
  channel: ExternalChannel,
  status: typeof DeliveryStatus.FAILED | typeof DeliveryStatus.SKIPPED,
  rows: Array<{ delivery: Delivery; reason: string }>,
): Promise<void> {
  if (rows.length === 0) return;
  const now = utc(new Date());
  // FAILED also records when; SKIPPED leaves failedAt as it was.
  const failedAt = status === DeliveryStatus.FAILED ? now : Prisma.sql`d."failedAt"`;
  const settled = await runtime.prisma.$queryRaw<Array<{ id: string }>>(Prisma.sql`
    UPDATE "Delivery" d SET status = ${status}::"DeliveryStatus", "failedAt" = ${failedAt}, "lastError" = v.reason, "updatedAt" = ${now}
    FROM unnest(${rows.map((r) => r.delivery.id)}::uuid[], ${rows.map((r) => r.reason)}::text[]) AS v(id, reason)
    WHERE d.id = v.id AND ${SENDABLE_SQL}
    RETURNING d.id::text AS id`);
  count(runtime, channel, status, settled.length);
}

function count(runtime: Runtime, channel: ExternalChannel, status: DeliveryStatus, settled: number): void {
  if (settled > 0) runtime.metrics.deliveries.inc({ channel, status }, settled);
}
