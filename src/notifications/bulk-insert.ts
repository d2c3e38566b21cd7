import { v7 as uuidv7 } from "uuid";
import type { Notification, NotificationChannel, NotificationType, Prisma } from "../db/client.js";

// An alert to a thousand admins writes a thousand notifications and deliveries. Prisma's
// createManyAndReturn binds every column of every row (11,000 parameters) and builds
// the statement row by row; these writes send one array per column through unnest(),
// so the statement and its cost stay the same size whatever the number of recipients
// (and a coalesced event updates all its rows at once, not one statement per row).

/** Prisma's DateTime columns are UTC `timestamp(3)`: the transaction's clock is written as such. */
const utc = (at: Date) => at.toISOString();

export interface NewNotification {
  userId: string;
  title: string;
  body: string;
}

/**
 * In-app notifications of one event: what differs per recipient is the user and the
 * localized text. Returns the rows as written, whole: `notificationAdded` carries them.
 * Only `seq` is the database's: every other column is what this insert wrote, so the
 * statement returns (id, seq) and the rows are completed here — decoding fifteen
 * columns of a thousand rows through the query layer cost more than the insert.
 */
export async function insertNotifications(
  tx: Prisma.TransactionClient,
  common: { organizationId: string; type: NotificationType; conversationId: string | null; alertId: string | null; data: Prisma.InputJsonObject; at: Date },
  rows: NewNotification[],
): Promise<Notification[]> {
  if (rows.length === 0) return [];
  const ids = rows.map(() => uuidv7());
  const written = await tx.$queryRaw<Array<{ id: string; seq: string }>>`
    INSERT INTO "Notification" (id, "organizationId", "userId", type, title, body, count, "conversationId", "alertId", data, "createdAt", "updatedAt")
    SELECT r.id, ${common.organizationId}::uuid, r."userId", ${common.type}::"NotificationType", r.title, r.body, 1,
           ${common.conversationId}::uuid, ${common.alertId}::uuid, ${JSON.stringify(common.data)}::jsonb,
           ${utc(common.at)}::timestamptz AT TIME ZONE 'UTC', ${utc(common.at)}::timestamptz AT TIME ZONE 'UTC'
    FROM unnest(${ids}::uuid[], ${rows.map((r) => r.userId)}::uuid[], ${rows.map((r) => r.title)}::text[], ${rows.map((r) => r.body)}::text[])
      AS r(id, "userId", title, body)
    RETURNING id::text AS id, seq::text AS seq`;
  const seqOf = new Map(written.map((w) => [w.id, BigInt(w.seq)]));
  // The column's own JSON: what jsonb gives back for this object (keys as written; jsonb only reorders them).
  const data = JSON.parse(JSON.stringify(common.data)) as Prisma.JsonValue;
  return rows.map((row, i) => ({
    id: ids[i]!,
    seq: seqOf.get(ids[i]!)!,
    organizationId: common.organizationId,
    userId: row.userId,
    type: common.type,
    title: row.title,
    body: row.body,
    count: 1,
    conversationId: common.conversationId,
    alertId: common.alertId,
    data,
    createdAt: new Date(common.at.getTime()),
    updatedAt: new Date(common.at.getTime()),
    readAt: null,
    archivedAt: null,
  }));
}

export interface CoalescedUpdate {
  /** The notification the event folds into. */
  id: string;
  count: number;
  title: string;
  body: string;
}

/**
 * Folds one event into the notifications it coalesces with: each row's count and
 * localized preview, the event's data, in one statement — the next message of an
 * unassigned conversation updates the row of every agent of its queue. A row read or
 * archived since it was found is left alone (its user gets a fresh notification).
 * Returns the rows updated, whole, as written.
 */
