import type { Actor } from "./auth/actor.js";
import type { PrismaClient } from "./db/client.js";
import type { Runtime } from "./runtime.js";

export type { Actor };

/**
 * What every service acting for a user takes as its first argument, in this one shape:
 * `service(ctx, input)`. Resolvers build it with `serviceContextOf` (src/schema/context.ts).
 */
export interface ServiceContext {
  /** Prisma scoped to `actor.organizationId` (src/db/tenant.ts): another organization's rows are not there. */
  db: PrismaClient;
  runtime: Runtime;
  actor: Actor;
}
