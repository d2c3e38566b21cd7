import type { Actor, RequestActor } from "../auth/actor.js";
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
  /** Who is calling: a person or an integrator's API key (src/auth/actor.ts); null when anonymous. */
  actor: RequestActor | null;
  /** The person calling, or null (anonymous, or an API key: keys are never people). */
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

/** The service context of a logged-in person: the scoped client, the runtime, the caller as PersonActor. */
export function serviceContextOf(ctx: Context): ServiceContext {
  // The context holds the whole runtime (src/server/context.ts); only its type hides `prisma` from resolvers.
  return { db: ctx.db, runtime: ctx.runtime as Runtime, actor: viewerOf(ctx) };
}

/**
 * The service context of a person or an API key, for the few services a key may call
 * (its scopes say which: createAlert, triggerNotification, reading conversations).
 */
export function actorContextOf(ctx: Context): ServiceContext<Actor> {
  if (!ctx.actor) throw new Error("actorContextOf() called on an anonymous context");
  return { db: ctx.db, runtime: ctx.runtime as Runtime, actor: ctx.actor };
}
