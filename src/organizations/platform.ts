import type { Organization, Prisma, User } from "../db/client.js";
import type { ServiceContext } from "../service-context.js";

// The platform's own view, for super admins only (the resolvers' scope says so): these
// read across organizations, so they use the unscoped client on purpose.

/** Every organization by name, `search` matching the name or slug (case-insensitively). */
export function listOrganizations(
  { runtime }: ServiceContext,
  { query, search }: { query: Omit<Prisma.OrganizationFindManyArgs, "where" | "orderBy">; search?: string | null },
): Promise<Organization[]> {
  const term = search?.trim().slice(0, 100);
  return runtime.prisma.organization.findMany({
    ...query,
    where: term ? { OR: [{ name: { contains: term, mode: "insensitive" } }, { slug: { contains: term, mode: "insensitive" } }] } : {},
    orderBy: [{ name: "asc" }, { id: "asc" }],
  });
}

/** One organization, whoever it is (e.g. one a super admin has just created or suspended). */
export function platformOrganization({ runtime }: ServiceContext, id: string, query: Omit<Prisma.OrganizationFindUniqueArgs, "where"> = {}): Promise<Organization> {
  return runtime.prisma.organization.findUniqueOrThrow({ ...query, where: { id } }) as Promise<Organization>;
}

/** One user of any organization (the admin a super admin has just created). */
export function platformUser({ runtime }: ServiceContext, id: string, query: Omit<Prisma.UserFindUniqueArgs, "where"> = {}): Promise<User> {
  return runtime.prisma.user.findUniqueOrThrow({ ...query, where: { id } }) as Promise<User>;
}
