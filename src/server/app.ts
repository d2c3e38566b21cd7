import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { withAutoProvisioning } from "../auth/auto-provision.js";
import { createTokenVerifier } from "../auth/jwt.js";
import type { Config } from "../config/index.js";
import { createPrisma } from "../db/client.js";
import { openDatabase } from "../db/database.js";
import { assertDatabaseReachable } from "../db/reachable.js";
import { migrate } from "../db/migrate.js";
import { seedDemoData } from "../db/seed.js";
import { keyringFor } from "../secrets/encryption.js";
import { reencryptSecrets } from "../secrets/reencrypt.js";
import { createBoss, createJobQueue } from "../jobs/queue.js";
import { jobs } from "../jobs/registry.js";
import { startQueueStatistics } from "../jobs/queue-statistics.js";
import { createQueues, startWorkers } from "../jobs/worker.js";
import { createLogger, type Logger } from "../observability/log.js";
import { createMetrics } from "../observability/metrics.js";
import { startUnreadFolding } from "../notifications/unread-compaction.js";
import { closePresence } from "../presence/index.js";
import { createPubSub } from "../pubsub/index.js";
import { assertRedisReachable } from "../pubsub/reachable.js";
import { createProcessState } from "../process-state.js";
import type { Runtime } from "../runtime.js";
import { withLogContext } from "../observability/log-context.js";
import { checkReadiness } from "./health.js";
import { assertPortFree, listenProblem } from "./port.js";
import { createRateLimits } from "./rate-limits.js";
import { sendJson, sendText } from "../http-response.js";
import { apiRoutes, routeFor } from "./routes.js";
import { attachWebSocketServer } from "./ws.js";
import { GRAPHQL_MAX_BODY_BYTES, setSecurityHeaders } from "./http-guards.js";
import { httpTimeouts, metricsAllowedHere, startMetricsServer } from "./http-limits.js";
import { createGraphQLServer } from "./yoga.js";

/** Paths labelled as themselves in metrics and logs; anything else is "other" (no unbounded labels). */
const OWN_ROUTES = new Set(["/graphql", "/healthz", "/readyz", "/metrics"]);

/** `all` = API + worker (npm start); `serve` = API only; `worker` = jobs only. */
export type ProcessRole = "all" | "serve" | "worker";

export interface App {
  url: string;
  port: number;
  runtime: Runtime;
  /** The port /metrics is served on when METRICS_PORT is set (0 picks a free one). */
  metricsPort?: number;
  databaseUrl: string;
  stop(): Promise<void>;
}

export interface StartOptions {
  role?: ProcessRole;
  /** Seeds the demo data into an empty database (default: outside production). */
  seed?: boolean;
  log?: Logger;
}

/**
 * Starts one Aviso process: database (embedded when DATABASE_URL is unset) and
 * migrations, job queue, pubsub, and — for API roles — HTTP + WebSocket on one port.
 * `main` and the tests start exactly this.
 */
