import { Redis } from "ioredis";
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";
import type { Config } from "../config/index.js";

export type LimitName = "websocketConnect" | "mutation" | "webhook";

export interface RateLimits {
  /** True when `key` may go ahead; false when over its limit (the caller answers 429 / RATE_LIMITED). */
  allow(limit: LimitName, key: string): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * Per-minute limits: WebSocket connection attempts per IP, mutations per user, webhook
 * requests per IP. In Redis when REDIS_URL is set, so every instance counts together;
 * in memory otherwise — and in memory too while Redis is unreachable (insurance), so a
 * Redis outage neither blocks traffic nor lifts the limits.
 */
export function createRateLimits(config: Config): RateLimits {
  const perMinute: Record<LimitName, number> = {
    websocketConnect: config.RATE_LIMIT_WS_CONNECTS_PER_MINUTE,
    mutation: config.RATE_LIMIT_MUTATIONS_PER_MINUTE,
    webhook: config.RATE_LIMIT_WEBHOOKS_PER_MINUTE,
  };
  const redis = config.REDIS_URL ? new Redis(config.REDIS_URL, { enableOfflineQueue: false, maxRetriesPerRequest: 1 }) : undefined;
  redis?.on("error", () => {}); // reported by /readyz through the pubsub connection
  const limiters = Object.fromEntries(
    Object.entries(perMinute).map(([name, points]) => {
      const memory = new RateLimiterMemory({ keyPrefix: name, points, duration: 60 });
      const limiter: RateLimiterAbstract = redis
        ? new RateLimiterRedis({ storeClient: redis, keyPrefix: `aviso:rl:${name}`, points, duration: 60, insuranceLimiter: memory })
        : memory;
      return [name, limiter];
    }),
  ) as Record<LimitName, RateLimiterAbstract>;
  return {
    async allow(limit, key) {
      try {
        await limiters[limit].consume(key);
        return true;
      } catch (rejection) {
        if (rejection instanceof RateLimiterRes) return false;
        return true; // the store failed and no insurance answered: fail open rather than drop traffic
      }
    },
    async close() {
      redis?.disconnect();
    },
  };
}
