import type { Actor } from "../auth/actor.js";
import type { Viewer } from "../auth/jwt.js";
import type { PrismaClient } from "../db/client.js";
import type { Logger } from "../observability/log.js";
import type { Runtime } from "../runtime.js";

/** What every resolver receives, over HTTP and WebSocket alike. */
export interface Context {
  /** Who is calling: a person or an integrator's API key (src/auth/actor.ts); null when anonymous. */
  actor: Actor | null;
  /** The person calling, or null (anonymous, or an API key: keys are never people). */
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

/** Narrows the context for resolvers that a person or an API key may call. */
export function actorOf(ctx: Context): Actor {
  if (!ctx.actor) throw new Error("actorOf() called on an anonymous context");
  return ctx.actor;
}