export async function startApp(config: Config, options: StartOptions = {}): Promise<App> {
  const role = options.role ?? "all";
  const serveApi = role !== "worker";
  const runWorkers = role !== "serve";
  const log = options.log ?? createLogger(config.LOG_LEVEL, { role });

  // What is wrong with the environment is said first, in one line each (StartupError).
  await assertPortFree(config.HOST, config.PORT);
  if (config.DATABASE_URL) await assertDatabaseReachable(config.DATABASE_URL);
  if (config.REDIS_URL) await assertRedisReachable(config.REDIS_URL);

  const database = await openDatabase(config, (msg) => log.info(msg));
  const applied = await migrate(database.url);
  if (applied.length > 0) log.info({ migrations: applied }, "migrations applied");
  const prisma = createPrisma(database.url, config.DATABASE_POOL_SIZE);
  if (options.seed ?? config.NODE_ENV !== "production") {
    if (await seedDemoData(prisma)) log.info("demo data seeded");
  }
  // Secrets written before encryption at rest (or under a rotated-out key) are encrypted now.
  const reencrypted = await reencryptSecrets(prisma, keyringFor(config));
  if (reencrypted > 0) log.info({ reencrypted }, "stored secrets encrypted under the current key");

  const boss = createBoss(database.url, log, { schedule: runWorkers, supervise: runWorkers, superviseIntervalSeconds: config.JOB_SUPERVISE_INTERVAL_SECONDS });
  let jobsStarted = false;
  await boss.start();
  jobsStarted = true;
  boss.on("stopped", () => (jobsStarted = false));

  const runtime: Runtime = {
    config,
    prisma,
    pubsub: createPubSub(config.REDIS_URL, log),
    jobs: createJobQueue(boss),
    log,
    verifier: withAutoProvisioning(config, prisma, createTokenVerifier(config)),
    metrics: createMetrics({ queues: () => boss.getQueues() }),
    state: createProcessState(),
  };
  await createQueues(runtime, jobs);
  if (runWorkers) await startWorkers(runtime, jobs);
  const maintenance = runWorkers ? [startUnreadFolding(prisma, log), startQueueStatistics(prisma, log)] : [];

  const rateLimits = createRateLimits(config);
  const yoga = serveApi ? createGraphQLServer(runtime, rateLimits) : undefined;
  const server = createServer(httpTimeouts(config), (req, res) => {
    // Every line logged while serving this request carries its id (a caller's own, or a new one).
    const requestId = requestIdOf(req);
    res.setHeader("x-request-id", requestId);
    setSecurityHeaders(res, config.NODE_ENV === "production");
    withLogContext({ requestId }, () => handle(req, res, requestId)).catch((error: unknown) => {
      log.error({ err: (error as Error).message, path: req.url, requestId }, "request failed");
      if (!res.headersSent) sendJson(res, 500, { error: "internal error" });
      else res.destroy();
    });
  });
  async function handle(req: IncomingMessage, res: ServerResponse, requestId: string) {
    const started = performance.now();
    const path = (req.url ?? "/").split("?")[0]!;
    res.once("finish", () => {
      const route = OWN_ROUTES.has(path) || path in apiRoutes ? path : "other";
      const seconds = (performance.now() - started) / 1000;
      runtime.metrics.httpDuration.observe({ route, method: req.method ?? "", status: res.statusCode }, seconds);
      // Probes and scrapes arrive every few seconds: only at debug.
      const level = route === "/healthz" || route === "/readyz" || route === "/metrics" ? "debug" : "info";
      log[level]({ requestId, method: req.method, route, status: res.statusCode, durationMs: Math.round(seconds * 1000) }, "request completed");
    });
    if (path === "/healthz") return sendJson(res, 200, { status: "ok" });
    if (path === "/readyz") {
      const readiness = await checkReadiness(runtime, () => jobsStarted);
      return sendJson(res, readiness.ready ? 200 : 503, readiness);
    }
    if (path === "/metrics") {
      if (!metricsAllowedHere(req, config))
        return sendJson(res, config.METRICS_PORT !== undefined ? 404 : 401, { error: config.METRICS_PORT !== undefined ? "not found" : "unauthorized" });
      return sendText(res, 200, await runtime.metrics.registry.metrics(), runtime.metrics.registry.contentType);
    }
    if (yoga && path === yoga.graphqlEndpoint) {
      const refused = graphqlBodyRefusal(req);
      if (refused) {
        res.setHeader("connection", "close");
        return sendJson(res, refused.status, { errors: [{ message: refused.message, extensions: { code: "BAD_REQUEST" } }] });
      }
      return yoga.handle(req, res);
    }
    const route = serveApi ? routeFor(path) : undefined;
    if (route) {
      if (!(await rateLimits.allow("webhook", req.socket.remoteAddress ?? "unknown"))) {
        runtime.metrics.webhooks.inc({ outcome: "rate_limited" });
        res.setHeader("retry-after", "60");
        return sendJson(res, 429, { error: "too many requests" });
      }
      return route(req, res, runtime);
    }
    sendJson(res, 404, { error: "not found" });
  }

  const sockets = yoga ? attachWebSocketServer(server, yoga, runtime, rateLimits) : undefined;
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: Error) => reject(listenProblem(error, config.HOST, config.PORT)));
    server.listen(config.PORT, config.HOST, resolve);
  });
  const metricsServer = config.METRICS_PORT !== undefined ? await startMetricsServer(config, runtime) : undefined;
  const port = (server.address() as AddressInfo).port;
  const host = config.HOST === "0.0.0.0" || config.HOST === "::" ? "localhost" : config.HOST;

  let stopping: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    port,
    runtime,
    metricsPort: metricsServer?.port,
    databaseUrl: database.url,
    stop: () =>
      (stopping ??= (async () => {
        // Stop accepting, let in-flight requests finish, then jobs, then connections.
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        await sockets?.close();
        await metricsServer?.close();
        server.closeIdleConnections();
        await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 10_000).unref())]);
        server.closeAllConnections();
        await boss.stop({ graceful: true, timeout: 15_000 });
        await Promise.all(maintenance.map((loop) => loop.stop()));
        await closePresence(runtime);
        await runtime.state.close();
        await runtime.pubsub.close();
        await rateLimits.close();
        await prisma.$disconnect();
        await database.stop();
      })()),
  };
}

/** The caller's X-Request-Id when it looks like an id (so it cannot smuggle text into logs), else a new one. */
function requestIdOf(req: IncomingMessage): string {
  const given = req.headers["x-request-id"];
  return typeof given === "string" && /^[\w.:-]{1,100}$/.test(given) ? given : randomUUID();
}

/** A GraphQL POST whose body is over the cap (the WebSocket frame cap too) or of unknown size: 413 / 411. */
function graphqlBodyRefusal(req: IncomingMessage): { status: number; message: string } | null {
  if (req.method !== "POST") return null;
  const length = Number(req.headers["content-length"]);
  if (req.headers["content-length"] === undefined) {
    return req.headers["transfer-encoding"] ? { status: 411, message: "Content-Length required" } : null;
  }
  return Number.isFinite(length) && length > GRAPHQL_MAX_BODY_BYTES ? { status: 413, message: `Request body over ${GRAPHQL_MAX_BODY_BYTES} bytes` } : null;
}
