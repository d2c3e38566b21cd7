import { Redis } from "ioredis";
import { hostAndPort, socketProblem, StartupError } from "../config/startup-error.js";

const CONNECT_TIMEOUT_MS = 5_000;

/**
 * Pings `REDIS_URL` once at start-up. A process that said "ready" and then logged a
 * reconnection warning every half second was the old way to learn the URL was wrong.
 * (Redis going away later is survived: see src/pubsub/index.ts.)
 */
export async function assertRedisReachable(url: string, variable = "REDIS_URL"): Promise<void> {
  let lastError: (Error & { code?: string }) | undefined;
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: CONNECT_TIMEOUT_MS,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  client.on("error", (error: Error) => (lastError = error));
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    const cause = lastError ?? (error as Error & { code?: string });
    const where = hostAndPort(url, 6379);
    const problem = socketProblem(cause) ?? cause.message.split("\n")[0];
    const hint =
      cause.code !== "ECONNREFUSED"
        ? "check the URL"
        : variable === "REDIS_URL"
          ? "is Redis running? (or unset REDIS_URL for in-process pubsub, one instance)"
          : "is Redis running? (redis-server)";
    throw new StartupError(`${variable}: cannot connect to ${where} (${problem}) — ${hint}`);
  } finally {
    client.disconnect();
  }
}
