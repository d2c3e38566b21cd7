import { createHash } from "node:crypto";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "../generated/prisma/client.js";

export * from "../generated/prisma/client.js";

/** One Prisma client per process, over node-postgres (Prisma 7 needs a driver adapter). */
export function createPrisma(databaseUrl: string, poolSize = 10): PrismaClient {
  // A fixed-size pool: connections opened under load stay open (idleTimeoutMillis 0). With
  // pg-pool's default, every connection idle for 10 s was closed, and the next burst opened
  // new ones: 17–80 ms to connect, then its first transactions 90–120 ms (a new backend's
  // catalog caches and named statements start cold). In bench/broadcast-run.ts that closed
  // and reopened 35–37 connections per run and made the slowest frames of the latency steps.
  // TCP keep-alive lets a connection kept idle for long survive (and a dead one be noticed).
  const pool = new pg.Pool({ connectionString: databaseUrl, max: poolSize, idleTimeoutMillis: 0, keepAlive: true });
  // A connection the server ends (restart, pg_terminate_backend) emits 'error'. pg-pool
  // listens only while the connection is idle, and the adapter only inside transactions:
  // one that dies checked out for a plain query would crash the process. The query
  // itself fails with the error and the pool drops the connection, so nothing is lost here.
  pool.on("connect", (client) => client.on("error", () => {}));
  // An idle connection's error is re-emitted by the pool, which drops the connection: the
  // adapter listens too, but only once Prisma has connected, and raw reads may come first.
  pool.on("error", () => {});
  const adapter = new PrismaPg(pool, { disposeExternalPool: true, statementNameGenerator: statementName });
  const prisma = new PrismaClient({ adapter });
  pools.set(prisma, pool);
  return prisma;
}

const pools = new WeakMap<PrismaClient, pg.Pool>();

/**
 * The node-postgres pool under a client made by `createPrisma` (closed with it), for the
 * few hot reads where Prisma's query layer costs more than the query: one SQL statement,
 * named so PostgreSQL plans it once per connection. Everything else goes through Prisma.
 */
export function poolOf(prisma: PrismaClient): pg.Pool {
  const pool = pools.get(prisma);
  if (!pool) throw new Error("poolOf() takes the base client from createPrisma, not a scoped or foreign one");
  return pool;
}

// Named statements are parsed and planned once per connection instead of on every
// execution. Only short parameter lists are named: `IN (...)` lists and bulk inserts
// vary in length, and each variant would stay cached in every backend.
const MAX_NAMED_PARAMETERS = 16;
const names = new Map<string, string>();

/**
 * Marks SQL whose best plan depends on its values (a search: a rare word wants the
 * index, a frequent one does not): it stays unnamed, planned for its values every time,
 * never settling on a generic plan.
 */
export const PLAN_EVERY_TIME = "/* plan every time */";

/** A name derived from the SQL text; "" is PostgreSQL's unnamed, parsed-every-time statement. */
function statementName(query: { sql: string; args: unknown[] }): string {
  if (query.args.length > MAX_NAMED_PARAMETERS || query.sql.startsWith(PLAN_EVERY_TIME)) return "";
  let name = names.get(query.sql);
  if (!name) {
    if (names.size >= 5_000) names.clear();
    name = `p_${createHash("sha1").update(query.sql).digest("base64url")}`;
    names.set(query.sql, name);
  }
  return name;
}
