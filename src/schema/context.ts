import type { Viewer } from "../auth/jwt.js";
import type { PrismaClient } from "../db/client.js";
import type { Logger } from "../observability/log.js";
import type { Runtime } from "../runtime.js";
import type { ServiceContext } from "../service-context.js";

/** What every resolver receives, over HTTP and WebSocket alike. */
export interface Context {
  /** The authenticated caller, or null when no token was sent. */
  viewer: Viewer | null;
  /** Prisma scoped to the caller's organization (src/db/tenant.ts); the only client resolvers use. */
  db: PrismaClient;
  runtime: Runtime;
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
  return { db: ctx.db, runtime: ctx.runtime, actor: viewerOf(ctx) };
}
