import { poolOf, type NotificationType, type Prisma, type PrismaClient } from "../db/client.js";
import { createTurnBatcher } from "../db/turn-batch.js";
import { processState } from "../process-state.js";
import type { Runtime } from "../runtime.js";

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

/** A row as the statement returns it: `seq` as text, instants in ms since the epoch. */
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
  createdAt: number;
  updatedAt: number;
  readAt: number | null;
  archivedAt: number | null;
}

// DateTime columns are UTC `timestamp(3)`: read as milliseconds since the epoch (a float
// parses several times faster than a date string, and a page holds 80 of them).
const millis = (column: string) => `(EXTRACT(EPOCH FROM "${column}") * 1000)::float8 AS "${column}"`;
const COLUMNS = `id::text AS id, seq::text AS seq, "organizationId"::text AS "organizationId", "userId"::text AS "userId", type::text AS type,
  title, body, count, "conversationId"::text AS "conversationId", "alertId"::text AS "alertId", data,
  ${millis("createdAt")}, ${millis("updatedAt")}, ${millis("readAt")}, ${millis("archivedAt")}`;

/**
 * The caller's notifications, newest first, archived ones left out — what Prisma's
 * findMany with this `take`/`skip`/`cursor` returns: with a cursor, the rows past it (a
 * cursor that is not a row gives none); a negative take, the rows before it, still in
 * newest-first order. First pages — the inbox as it opens, the most frequent read —
 * asked for in one event-loop turn are read together (`firstPages` below): under load,
 * one round trip to PostgreSQL serves many requests.
 */
export async function readInboxPage(runtime: Pick<Runtime, "prisma" | "state">, filter: InboxFilter, query: PageQuery) {
  const take = query.take ?? 20;
  if (query.cursor === undefined && take > 0 && (query.skip ?? 0) === 0) {
    const shape: FirstPageShape = { take, scoped: filter.organizationId !== null, unreadOnly: filter.unreadOnly === true, type: filter.type ?? null };
    const read = runtime.state.get(firstPages);
    const page = await read(JSON.stringify(shape), { prisma: runtime.prisma, shape }, `${filter.userId}/${filter.organizationId ?? ""}`);
    return (page?.rows ?? []).map(toNotification);
  }
  const backward = take < 0;
  const cursor = query.cursor?.id;
  // skip: 1 with a cursor skips the cursor row itself, which `<` / `>` already leave out.
  const skip = cursor === undefined ? (query.skip ?? 0) : Math.max(0, (query.skip ?? 0) - 1);
  const values: unknown[] = [filter.userId, Math.abs(take), skip];
  const bind = (value: unknown) => `$${values.push(value)}`;
  const terms = filterTerms(filter.organizationId === null ? null : `${bind(filter.organizationId)}::uuid`, filter, bind);
  const conditions = [`"userId" = $1::uuid`, ...terms.conditions];
  let name = (backward ? "aviso_inbox_page_back" : "aviso_inbox_page") + terms.suffix;
  if (cursor !== undefined) {
    conditions.push(`seq ${backward ? ">" : "<"} (SELECT c.seq FROM "Notification" c WHERE c.id = ${bind(cursor)}::uuid)`);
    name += "_cursor";
  }
  const { rows } = await poolOf(runtime.prisma).query<NotificationRow>({
    name,
    text: `SELECT ${COLUMNS} FROM "Notification" WHERE ${conditions.join(" AND ")} ORDER BY "Notification".seq ${backward ? "ASC" : "DESC"} LIMIT $2 OFFSET $3`,
    values,
  });
  const page = rows.map(toNotification);
  return backward ? page.reverse() : page;
}

/**
 * The terms of a page's filters after its owner — archived rows left out, then the
 * organization (an SQL expression; null: any), unread only, one type — and the suffix
 * they give the statement's name: one named statement per combination of filters (each
 * planned for its own index use), not ORs of NULL checks. `bind` adds a value and
 * returns its placeholder.
 */
function filterTerms(organization: string | null, filter: { unreadOnly?: boolean | null; type?: NotificationType | null }, bind: (value: unknown) => string) {
  const conditions = [`"archivedAt" IS NULL`];
  let suffix = "";
  if (organization !== null) {
    conditions.push(`"organizationId" = ${organization}`);
    suffix += "_org";
  }
  if (filter.unreadOnly) {
    conditions.push(`"readAt" IS NULL`);
    suffix += "_unread";
  }
  if (filter.type) {
    conditions.push(`type = ${bind(filter.type)}::"NotificationType"`);
    suffix += "_type";
  }
  return { conditions, suffix };
}

function toNotification(row: NotificationRow) {
  return {
    ...row,
    seq: BigInt(row.seq),
    createdAt: new Date(row.createdAt),
    updatedAt: new Date(row.updatedAt),
    readAt: row.readAt === null ? null : new Date(row.readAt),
    archivedAt: row.archivedAt === null ? null : new Date(row.archivedAt),
  };
}

/** What a first page asks for besides its owner; first pages of one shape are read together. */
interface FirstPageShape {
  take: number;
  /** Within the owner's organization (everyone but super admins). */
  scoped: boolean;
  unreadOnly: boolean;
  type: NotificationType | null;
}

/**
 * The first pages of one turn, by shape: one statement takes every owner
 * (`userId/organizationId` keys) and reads each one's page with the same filter, order
 * and limit as a page read alone. Each page goes only to the key that asked for it.
 */
const firstPages = processState("inbox-first-pages", () =>
  createTurnBatcher<{ prisma: PrismaClient; shape: FirstPageShape }, { id: string; rows: NotificationRow[] }>(async ({ prisma, shape }, keys) => {
    const owners = keys.map((key) => key.split("/") as [string, string]);
    const values: unknown[] = [keys, owners.map(([userId]) => userId), owners.map(([, organizationId]) => organizationId || null), shape.take];
    const terms = filterTerms(shape.scoped ? "b.org" : null, shape, (value) => `$${values.push(value)}`);
    const conditions = [`"userId" = b.uid`, ...terms.conditions];
    const name = `aviso_inbox_first_pages${terms.suffix}`;
    const { rows } = await poolOf(prisma).query<NotificationRow & { batchKey: string }>({
      name,
      text: `SELECT b.key AS "batchKey", p.* FROM unnest($1::text[], $2::uuid[], $3::uuid[]) AS b(key, uid, org)
             CROSS JOIN LATERAL (
               SELECT ${COLUMNS} FROM "Notification" WHERE ${conditions.join(" AND ")} ORDER BY "Notification".seq DESC LIMIT $4
             ) p`,
      values,
    });
    const pages = new Map<string, NotificationRow[]>(keys.map((key) => [key, []]));
    for (const { batchKey, ...row } of rows) pages.get(batchKey)!.push(row);
    // Newest first within each page (a join's output order is not the subquery's).
    const newestFirst = (a: NotificationRow, b: NotificationRow) => (BigInt(b.seq) > BigInt(a.seq) ? 1 : -1);
    return [...pages].map(([id, page]) => ({ id, rows: page.sort(newestFirst) }));
  }),
);
