import type { Viewer } from "../auth/jwt.js";
import type { PrismaClient } from "../db/client.js";
import type { Logger } from "../observability/log.js";
import type { Runtime } from "../runtime.js";

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
