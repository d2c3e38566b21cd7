import type { Notification, NotificationType } from "../db/client.js";
import type { NotificationSnapshot } from "../pubsub/index.js";

// A `notificationAdded` frame shows a notification's own columns far more often than its
// relations. The event carries them (JSON-safe), so a frame costs no database read; the
// backlog replay reads whole rows once. Both hand the resolver the same `Notification`.

/**
 * Past this many characters of text (title + body + data), the event carries ids only and
 * the subscriber reads the row: Redis payloads stay small whatever a trigger wrote.
 * In-app titles and bodies are bounded previews, so this is a guard, not the usual case.
 */
const MAX_SNAPSHOT_TEXT = 8_000;

/** The row as the event carries it, or null when it is too large for the bus. */
export function snapshotOf(row: Notification): NotificationSnapshot | null {
  const dataLength = row.data === null ? 0 : JSON.stringify(row.data).length;
  if (row.title.length + row.body.length + dataLength > MAX_SNAPSHOT_TEXT) return null;
  return {
    id: row.id,
    seq: row.seq.toString(),
    organizationId: row.organizationId,
    userId: row.userId,
    type: row.type,
    title: row.title,
    body: row.body,
    count: row.count,
    conversationId: row.conversationId,
    alertId: row.alertId,
    data: row.data,
    createdAt: row.createdAt.getTime(),
    updatedAt: row.updatedAt.getTime(),
    readAt: row.readAt?.getTime() ?? null,
    archivedAt: row.archivedAt?.getTime() ?? null,
  };
}

/** The row back from an event: dates, bigint and JSON revived explicitly (Redis hands back JSON). */
export function rowOfSnapshot(snapshot: NotificationSnapshot): Notification {
  return {
    id: snapshot.id,
    seq: BigInt(snapshot.seq),
    organizationId: snapshot.organizationId,
    userId: snapshot.userId,
    type: snapshot.type as NotificationType,
    title: snapshot.title,
    body: snapshot.body,
    count: snapshot.count,
    conversationId: snapshot.conversationId,
    alertId: snapshot.alertId,
    data: snapshot.data,
    createdAt: new Date(snapshot.createdAt),
    updatedAt: new Date(snapshot.updatedAt),
    readAt: snapshot.readAt === null ? null : new Date(snapshot.readAt),
    archivedAt: snapshot.archivedAt === null ? null : new Date(snapshot.archivedAt),
  };
}
