import { Prisma, type PrismaClient } from "../db/client.js";
import { contactMatchSql, MAX_SEARCH_MATCHES, parseSearch } from "../conversations/search.js";

/**
 * The Prisma filter for `contacts(search)`: contacts whose name contains the text (case
 * and accents ignored) or whose phone contains its digits, through the trigram indexes;
 * at most MAX_SEARCH_MATCHES, the most recently active.
 */
export async function contactsWhere(prisma: PrismaClient, organizationId: string, search: string | undefined): Promise<Prisma.ContactWhereInput> {
  if (search === undefined) return {};
  const query = parseSearch(search);
  const rows = await prisma.$queryRaw<Array<{ id: string }>>(Prisma.sql`
    SELECT ct."id" FROM "Contact" ct
    WHERE ct."organizationId" = ${organizationId}::uuid AND ${contactMatchSql(query)}
    ORDER BY ct."lastMessageAt" DESC NULLS LAST, ct."id" DESC LIMIT ${MAX_SEARCH_MATCHES}`);
  return { id: { in: rows.map((r) => r.id) } };
}
