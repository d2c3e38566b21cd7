import { z } from "zod";
import { PLAN_EVERY_TIME, Prisma, type ConversationStatus, type PrismaClient } from "../db/client.js";
import { invalidInput } from "../errors.js";
import { parseInput } from "../validation.js";

/**
 * The inbox's search, in PostgreSQL itself (indexes in the `inbox_search_mute` migration):
 * - contact names: trigram (`pg_trgm`) substring match, case- and accent-folded, so
 *   "joao" finds "João";
 * - phone numbers: the digits of the query (any format: "+55 (11) 98765-4321",
 *   "987654321") as a substring of the contact's digits, trigram-indexed;
 * - message text: full-text search, `portuguese` configuration over `aviso_unaccent`
 *   (an IMMUTABLE wrapper of `unaccent`, so the expression can be indexed), against one
 *   document per conversation ("ConversationSearch", kept by a trigger on Message): a
 *   conversation matches when its messages hold every word.
 */

/** Longest search text accepted; longer is BAD_USER_INPUT. */
export const MAX_SEARCH_LENGTH = 100;
/** Contacts or users one search returns at most (the most recently active): a list, not an export. */
export const MAX_SEARCH_MATCHES = 1000;
/** Rows one page of a conversation search reads at most (a connection's `first` is bounded below it). */
const MAX_SEARCH_PAGE = 501;
/**
 * Matching conversations past which a word counts as common (its page is found by walking
 * the inbox order rather than by sorting every match): sorting this many costs a few ms,
 * and so does walking to a page of a word at least this frequent.
 */
export const COMMON_WORD_HITS = 2000;

const searchText = z.string().trim().min(1, "must not be empty").max(MAX_SEARCH_LENGTH, `at most ${MAX_SEARCH_LENGTH} characters`);

/** What an inbox list is filtered by; every given filter must hold (AND). */
export interface InboxFilter {
  status?: ConversationStatus;
  queueId?: string;
  assigneeId?: string;
  /** true: only conversations nobody is assigned to; false: only assigned ones. */
  unassigned?: boolean;
  search?: string;
}

/** A query is a phone number when it is only digits and phone punctuation, with at least 4 digits. */
export function phoneDigitsOf(query: string): string | null {
  if (!/^[\d\s()+\-./]+$/.test(query)) return null;
  const digits = query.replace(/\D/g, "");
  return digits.length >= 4 ? digits : null;
}

