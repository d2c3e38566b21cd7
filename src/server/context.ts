import { randomUUID } from "node:crypto";
import { GraphQLError } from "graphql";
import { isApiKey, personOf, type RequestActor } from "../auth/actor.js";
import { authenticateApiKey, looksLikeApiKey } from "../auth/api-key.js";
import { AuthError, bearerToken, type Viewer } from "../auth/jwt.js";
import { standingOf } from "../auth/standing.js";
import { scopedTo } from "../db/tenant.js";
import { currentLogContext } from "../observability/log-context.js";
import type { Context } from "../schema/context.js";
import type { Runtime } from "../runtime.js";

// Anonymous callers get a client scoped to no organization: it can read nothing.
const NO_ORGANIZATION = "00000000-0000-0000-0000-000000000000";

/**
 * Verifies a bearer credential — a person's JWT or an integrator's API key (`aviso_…`,
 * src/auth/api-key.ts); a present but bad one is an error, an absent one is anonymous.
 */
export async function authenticate(runtime: Runtime, authorization: unknown): Promise<RequestActor | null> {
  if (authorization === undefined || authorization === null || authorization === "") return null;
  const token = bearerToken(authorization);
  if (!token) throw new AuthError("malformed Authorization header");
  if (looksLikeApiKey(token)) return authenticateApiKey(runtime.prisma, token);
  const viewer = await runtime.verifier.verify(token);
  await assertStanding(runtime, viewer);
  return viewer;
}

/**
 * A signature proves who issued the token, not that its user still exists, is active,
 * belongs to that organization or holds that role: the database says so (src/auth/standing.ts).
 * Checked on every request, and on every operation a socket starts.
 */
export async function assertStanding(runtime: Runtime, viewer: Viewer): Promise<void> {
  const user = await standingOf(runtime, viewer.userId);
  if (!user || !user.active || user.organizationId !== viewer.organizationId || user.role !== viewer.role) {
    throw new AuthError("unknown or inactive user, or stale organization or role");
  }
  if (user.suspended) throw new AuthError("organization suspended");
}

export function unauthenticated(error: unknown): GraphQLError {
  return new GraphQLError(error instanceof AuthError ? `Unauthenticated: ${error.message}` : "Unauthenticated", {
    extensions: { code: "UNAUTHENTICATED", http: { status: 401 } },
  });
}

/** The one context factory, for HTTP requests and WebSocket operations alike. */
export function createContext(runtime: Runtime, actor: RequestActor | null, requestId: string = randomUUID()): Context {
  const viewer = personOf(actor);
  return {
    actor,
    viewer,
    db: scopedTo(runtime.prisma, actor?.organizationId ?? NO_ORGANIZATION),
    runtime,
    requestId,
    // Over HTTP these ids are already on every line (src/observability/log-context.ts); WebSocket operations bind them here.
    log:
      currentLogContext().requestId === requestId
        ? runtime.log
        : runtime.log.child({ requestId, ...logIdsOf(actor) }),
  };
}

/** The ids a log line carries for an actor (never a secret). */
export function logIdsOf(actor: RequestActor | null): Record<string, string> {
  if (!actor) return {};
  return isApiKey(actor) ? { organizationId: actor.organizationId, apiKeyId: actor.apiKeyId } : { organizationId: actor.organizationId, userId: actor.userId };
}
