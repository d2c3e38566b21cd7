import type { TokenVerifier } from "./auth/jwt.js";
import type { Config } from "./config/index.js";
import type { PrismaClient } from "./db/client.js";
import type { JobQueue } from "./jobs/queue.js";
import type { Logger } from "./observability/log.js";
import type { Metrics } from "./observability/metrics.js";
import type { ProcessState } from "./process-state.js";
import type { PubSub } from "./pubsub/index.js";

/**
 * The long-lived services one process holds, handed to GraphQL contexts, webhook
 * handlers and jobs alike. `prisma` is unscoped: code serving a caller must use
 * `scopedTo(prisma, organizationId)` (the GraphQL context does this for resolvers).
 */
export interface Runtime {
  config: Config;
  prisma: PrismaClient;
  pubsub: PubSub;
  jobs: JobQueue;
  log: Logger;
  verifier: TokenVerifier;
  metrics: Metrics;
  /** Caches, circuit breakers, the SMTP pool, number routing (src/process-state.ts); closed by the app's stop(). */
  state: ProcessState;
}