export async function updateCoalesced(
  tx: Prisma.TransactionClient,
  common: { data: Prisma.InputJsonObject; at: Date },
  rows: CoalescedUpdate[],
): Promise<Notification[]> {
  if (rows.length === 0) return [];
  const written = await tx.$queryRaw<
    Array<Pick<Notification, "id" | "organizationId" | "userId" | "type" | "conversationId" | "alertId" | "createdAt"> & { seq: string }>
  >`
    UPDATE "Notification" n
    SET count = r.count, title = r.title, body = r.body, data = ${JSON.stringify(common.data)}::jsonb,
        "updatedAt" = ${utc(common.at)}::timestamptz AT TIME ZONE 'UTC'
    FROM unnest(${rows.map((r) => r.id)}::uuid[], ${rows.map((r) => r.count)}::int[], ${rows.map((r) => r.title)}::text[], ${rows.map((r) => r.body)}::text[])
      AS r(id, count, title, body)
    WHERE n.id = r.id AND n."readAt" IS NULL AND n."archivedAt" IS NULL
    RETURNING n.id::text AS id, n.seq::text AS seq, n."organizationId"::text AS "organizationId", n."userId"::text AS "userId", n.type::text AS type,
              n."conversationId"::text AS "conversationId", n."alertId"::text AS "alertId", n."createdAt"`;
  const requested = new Map(rows.map((r) => [r.id, r]));
  const data = JSON.parse(JSON.stringify(common.data)) as Prisma.JsonValue;
  return written.map((w) => {
    const row = requested.get(w.id)!;
    return {
      ...w,
      seq: BigInt(w.seq),
      title: row.title,
      body: row.body,
      count: row.count,
      data,
      updatedAt: new Date(common.at.getTime()),
      readAt: null,
      archivedAt: null,
    };
  });
}

export interface NewDelivery {
  organizationId: string;
  notificationId: string;
  userId: string;
  channel: NotificationChannel;
  status: "PENDING" | "SCHEDULED" | "SKIPPED";
  scheduledFor: Date | null;
  lastError: string | null;
  /** WEB_PUSH: the subscription this delivery goes to. */
  webPushSubscriptionId?: string | null;
  /** Held for this digest: no job of its own. */
  digestId?: string | null;
}

export interface InsertedDelivery {
  id: string;
  channel: NotificationChannel;
  status: NewDelivery["status"];
  scheduledFor: Date | null;
  digestId: string | null;
}

export async function insertDeliveries(tx: Prisma.TransactionClient, rows: NewDelivery[], at: Date): Promise<InsertedDelivery[]> {
  if (rows.length === 0) return [];
  return tx.$queryRaw<InsertedDelivery[]>`
    INSERT INTO "Delivery" (id, "organizationId", "notificationId", "userId", channel, status, "lastError", "scheduledFor", "webPushSubscriptionId", "digestId", "createdAt", "updatedAt")
    SELECT r.id, r."organizationId", r."notificationId", r."userId", r.channel::"NotificationChannel", r.status::"DeliveryStatus", r."lastError",
           r."scheduledFor" AT TIME ZONE 'UTC', r."webPushSubscriptionId", r."digestId",
           ${utc(at)}::timestamptz AT TIME ZONE 'UTC', ${utc(at)}::timestamptz AT TIME ZONE 'UTC'
    FROM unnest(
      ${rows.map(() => uuidv7())}::uuid[], ${rows.map((r) => r.organizationId)}::uuid[], ${rows.map((r) => r.notificationId)}::uuid[],
      ${rows.map((r) => r.userId)}::uuid[], ${rows.map((r) => r.channel)}::text[], ${rows.map((r) => r.status)}::text[],
      ${rows.map((r) => r.lastError)}::text[], ${rows.map((r) => (r.scheduledFor ? utc(r.scheduledFor) : null))}::timestamptz[],
      ${rows.map((r) => r.webPushSubscriptionId ?? null)}::uuid[], ${rows.map((r) => r.digestId ?? null)}::uuid[]
    ) AS r(id, "organizationId", "notificationId", "userId", channel, status, "lastError", "scheduledFor", "webPushSubscriptionId", "digestId")
    RETURNING id::text AS id, channel::text AS channel, status::text AS status, "scheduledFor", "digestId"::text AS "digestId"`;
}