/** `%text%` for LIKE, with LIKE's own wildcards escaped. */
function containing(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Validates and normalizes the search text (BAD_USER_INPUT `search`). */
export function parseSearch(raw: string): string {
  return parseInput(searchText, raw, "search");
}

/** SQL condition on contact `ct`: the name contains the query (folded), or the phone its digits. */
export function contactMatchSql(query: string, alias = "ct"): Prisma.Sql {
  const a = Prisma.raw(`"${alias}"`);
  const digits = phoneDigitsOf(query);
  const name = Prisma.sql`lower(aviso_unaccent(coalesce(${a}."name", ''))) LIKE lower(aviso_unaccent(${containing(query)}))`;
  return digits ? Prisma.sql`(${name} OR coalesce(${a}."phone", '') LIKE ${containing(digits)})` : name;
}

/** Where a page starts: after this conversation, in the inbox order. */
export interface SearchPage {
  afterId?: string;
  /** Rows to return (a connection asks for one more than it shows, to know if more follow). */
  take: number;
}

/**
 * The ids of the organization's conversations matching `filter`, in the inbox order
 * (last activity first, never-active last, then id) — one page of them: after
 * `page.afterId`, at most `page.take`. Keyset paging inside the SQL, so a page of a
 * search costs the same on page 1 and page 50. Exported whole so the bench runs the
 * same SQL bare. `commonWordHits` moves the common-word threshold (tests take both paths).
 */
export function conversationSearchSql(
  organizationId: string,
  filter: InboxFilter & { search: string; assignedTo?: string },
  page: SearchPage = { take: 21 },
  commonWordHits = COMMON_WORD_HITS,
): Prisma.Sql {
  const conditions: Prisma.Sql[] = [Prisma.sql`c."organizationId" = ${organizationId}::uuid`];
  if (filter.status) conditions.push(Prisma.sql`c."status" = ${filter.status}::"ConversationStatus"`);
  if (filter.queueId) conditions.push(Prisma.sql`c."queueId" = ${filter.queueId}::uuid`);
  if (filter.assigneeId) conditions.push(Prisma.sql`c."assigneeId" = ${filter.assigneeId}::uuid`);
  if (filter.assignedTo) conditions.push(Prisma.sql`c."assigneeId" = ${filter.assignedTo}::uuid`);
  if (filter.unassigned === true) conditions.push(Prisma.sql`c."assigneeId" IS NULL`);
  if (filter.unassigned === false) conditions.push(Prisma.sql`c."assigneeId" IS NOT NULL`);
  if (page.afterId) {
    // After the cursor in (lastMessageAt DESC NULLS LAST, id DESC) order.
    conditions.push(Prisma.sql`(
      SELECT CASE WHEN cur."lastMessageAt" IS NULL THEN c."lastMessageAt" IS NULL AND c."id" < cur."id"
                  ELSE c."lastMessageAt" IS NULL OR c."lastMessageAt" < cur."lastMessageAt" OR (c."lastMessageAt" = cur."lastMessageAt" AND c."id" < cur."id") END
      FROM "Conversation" cur WHERE cur."id" = ${page.afterId}::uuid AND cur."organizationId" = ${organizationId}::uuid
    )`);
  }
  const where = Prisma.join(conditions, " AND ");
  const order = Prisma.raw(`ORDER BY "lastMessageAt" DESC NULLS LAST, "id" DESC LIMIT`);
  const words = Prisma.sql`plainto_tsquery('portuguese'::regconfig, aviso_unaccent(${filter.search}))`;
  // Two branches (contacts, message text), each a page in inbox order, merged: a page of
  // each suffices. The text branch does not trust the planner's guess of how common a word
  // is (a word it has no statistics for is guessed at 0.5 %, so it walked all 50,000
  // documents of the bench for a word nobody wrote): it asks the GIN index for up to
  // COMMON_WORD_HITS matching conversations first. Fewer: that is every match, sorted.
  // That many: the word is common, and walking the inbox order finds a page within
  // (conversations ÷ COMMON_WORD_HITS) × page steps, each one document.
  return Prisma.sql`${Prisma.raw(PLAN_EVERY_TIME)} WITH hits AS MATERIALIZED (
      SELECT s."conversationId" FROM "ConversationSearch" s
      WHERE s."organizationId" = ${organizationId}::uuid AND s."document" @@ ${words} LIMIT ${commonWordHits}
    ), common AS MATERIALIZED (SELECT count(*) >= ${commonWordHits} AS yes FROM hits)
    SELECT "id" FROM (
    (SELECT c."id", c."lastMessageAt" FROM "Conversation" c
      WHERE ${where} AND c."contactId" IN (SELECT ct."id" FROM "Contact" ct WHERE ct."organizationId" = ${organizationId}::uuid AND ${contactMatchSql(filter.search)})
      ${order} ${page.take})
    UNION
    (SELECT c."id", c."lastMessageAt" FROM "Conversation" c
      WHERE ${where} AND NOT (SELECT yes FROM common) AND c."id" IN (SELECT "conversationId" FROM hits)
      ${order} ${page.take})
    UNION
    (SELECT c."id", c."lastMessageAt" FROM "Conversation" c
      WHERE ${where} AND (SELECT yes FROM common)
        AND (SELECT s."document" @@ ${words} FROM "ConversationSearch" s WHERE s."conversationId" = c."id")
      ${order} ${page.take})
  ) found ${order} ${page.take}`;
}

/**
 * The Prisma filter for an inbox list without `search` (plain columns, indexed by
 * organization + status/assignee).
 */
export function inboxWhere(filter: Omit<InboxFilter, "search">): Prisma.ConversationWhereInput {
  const where: Prisma.ConversationWhereInput[] = [];
  if (filter.status) where.push({ status: filter.status });
  if (filter.queueId) where.push({ queueId: filter.queueId });
  if (filter.assigneeId) where.push({ assigneeId: filter.assigneeId });
  if (filter.unassigned === true) where.push({ assigneeId: null });
  if (filter.unassigned === false) where.push({ assigneeId: { not: null } });
  return { AND: where };
}

/**
 * One page of a search, as ids in inbox order (see conversationSearchSql). `prisma` may
 * be unscoped: the SQL names the organization. Pages forward only (`first`/`after`).
 */
export async function searchConversationIds(
  prisma: PrismaClient,
  organizationId: string,
  filter: InboxFilter & { search: string; assignedTo?: string },
  page: SearchPage,
): Promise<string[]> {
  if (page.take < 0) throw invalidInput("search", "pages forward only: use first/after");
  const search = parseSearch(filter.search);
  const rows = await prisma.$queryRaw<Array<{ id: string }>>(
    conversationSearchSql(organizationId, { ...filter, search }, { ...page, take: Math.min(page.take, MAX_SEARCH_PAGE) }),
  );
  return rows.map((r) => r.id);
}
