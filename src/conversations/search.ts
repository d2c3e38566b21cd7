import { z } from "zod";
import { Prisma, type ConversationStatus, type PrismaClient } from "../db/client.js";
import { invalidInput } from "../errors.js";

/**
 * The inbox's search, in PostgreSQL itself (indexes in the `inbox_search_mute` migration):
 * - contact names: trigram (`pg_trgm`) substring match, case- and accent-folded, so
 *   "joao" finds "João";
 * - phone numbers: the digits of the query (any format: "+55 (11) 98765-4321",
 *   "987654321") as a substring of the contact's digits, trigram-indexed;
 * - message text: full-text search, `portuguese` configuration over `aviso_unaccent`
 *   (an IMMUTABLE wrapper of `unaccent`, so the expression can be indexed).
 */

/** Longest search text accepted; longer is BAD_USER_INPUT. */
export const MAX_SEARCH_LENGTH = 100;
/**
 * At most this many conversations match one search (the most recently active): a
 * word found in a million messages must not load a million ids. Pages of the inbox
 * are taken within them.
 */
export const MAX_SEARCH_MATCHES = 1000;

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
  const parsed = searchText.safeParse(raw);
  if (!parsed.success) throw invalidInput("search", parsed.error.issues[0]!.message);
  return parsed.data;
}

/** SQL condition on contact `ct`: the name contains the query (folded), or the phone its digits. */
export function contactMatchSql(query: string, alias = "ct"): Prisma.Sql {
  const a = Prisma.raw(`"${alias}"`);
  const digits = phoneDigitsOf(query);
  const name = Prisma.sql`lower(aviso_unaccent(coalesce(${a}."name", ''))) LIKE lower(aviso_unaccent(${containing(query)}))`;
  return digits ? Prisma.sql`(${name} OR coalesce(${a}."phone", '') LIKE ${containing(digits)})` : name;
}

/**
 * The ids of the organization's conversations matching `filter`, most recently active
 * first, at most MAX_SEARCH_MATCHES. Exported whole so the bench runs the same SQL bare.
 */
export function conversationSearchSql(organizationId: string, filter: InboxFilter & { search: string }, limit = MAX_SEARCH_MATCHES): Prisma.Sql {
  const conditions: Prisma.Sql[] = [Prisma.sql`c."organizationId" = ${organizationId}::uuid`];
  if (filter.status) conditions.push(Prisma.sql`c."status" = ${filter.status}::"ConversationStatus"`);
  if (filter.queueId) conditions.push(Prisma.sql`c."queueId" = ${filter.queueId}::uuid`);
  if (filter.assigneeId) conditions.push(Prisma.sql`c."assigneeId" = ${filter.assigneeId}::uuid`);
  if (filter.unassigned === true) conditions.push(Prisma.sql`c."assigneeId" IS NULL`);
  if (filter.unassigned === false) conditions.push(Prisma.sql`c."assigneeId" IS NOT NULL`);
  conditions.push(Prisma.sql`(
    c."contactId" IN (SELECT ct."id" FROM "Contact" ct WHERE ct."organizationId" = ${organizationId}::uuid AND ${contactMatchSql(filter.search)})
    OR c."id" IN (
      SELECT m."conversationId" FROM "Message" m
      WHERE m."organizationId" = ${organizationId}::uuid
        AND to_tsvector('portuguese'::regconfig, aviso_unaccent(coalesce(m."text", ''))) @@ plainto_tsquery('portuguese'::regconfig, aviso_unaccent(${filter.search}))
    )
  )`);
  return Prisma.sql`SELECT c."id" FROM "Conversation" c WHERE ${Prisma.join(conditions, " AND ")}
    ORDER BY c."lastMessageAt" DESC NULLS LAST, c."id" DESC LIMIT ${limit}`;
}

/**
 * The Prisma filter for an inbox list. Without `search` it is plain columns (indexed
 * by organization + status/assignee); with it, the matching ids come from
 * conversationSearchSql first. `prisma` may be unscoped: the SQL names the organization.
 */
export async function inboxWhere(prisma: PrismaClient, organizationId: string, filter: InboxFilter): Promise<Prisma.ConversationWhereInput> {
  const where: Prisma.ConversationWhereInput[] = [];
  if (filter.status) where.push({ status: filter.status });
  if (filter.queueId) where.push({ queueId: filter.queueId });
  if (filter.assigneeId) where.push({ assigneeId: filter.assigneeId });
  if (filter.unassigned === true) where.push({ assigneeId: null });
  if (filter.unassigned === false) where.push({ assigneeId: { not: null } });
  if (filter.search !== undefined) {
    const search = parseSearch(filter.search);
    const rows = await prisma.$queryRaw<Array<{ id: string }>>(conversationSearchSql(organizationId, { ...filter, search }));
    where.push({ id: { in: rows.map((r) => r.id) } });
  }
  return { AND: where };
}
