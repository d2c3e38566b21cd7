import { createYoga, type YogaServerInstance } from "graphql-yoga";
import { AuthError, type Viewer } from "../auth/jwt.js";
import { addToLogContext, currentLogContext } from "../observability/log-context.js";
import type { Context } from "../schema/context.js";
import { toClientError } from "../schema/errors.js";
import { schema } from "../schema/index.js";
import type { Runtime } from "../runtime.js";
import { authenticate, createContext, logIdsOf, unauthenticated } from "./context.js";
import { renderAvisoGraphiQL } from "./graphiql.js";
import { graphqlPlugins } from "./graphql-plugins.js";
import type { RateLimits } from "./rate-limits.js";

/** What Yoga hands the context factory: an HTTP request, or a WebSocket operation (src/server/ws.ts). */
export type ServerContext = { request?: Request } & { viewer?: Viewer | null; requestId?: string };

export type Yoga = YogaServerInstance<ServerContext, Context>;

export function createGraphQLServer(runtime: Runtime, rateLimits: RateLimits): Yoga {
  const isDev = runtime.config.NODE_ENV !== "production";
  return createYoga<ServerContext, Context>({
    schema,
    graphqlEndpoint: "/graphql",
    graphiql: runtime.config.GRAPHIQL_ENABLED
      ? { subscriptionsProtocol: "WS", title: "Aviso", shouldPersistHeaders: true, defaultQuery: "{\n  me {\n    email\n    role\n  }\n}\n" }
      : false,
    renderGraphiQL: renderAvisoGraphiQL,
    landingPage: false,
    batching: false,
    // src/server/app.ts answers 413 / 411 before Yoga sees a body over GRAPHQL_MAX_BODY_BYTES
    // or of undeclared length, and Node reads no more than the declared length. Yoga's own
    // limit would count the bytes again through a stream on every request (a sixth of a
    // small query's CPU).
    maxRequestBodySize: false,
    // Only CORS_ORIGINS get CORS headers; everyone else is same-origin only (no reflected origin).
    cors: (request) => {
      const origin = request.headers.get("origin");
      return origin && runtime.config.CORS_ORIGINS.includes(origin)
        ? { origin: [origin], credentials: true, methods: ["GET", "POST"], allowedHeaders: ["authorization", "content-type", "x-request-id"], maxAge: 600 }
        : false;
    },
    logging: false,
    maskedErrors: { maskError: (error) => toClientError(error, isDev) },
    plugins: graphqlPlugins(runtime, rateLimits),
    context: async (initial) => {
      // WebSocket operations arrive already authenticated at connection time.
      if (initial.viewer !== undefined) return createContext(runtime, initial.viewer, initial.requestId);
      const headers = initial.request?.headers;
      // The id src/server/app.ts gave this request (it honours a caller's X-Request-Id).
      const requestId = currentLogContext().requestId ?? headers?.get("x-request-id") ?? undefined;
      try {
        const actor = await authenticate(runtime, headers?.get("authorization") ?? undefined);
        if (actor) addToLogContext(logIdsOf(actor));
        return createContext(runtime, actor, requestId);
      } catch (error) {
        // A database outage while checking the user is the server's fault, not the token's.
        if (error instanceof AuthError) throw unauthenticated(error);
        throw error;
      }
    },
  });
}
