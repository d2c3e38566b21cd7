import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "../generated/prisma/client.js";

export * from "../generated/prisma/client.js";

/** One Prisma client per process, over node-postgres (Prisma 7 needs a driver adapter). */
export function createPrisma(databaseUrl: string, poolSize = 10): PrismaClient {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: poolSize });
  // A connection the server ends (restart, pg_terminate_backend) emits 'error'. pg-pool
  // listens only while the connection is idle, and the adapter only inside transactions:
  // one that dies checked out for a plain query would crash the process. The query
  // itself fails with the error and the pool drops the connection, so nothing is lost here.
  pool.on("connect", (client) => client.on("error", () => {}));
  const adapter = new PrismaPg(pool, { disposeExternalPool: true });
  return new PrismaClient({ adapter });
}
