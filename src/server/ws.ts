import { randomUUID } from "node:crypto";
import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import { GraphQLError, type DocumentNode, type ExecutionArgs } from "graphql";
import { CloseCode } from "graphql-ws";
import { useServer } from "graphql-ws/use/ws";
import { WebSocketServer, type WebSocket } from "ws";
import { AuthError, type Viewer } from "../auth/jwt.js";
import { presenceOf } from "../presence/index.js";
import { isApiKey } from "../auth/actor.js";
import { watchStandingChanges } from "../auth/standing-changes.js";
import type { Runtime } from "../runtime.js";
import { assertStanding, authenticate, unauthenticated } from "./context.js";
import { resolvePersistedPayload } from "./persisted-operations.js";
import type { RateLimits } from "./rate-limits.js";
import { GRAPHQL_MAX_BODY_BYTES, originAllowed } from "./http-guards.js";
import type { Yoga } from "./yoga.js";

/** Close code for a user over their socket limit (4xxx: application-defined; graphql-ws reserves 44xx, and its 4429 means something else). */
export const CLOSE_TOO_MANY_SOCKETS = 4029;

interface SocketState {
  viewer: Viewer | null;
  expiry?: NodeJS.Timeout;
}

type EnvelopedRoot = { execute: (args: ExecutionArgs) => unknown; subscribe: (args: ExecutionArgs) => unknown };

/**
 * graphql-ws on the same port and path as HTTP. Every operation runs through Yoga's
 * envelop, so the same plugins, validation rules, error masking and context factory
 * apply to WebSocket and HTTP alike. A socket without a valid token is closed at
 * connect; a socket whose token expires is closed then.
 */
