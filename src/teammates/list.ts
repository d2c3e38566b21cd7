import { Prisma, type PrismaClient, type Role } from "../db/client.js";
import { MAX_SEARCH_MATCHES, parseSearch } from "../conversations/search.js";

export interface TeammateFilter {
  role?: Role;
  active?: boolean;
  search?: string;
  /** Admins may also find people by email; others by name only (emails are not theirs to probe). */
  searchEmails: boolean;
}

/** The Prisma filter for `users(...)`: name (and, for admins, email) contains the text, case and accents ignored. */
export async function teammatesWhere(prisma: PrismaClient, organizationId: string, filter: TeammateFilter): Promise<Prisma.UserWhereInput> {
  const where: Prisma.UserWhereInput[] = [];
  if (filter.role) where.push({ role: filter.role });
  if (filter.active !== undefined) where.push({ active: filter.active });
  if (filter.search !== undefined) {
    const pattern = `%${parseSearch(filter.search).replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const byEmail = filter.searchEmails ? Prisma.sql` OR lower(u."email") LIKE lower(${pattern})` : Prisma.empty;
    const rows = await prisma.$queryRaw<Array<{ id: string }>>(Prisma.sql`
      SELECT u."id" FROM "User" u
      WHERE u."organizationId" = ${organizationId}::uuid
        AND (lower(aviso_unaccent(u."name")) LIKE lower(aviso_unaccent(${pattern}))${byEmail})
      LIMIT ${MAX_SEARCH_MATCHES}`);
    where.push({ id: { in: rows.map((r) => r.id) } });
  }
  return { AND: where };
}
