import type { Actor, PersonActor } from "./auth/actor.js";
import type { PrismaClient } from "./db/client.js";
import type { Runtime } from "./runtime.js";

export type { Actor, PersonActor };

/**
 * What every service acting for a caller takes as its first argument, in this one shape:
 * `service(ctx, input)`. Resolvers build it with `serviceContextOf` (a person) or
 * `actorContextOf` (a person or an API key) in src/schema/context.ts. Most services are
 * a person's (`ServiceContext`); those an API key may call take `ServiceContext<Actor>`.
 */
export interface ServiceContext<A extends Actor = PersonActor> {
  /** Prisma scoped to `actor.organizationId` (src/db/tenant.ts): another organization's rows are not there. */
  db: PrismaClient;
  runtime: Runtime;
  actor: A;
}
