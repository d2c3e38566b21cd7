import type { Viewer } from "../auth/jwt.js";
import type { PrismaClient } from "../db/client.js";
import type { Logger } from "../observability/log.js";
import type { Runtime } from "../runtime.js";
import type { ServiceContext } from "../service-context.js";

/**
 * The runtime as resolvers see it: everything but the unscoped Prisma client. A resolver
 * reads and writes only through `db`; services that have a reason to cross tenants
 * reach the unscoped client through their ServiceContext, and say why.
 */
export type ResolverRuntime = Omit<Runtime, "prisma">;

/** What every resolver receives, over HTTP and WebSocket alike. */
export interface Context {
  /** The authenticated caller, or null when no token was sent. */
  viewer: Viewer | null;
  /** Prisma scoped to the caller's organization (src/db/tenant.ts); the only client resolvers use. */
  db: PrismaClient;
  runtime: ResolverRuntime;
  log: Logger;
  requestId: string;
}

/** Narrows the context for resolvers behind the `loggedIn` scope. */
export function viewerOf(ctx: Context): Viewer {
  if (!ctx.viewer) throw new Error("viewerOf() called on an anonymous context");
  return ctx.viewer;
}

/** The service context of a logged-in caller: the scoped client, the runtime, the caller as Actor. */
export function serviceContextOf(ctx: Context): ServiceContext {
  // The context holds the whole runtime (src/server/context.ts); only its type hides `prisma` from resolvers.
  return { db: ctx.db, runtime: ctx.runtime as Runtime, actor: viewerOf(ctx) };
}