export function attachWebSocketServer(server: Server, yoga: Yoga, runtime: Runtime, rateLimits: RateLimits) {
  const { config } = runtime;
  // A frame may be no bigger than an HTTP request body may be (ws answers 1009 and closes).
  const wss = new WebSocketServer({ noServer: true, maxPayload: GRAPHQL_MAX_BODY_BYTES });
  // Open sockets per client IP and per user, in this process (see README: Limits).
  const socketsPerIp = new Map<string, number>();
  const socketsPerUser = new Map<string, number>();
  const bump = (map: Map<string, number>, key: string, by: number) => {
    const n = (map.get(key) ?? 0) + by;
    if (n <= 0) map.delete(key);
    else map.set(key, n);
  };
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    void (async () => {
      if ((req.url ?? "").split("?")[0] !== yoga.graphqlEndpoint) return socket.destroy();
      const ip = req.socket.remoteAddress ?? "unknown";
      if (!originAllowed(req, config.CORS_ORIGINS)) {
        runtime.log.warn("websocket connection refused: origin not allowed");
        socket.end("HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
        return;
      }
      if ((socketsPerIp.get(ip) ?? 0) >= config.WS_MAX_SOCKETS_PER_IP) {
        runtime.log.warn("websocket connection refused: too many open sockets from this address");
        socket.end("HTTP/1.1 429 Too Many Requests\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
        return;
      }
      if (!(await rateLimits.allow("websocketConnect", ip))) {
        runtime.log.warn({ ip }, "websocket connection refused: too many connection attempts");
        socket.end("HTTP/1.1 429 Too Many Requests\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => {
        bump(socketsPerIp, ip, 1);
        ws.once("close", () => bump(socketsPerIp, ip, -1));
        wss.emit("connection", ws, req);
      });
    })().catch((error: unknown) => {
      // Nothing above should throw; if it does, this upgrade is dropped, never the process.
      runtime.log.warn({ err: (error as Error).message }, "websocket upgrade failed");
      socket.destroy();
    });
  });
  const states = new WeakMap<WebSocket, SocketState>();
  const stillStands = (viewer: Viewer) =>
    assertStanding(runtime, viewer).then(
      () => true,
      (error: unknown) => {
        if (error instanceof AuthError) return false;
        throw error;
      },
    );
  const { metrics, log } = runtime;

  const disposable = useServer<Record<string, unknown> | undefined, { socket: WebSocket }>(
    {
      onConnect: async (ctx) => {
        const socket = ctx.extra.socket;
        try {
          const actor = await authenticate(runtime, ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization);
          if (!actor) throw new Error("no token");
          // Subscriptions are a person's (their inbox, their organization's live view); API keys call HTTP.
          if (isApiKey(actor)) throw new Error("API keys cannot open subscriptions");
          const viewer: Viewer = actor;
          if ((socketsPerUser.get(viewer.userId) ?? 0) >= config.WS_MAX_SOCKETS_PER_USER) {
            log.warn({ userId: viewer.userId }, "websocket connection refused: too many open sockets for this user");
            socket.close(CLOSE_TOO_MANY_SOCKETS, "Too many open sockets for this user");
            return false;
          }
          bump(socketsPerUser, viewer.userId, 1);
          socket.once("close", () => bump(socketsPerUser, viewer.userId, -1));
          const state: SocketState = { viewer };
          const msLeft = viewer.expiresAt * 1000 - Date.now();
          state.expiry = setTimeout(() => socket.close(CloseCode.Unauthorized, "Token expired"), Math.min(msLeft, 2 ** 31 - 1));
          states.set(socket, state);
          void presenceOf(runtime)
            .connected(viewer)
            .catch((error: unknown) => log.warn({ err: (error as Error).message }, "presence update failed"));
          log.info({ organizationId: viewer.organizationId, userId: viewer.userId }, "websocket connected");
          return true;
        } catch (error) {
          log.info({ reason: (error as Error).message }, "websocket connection refused");
          return false;
        }
      },
      onClose: (ctx) => {
        const state = states.get(ctx.extra.socket);
        if (state?.expiry) clearTimeout(state.expiry);
        if (state?.viewer) {
          void presenceOf(runtime)
            .disconnected(state.viewer)
            .catch((error: unknown) => log.warn({ err: (error as Error).message }, "presence update failed"));
        }
      },
      onSubscribe: async (ctx, _id, received) => {
        // graphql-ws registers the id before this hook: the count includes this operation.
        if (Object.keys(ctx.subscriptions).length > config.WS_MAX_OPERATIONS_PER_SOCKET) {
          return [
            new GraphQLError(`At most ${config.WS_MAX_OPERATIONS_PER_SOCKET} operations per socket: complete one first`, {
              extensions: { code: "TOO_MANY_OPERATIONS" },
            }),
          ];
        }
        // HTTP's persisted-operations plugin does not see socket payloads: the same rule here.
        const payload = resolvePersistedPayload(received, { onlyPersisted: runtime.config.PERSISTED_OPERATIONS_ONLY });
        if (payload instanceof GraphQLError) return [payload];
        const viewer = states.get(ctx.extra.socket)?.viewer ?? null;
        // A user deactivated (or moved) since the socket opened starts nothing more: the
        // socket is closed, as a bad token would have been at connection time.
        if (viewer && !(await stillStands(viewer))) {
          ctx.extra.socket.close(CloseCode.Forbidden, "Forbidden");
          return [unauthenticated(new AuthError("unknown or inactive user, or stale organization or role"))];
        }
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          viewer,
          requestId: randomUUID(),
          params: payload,
        });
        // Limits (graphql-armor) may throw from parse or validate rather than return errors.
        let document: DocumentNode;
        try {
          document = parse(payload.query);
          const errors = validate(schema, document);
          if (errors.length > 0) return errors;
        } catch (error) {
          return [error instanceof GraphQLError ? error : new GraphQLError("Invalid operation", { extensions: { code: "BAD_USER_INPUT" } })];
        }
        return {
          schema,
          document,
          operationName: payload.operationName,
          variableValues: payload.variables,
          contextValue: await contextFactory(),
          rootValue: { execute, subscribe } satisfies EnvelopedRoot,
        };
      },
      execute: (args) => (args.rootValue as EnvelopedRoot).execute(args) as never,
      subscribe: (args) => (args.rootValue as EnvelopedRoot).subscribe(args) as never,
      onOperation: () => {
        metrics.activeSubscriptions.inc();
      },
      onComplete: () => {
        metrics.activeSubscriptions.dec();
      },
    },
    wss,
  );

  // A user deactivated, demoted or moved — or their organization suspended — on any
  // instance: their open sockets here close now, not at their next operation.
  const stopWatching = watchStandingChanges(runtime, (change) => {
    for (const client of wss.clients) {
      const viewer = states.get(client)?.viewer;
      if (viewer && (change.userIds.includes(viewer.userId) || change.organizationId === viewer.organizationId)) {
        log.info({ organizationId: viewer.organizationId, userId: viewer.userId }, "websocket closed: user no longer stands");
        client.close(CloseCode.Forbidden, "Forbidden");
      }
    }
  });

  stopWatching.catch((error: unknown) => log.warn({ err: (error as Error).message }, "cannot watch standing changes"));

  wss.on("connection", (socket) => {
    metrics.openSockets.inc();
    socket.once("close", () => metrics.openSockets.dec());
  });

  return {
    wss,
    /** Closes every socket with 1001 (going away): clients reconnect and replay with `after`. */
    async close() {
      await (await stopWatching.catch(() => async () => {}))();
      for (const client of wss.clients) client.close(1001, "Server shutting down");
      await disposable.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
