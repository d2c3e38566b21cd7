import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import type { Logger } from "../observability/log.js";
import type { PubSub } from "../pubsub/index.js";

/** Who a socket belongs to. */
export interface PresenceUser {
  userId: string;
  organizationId: string;
}

/**
 * Who is online: a user is while they have an open socket on any instance. Transitions
 * (first socket opened, last one closed or expired) are published as `presenceChanged`
 * on the organization's topic.
 */
export interface Presence {
  /** A socket of this user opened on this instance. */
  connected(user: PresenceUser): Promise<void>;
  /** A socket of this user closed on this instance. */
  disconnected(user: PresenceUser): Promise<void>;
  /** Which of these users of the organization are online now. */
  onlineAmong(organizationId: string, userIds: readonly string[]): Promise<Set<string>>;
  /** Forgets this instance's sockets (publishing who went offline) and stops its timers. */
  close(): Promise<void>;
}

/**
 * How long an instance's claim that a user is connected lasts without being renewed;
 * renewed every HEARTBEAT_MS. A crashed instance stops renewing: its users stop counting
 * after at most PRESENCE_TTL_MS, and a survivor's sweep publishes them offline within
 * another HEARTBEAT_MS — within a minute in all.
 */
export const PRESENCE_TTL_MS = 40_000;
export const HEARTBEAT_MS = 15_000;
const HEARTBEAT_CHUNK = 200;

/** In-process when there is no Redis (one instance), Redis otherwise. */
export function createPresence(pubsub: PubSub, log: Logger, redisUrl: string | undefined): Presence {
  return redisUrl ? redisPresence(pubsub, log, redisUrl) : memoryPresence(pubsub);
}

const keyOf = (user: PresenceUser) => `${user.organizationId}|${user.userId}`;

/** Counts this process's sockets per user; serializes each user's transitions. */
class LocalSockets {
  readonly counts = new Map<string, { user: PresenceUser; sockets: number }>();
  private readonly chains = new Map<string, Promise<void>>();

  /** Runs `step` after the user's previous transition, so a quick connect/disconnect pair stays in order. */
  serialize(user: PresenceUser, step: () => Promise<void>): Promise<void> {
    const key = keyOf(user);
    const next = (this.chains.get(key) ?? Promise.resolve()).then(step, step);
    this.chains.set(key, next);
    const forget = () => {
      if (this.chains.get(key) === next) this.chains.delete(key);
    };
    next.then(forget, forget);
    return next;
  }

  /** +1 or -1; returns the new count. */
  add(user: PresenceUser, delta: 1 | -1): number {
    const key = keyOf(user);
    const entry = this.counts.get(key) ?? { user, sockets: 0 };
    entry.sockets = Math.max(0, entry.sockets + delta);
    if (entry.sockets === 0) this.counts.delete(key);
    else this.counts.set(key, entry);
    return entry.sockets;
  }

  async settled(): Promise<void> {
    await Promise.allSettled([...this.chains.values()]);
  }
}

function memoryPresence(pubsub: PubSub): Presence {
  const local = new LocalSockets();
  const publish = (user: PresenceUser, online: boolean) => pubsub.publish("presenceChanged", user.organizationId, { userId: user.userId, online });
  return {
    connected: (user) =>
      local.serialize(user, async () => {
        if (local.add(user, 1) === 1) await publish(user, true);
      }),
    disconnected: (user) =>
      local.serialize(user, async () => {
        if (local.counts.has(keyOf(user)) && local.add(user, -1) === 0) await publish(user, false);
      }),
    onlineAmong: async (organizationId, userIds) => new Set(userIds.filter((userId) => local.counts.has(keyOf({ organizationId, userId })))),
    async close() {
      await local.settled();
      for (const { user } of [...local.counts.values()]) {
        local.counts.delete(keyOf(user));
        await publish(user, false);
      }
    },
  };
}

