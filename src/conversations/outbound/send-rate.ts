import { Redis } from "ioredis";
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";
import { processState } from "../../process-state.js";
import type { Runtime } from "../../runtime.js";

/**
 * Meta's throughput per business number (WHATSAPP_MAX_MESSAGES_PER_SECOND, 80 by
 * default): a send waits for a token of its number before posting.
 *
 * The choice: with REDIS_URL the tokens are counted in Redis (rate-limiter-flexible),
 * so every worker shares one budget per number; without Redis they are counted in the
 * process (one worker — `npm start` — is then exact; several workers without Redis
 * would each get the full rate, which is why scaling out asks for Redis). If Redis
 * becomes unreachable the in-process count takes over (insurance) rather than stopping sends.
 */
export interface SendRate {
  /** Resolves when one more message may leave this number. */
  take(phoneNumberId: string): Promise<void>;
  close(): Promise<void>;
}

// Made on the first send (it needs the configuration); the runtime's stop() closes its Redis connection.
const sendRates = processState<{ rate?: SendRate }>("whatsapp-send-rate", () => ({}), (holder) => holder.rate?.close());

/** The runtime's per-number send rate. */
export function sendRateFor(runtime: Runtime): SendRate {
  const holder = runtime.state.get(sendRates);
  holder.rate ??= createSendRate(runtime.config.REDIS_URL, runtime.config.WHATSAPP_MAX_MESSAGES_PER_SECOND);
  return holder.rate;
}

export function createSendRate(redisUrl: string | undefined, perSecond: number): SendRate {
  const memory = new RateLimiterMemory({ keyPrefix: "wa-send", points: perSecond, duration: 1 });
  const redis = redisUrl ? new Redis(redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false }) : undefined;
  redis?.on("error", () => {}); // /readyz reports Redis; sends fall back to the in-process count
  // The first sends wait (briefly) for the connection, so they are counted where every worker counts them.
  const connected = redis
    ? Promise.race([new Promise<void>((resolve) => redis.once("ready", () => resolve())), new Promise<void>((resolve) => setTimeout(resolve, 2000).unref())])
    : Promise.resolve();
  const limiter: RateLimiterAbstract = redis
    ? new RateLimiterRedis({ storeClient: redis, keyPrefix: "aviso:rl:wa-send", points: perSecond, duration: 1, insuranceLimiter: memory })
    : memory;
  return {
    async take(phoneNumberId) {
      if (redis && redis.status !== "ready") await connected;
      for (;;) {
        try {
          await limiter.consume(phoneNumberId);
          return;
        } catch (rejection) {
          if (!(rejection instanceof RateLimiterRes)) return; // the store failed and no insurance answered: send
          await new Promise((resolve) => setTimeout(resolve, Math.max(5, rejection.msBeforeNext)));
        }
      }
    },
    async close() {
      redis?.disconnect();
    },
  };
}
