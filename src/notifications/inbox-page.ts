import { poolOf, type NotificationType, type Prisma, type PrismaClient } from "../db/client.js";

// A page of the inbox is the most frequent read after the badge. When the selection asks
// for no relation (conversation, alert, deliveries), the rows are read with one named
// SQL statement through the pool instead of Prisma's query layer, which cost more than
// the query: same filter, order and Prisma cursor paging, the same row shape.

/** The paging Pothos' prismaConnection hands its resolver (take < 0 pages backwards from the cursor). */
export interface PageQuery {
  take?: number;
  skip?: number;
  cursor?: { id?: string };
  include?: Record<string, unknown>;
  select?: Record<string, unknown>;
}

export interface InboxFilter {
  userId: string;
  /** Null for a super admin, whose inbox holds escalations of every organization. */
  organizationId: string | null;
  unreadOnly?: boolean | null;
  type?: NotificationType | null;
}

/** Whether this page can be read without Prisma: no relation selected, paging by `id` cursor only. */
export function isPlainPage(query: PageQuery): boolean {
  const relations = query.select ?? query.include;
  if (relations && Object.keys(relations).length > 0) return false;
  return query.cursor === undefined || (typeof query.cursor.id === "string" && Object.keys(query.cursor).length === 1);
}

interface NotificationRow {
  id: string;
  seq: string;
  organizationId: string;
  userId: string;
  type: NotificationType;
  title: string;
  body: string;
  count: number;
  conversationId: string | null;
  alertId: string | null;
  data: Prisma.JsonValue;
  createdAt: Date;
  updatedAt: Date;
  readAt: Date | null;
  archivedAt: Date | null;
}

// DateTime columns are UTC `timestamp(3)`: read as timestamptz so node-postgres does not take them for local time.
const COLUMNS = `id::text AS id, seq::text AS seq, "organizationId"::text AS "organizationId", "userId"::text AS "userId", type::text AS type,
  title, body, count, "conversationId"::text AS "conversationId", "alertId"::text AS "alertId", data,
  "createdAt" AT TIME ZONE 'UTC' AS "createdAt", "updatedAt" AT TIME ZONE 'UTC' AS "updatedAt",
  "readAt" AT TIME ZONE 'UTC' AS "readAt", "archivedAt" AT TIME ZONE 'UTC' AS "archivedAt"`;

/**
 * The caller's notifications, newest first, archived ones left out — what Prisma's
 * findMany with this `take`/`skip`/`cursor` returns: with a cursor, the rows past it (a
 * cursor that is not a row gives none); a negative take, the rows before it, still in
 * newest-first order.
 */
export async function readInboxPage(prisma: PrismaClient, filter: InboxFilter, query: PageQuery) {
  const take = query.take ?? 20;
  const backward = take < 0;
  const cursor = query.cursor?.id;
  // skip: 1 with a cursor skips the cursor row itself, which `<` / `>` already leave out.
  const skip = cursor === undefined ? (query.skip ?? 0) : Math.max(0, (query.skip ?? 0) - 1);
  const values: unknown[] = [filter.userId, Math.abs(take), skip];
  // One statement per combination of filters (each planned for its own index use), not ORs of NULL checks.
  const conditions = [`"userId" = $1::uuid`, `"archivedAt" IS NULL`];
  let name = backward ? "aviso_inbox_page_back" : "aviso_inbox_page";
  if (filter.organizationId !== null) {
    values.push(filter.organizationId);
    conditions.push(`"organizationId" = $${values.length}::uuid`);
    name += "_org";
  }
  if (filter.unreadOnly) {
    conditions.push(`"readAt" IS NULL`);
    name += "_unread";
  }
  if (filter.type) {
    values.push(filter.type);
    conditions.push(`type = $${values.length}::"NotificationType"`);
    name += "_type";
  }
  if (cursor !== undefined) {
    values.push(cursor);
    conditions.push(`seq ${backward ? ">" : "<"} (SELECT c.seq FROM "Notification" c WHERE c.id = $${values.length}::uuid)`);
    name += "_cursor";
  }
  const { rows } = await poolOf(prisma).query<NotificationRow>({
    name,
    text: `SELECT ${COLUMNS} FROM "Notification" WHERE ${conditions.join(" AND ")} ORDER BY "Notification".seq ${backward ? "ASC" : "DESC"} LIMIT $2 OFFSET $3`,
    values,
  });
  const page = rows.map((row) => ({ ...row, seq: BigInt(row.seq) }));
  return backward ? page.reverse() : page;
}