// Per user, a sorted set of the instances holding a socket of theirs, scored by when
// that claim expires; one global sorted set of every claim, for the sweep.
const userKey = (user: PresenceUser) => `aviso:presence:user:${user.organizationId}:${user.userId}`;
const CLAIMS = "aviso:presence:claims";
const claimOf = (user: PresenceUser, instance: string) => `${user.organizationId}|${user.userId}|${instance}`;

// Returns how many live claims the user had before this one.
const CLAIM = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[3])
local before = redis.call('ZCARD', KEYS[1])
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[4])
return before`;
// Returns how many live claims the user still has.
const RELEASE = `
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
return redis.call('ZCARD', KEYS[1])`;

function redisPresence(pubsub: PubSub, log: Logger, redisUrl: string): Presence {
  const instance = randomUUID();
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: true });
  redis.on("error", (error: Error) => log.warn({ err: error.message }, "redis presence error"));
  const local = new LocalSockets();
  const publish = (user: PresenceUser, online: boolean) => pubsub.publish("presenceChanged", user.organizationId, { userId: user.userId, online });

  const claim = async (user: PresenceUser) => {
    const now = Date.now();
    const before = (await redis.eval(
      CLAIM,
      2,
      userKey(user),
      CLAIMS,
      instance,
      now + PRESENCE_TTL_MS,
      now,
      claimOf(user, instance),
      PRESENCE_TTL_MS * 2,
    )) as number;
    if (before === 0) await publish(user, true);
  };
  const release = async (user: PresenceUser, owner: string) => {
    const left = (await redis.eval(RELEASE, 2, userKey(user), CLAIMS, owner, Date.now(), claimOf(user, owner))) as number;
    if (left === 0) await publish(user, false);
  };

  // Renews this instance's claims; releases other instances' expired ones (a crashed
  // instance's), publishing those users offline once — ZREM tells which sweeper won.
  const tick = async () => {
    const now = Date.now();
    // In chunks, yielding between them: one pipeline for 5,000 online users held the event
    // loop long enough to show in every frame's latency at each heartbeat.
    const users = [...local.counts.values()].map(({ user }) => user);
    for (let i = 0; i < users.length; i += HEARTBEAT_CHUNK) {
      const pipeline = redis.pipeline();
      for (const user of users.slice(i, i + HEARTBEAT_CHUNK)) {
        pipeline.zadd(userKey(user), now + PRESENCE_TTL_MS, instance);
        pipeline.pexpire(userKey(user), PRESENCE_TTL_MS * 2);
        pipeline.zadd(CLAIMS, now + PRESENCE_TTL_MS, claimOf(user, instance));
      }
      await pipeline.exec();
      await new Promise((resolve) => setImmediate(resolve));
    }
    const expired = await redis.zrangebyscore(CLAIMS, "-inf", now, "LIMIT", 0, 500);
    for (const member of expired) {
      if ((await redis.zrem(CLAIMS, member)) !== 1) continue;
      const [organizationId, userId, owner] = member.split("|") as [string, string, string];
      await release({ organizationId, userId }, owner);
    }
  };
  const timer = setInterval(
    () => void tick().catch((error: unknown) => log.warn({ err: (error as Error).message }, "presence heartbeat failed")),
    HEARTBEAT_MS,
  );
  timer.unref();

  return {
    connected: (user) =>
      local.serialize(user, async () => {
        if (local.add(user, 1) === 1) await claim(user);
      }),
    disconnected: (user) =>
      local.serialize(user, async () => {
        if (local.counts.has(keyOf(user)) && local.add(user, -1) === 0) await release(user, instance);
      }),
    async onlineAmong(organizationId, userIds) {
      if (userIds.length === 0) return new Set();
      const now = Date.now();
      const pipeline = redis.pipeline();
      for (const userId of userIds) pipeline.zcount(userKey({ organizationId, userId }), now, "+inf");
      const results = (await pipeline.exec()) ?? [];
      return new Set(userIds.filter((_, i) => Number(results[i]?.[1] ?? 0) > 0));
    },
    async close() {
      clearInterval(timer);
      await local.settled();
      for (const { user } of [...local.counts.values()]) {
        local.counts.delete(keyOf(user));
        await release(user, instance).catch(() => {});
      }
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
