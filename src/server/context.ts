import { randomUUID } from "node:crypto";
import { GraphQLError } from "graphql";
import { AuthError, bearerToken, type Viewer } from "../auth/jwt.js";
import { standingOf } from "../auth/standing.js";
import { scopedTo } from "../db/tenant.js";
import { currentLogContext } from "../observability/log-context.js";
import type { Context } from "../schema/context.js";
import type { Runtime } from "../runtime.js";

// Anonymous callers get a client scoped to no organization: it can read nothing.
const NO_ORGANIZATION = "00000000-0000-0000-0000-000000000000";

/** Verifies a bearer token; a present but bad token is an error, an absent one is anonymous. */
export async function authenticate(runtime: Runtime, authorization: unknown): Promise<Viewer | null> {
  if (authorization === undefined || authorization === null || authorization === "") return null;
  const token = bearerToken(authorization);
  if (!token) throw new AuthError("malformed Authorization header");
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
}

export function unauthenticated(error: unknown): GraphQLError {
  return new GraphQLError(error instanceof AuthError ? `Unauthenticated: ${error.message}` : "Unauthenticated", {
    extensions: { code: "UNAUTHENTICATED", http: { status: 401 } },
  });
}

/** The one context factory, for HTTP requests and WebSocket operations alike. */
export function createContext(runtime: Runtime, viewer: Viewer | null, requestId: string = randomUUID()): Context {
  return {
    viewer,
    db: scopedTo(runtime.prisma, viewer?.organizationId ?? NO_ORGANIZATION),
    runtime,
    requestId,
    // Over HTTP these ids are already on every line (src/observability/log-context.ts); WebSocket operations bind them here.
    log:
      currentLogContext().requestId === requestId
        ? runtime.log
        : runtime.log.child({ requestId, ...(viewer ? { organizationId: viewer.organizationId, userId: viewer.userId } : {}) }),
  };
}
