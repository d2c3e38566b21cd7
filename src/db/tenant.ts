import { Prisma, type PrismaClient } from "./client.js";

/**
 * The one place that keeps a caller inside their organization: every query made
 * through `scopedTo(prisma, orgId)` gets `organizationId = orgId` added to its filter
 * (or `id = orgId` for Organization itself) and to the rows it creates. Resolvers
 * receive only this client, so "my organization's rows" is the default, not a habit.
 * Nested writes are not rewritten: services connect rows they read through this client.
 */
export function scopedTo(prisma: PrismaClient, organizationId: string): PrismaClient {
  // Building an extended client costs more than a query: keep one per organization.
  let perOrganization = cache.get(prisma);
  if (!perOrganization) cache.set(prisma, (perOrganization = new Map()));
  const cached = perOrganization.get(organizationId);
  if (cached) return cached;
  if (perOrganization.size >= MAX_CACHED) perOrganization.delete(perOrganization.keys().next().value!);
  const client = extend(prisma, organizationId);
  perOrganization.set(organizationId, client);
  return client;
}

const MAX_CACHED = 1000;
// Safe at module level: a pure memo of immutable views (same client and id give an equivalent client holding nothing of its own), keyed weakly by each runtime's base client, so runtimes never share entries and nothing needs closing.
const cache = new WeakMap<PrismaClient, Map<string, PrismaClient>>();

function extend(prisma: PrismaClient, organizationId: string): PrismaClient {
  const scoped = prisma.$extends({
    name: "tenant",
    query: {
      $allModels: {
        $allOperations({ model, operation, args, query }) {
          return query(scopeArgs(model, operation, args, organizationId) as typeof args);
        },
      },
    },
  });
  // The extension changes what queries do, not the client's shape.
  return scoped as unknown as PrismaClient;
}

type Args = Record<string, unknown> & { where?: object; data?: unknown; create?: object };

const FILTERED = new Set([
  "findUnique",
  "findUniqueOrThrow",
  "findFirst",
  "findFirstOrThrow",
  "findMany",
  "count",
  "aggregate",
  "groupBy",
  "update",
  "updateMany",
  "updateManyAndReturn",
  "delete",
  "deleteMany",
  "upsert",
]);

function scopeArgs(model: string, operation: string, rawArgs: unknown, organizationId: string): unknown {
  const args = { ...((rawArgs ?? {}) as Args) };
  const key = model === Prisma.ModelName.Organization ? "id" : "organizationId";
  if (FILTERED.has(operation)) {
    // Added under AND so it narrows the caller's filter and never replaces it (unique
    // fields stay at the top level, as findUnique/update/upsert require).
    const where = (args.where ?? {}) as { AND?: unknown };
    const and = where.AND === undefined ? [] : Array.isArray(where.AND) ? where.AND : [where.AND];
    args.where = { ...where, AND: [...and, { [key]: organizationId }] };
  }
  if (model === Prisma.ModelName.Organization) {
    if (operation.startsWith("create") || operation === "upsert") throw new Error("organizations cannot be created through a tenant-scoped client");
    return args;
  }
  if (operation === "create") args.data = { ...(args.data as object), organizationId };
  if (operation === "createMany" || operation === "createManyAndReturn") {
    const rows = Array.isArray(args.data) ? args.data : [args.data];
    args.data = rows.map((row: object) => ({ ...row, organizationId }));
  }
  if (operation === "upsert") args.create = { ...(args.create ?? {}), organizationId };
  return args;
}
