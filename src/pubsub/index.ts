import { RedisPubSub } from "graphql-redis-subscriptions";
import { PubSub as MemoryPubSub, type PubSubEngine } from "graphql-subscriptions";
import { Redis } from "ioredis";
import type { Prisma } from "../db/client.js";
import type { Logger } from "../observability/log.js";

/**
 * A notification's columns as `notificationAdded` carries them: JSON-safe (Redis
 * JSON-encodes payloads), instants as ms since epoch, `seq` as a decimal string.
 * Revived by src/notifications/frame.ts.
 */
export interface NotificationSnapshot {
  id: string;
  seq: string;
  organizationId: string;
  userId: string;
  type: string;
  title: string;
  body: string;
  count: number;
  conversationId: string | null;
  alertId: string | null;
  data: Prisma.JsonValue;
  createdAt: number;
  updatedAt: number;
  readAt: number | null;
  archivedAt: number | null;
}

/**
 * Every realtime topic and what it carries. Payloads hold ids and small numbers —
 * subscribers re-read what they show — except `notificationAdded`, which carries the
 * notification itself so the many frames of a broadcast cost no read. Redis
 * JSON-encodes payloads. Topics are per user or per organization, so a subscriber only
 * ever hears its own.
 */
export interface Topics {
  /**
   * A notification was created or coalesced for this user, published after its commit.
   * `count` grows with each coalesced event: it tells an update from a repeat.
   * `notification` is null when too large for the bus: the subscriber reads the row.
   */
  notificationAdded: { notificationId: string; seq: string; count: number; notification: NotificationSnapshot | null };
  unreadNotificationCountChanged: { count: number };
  /** Keyed by organization. */
  messageAdded: { messageId: string; conversationId: string };
  /** Keyed by organization: an outbound message's status (or error) changed. */
  messageUpdated: { messageId: string; conversationId: string };
  /** Keyed by organization. */
  conversationUpdated: { conversationId: string };
  /** Keyed by organization. */
  alertChanged: { alertId: string };
  /** Keyed by organization: a user's first socket opened (online) or last one closed or expired (offline). */
  presenceChanged: { userId: string; online: boolean };
  /**
   * Keyed "all": users deactivated, demoted or moved, or a whole organization suspended
   * (src/auth/standing-changes.ts). Every instance forgets their cached standing and
   * closes their sockets.
   */
  standingChanged: { userIds: string[]; organizationId: string | null };
}

export type Topic = keyof Topics;

export interface PubSub {
  publish<T extends Topic>(topic: T, key: string, payload: Topics[T]): Promise<void>;
  /**
   * Publishes one event to each of many keys (a fan-out's recipients). Each key's
   * subscribers hear exactly what `publish` would have told them, in the same order
   * relative to that key's other events; over Redis a large batch travels as one message.
   */
  publishMany<T extends Topic>(topic: T, entries: ReadonlyArray<{ key: string; payload: Topics[T] }>): Promise<void>;
  /**
   * Resolves once the subscription is live (for Redis: SUBSCRIBE acknowledged), so a
   * caller can subscribe, then read a backlog, and miss nothing in between.
   */
  subscribe<T extends Topic>(topic: T, key: string): Promise<AsyncIterableIterator<Topics[T]>>;
  /** False while the Redis connection is down: realtime is degraded, persisted data is not. */
  healthy(): boolean;
  close(): Promise<void>;
}

const channel = (topic: Topic, key: string) => `aviso:${topic}:${key}`;

// A fan-out to many keys is one PUBLISH on this channel, which every instance's
// subscriber listens to, instead of one per key: an alert to a thousand admins or a
// message a queue's hundred agents hear costs one Redis message, parsed once per
// instance, then handed to the local subscribers of each key. Below BATCH_MIN keys the
// per-key channels are cheaper for instances holding none of them (Redis filters).
const BATCH_CHANNEL = "aviso:batch";
const BATCH_MIN = 8;

interface BatchMessage {
  topic: Topic;
  entries: Array<[key: string, payload: unknown]>;
}

/** In-process for a single instance; Redis when `REDIS_URL` is set, so instances fan out together. */
export function createPubSub(redisUrl: string | undefined, log: Logger): PubSub {
  const local = new LocalListeners();
  let engine: PubSubEngine;
  let healthy = () => true;
  let close = async () => {};
  if (redisUrl) {
    // The publisher gives up quickly while Redis is down: a PUBLISH held until Redis came
    // back would hold the webhook or mutation that committed the event, which clients
    // recover anyway (`after`). Its offline queue only bridges the first connection and
    // one reconnection attempt (maxRetriesPerRequest: 1), then fails what waits. The
    // subscriber keeps its SUBSCRIBEs queued and resubscribes on reconnect, so fan-out
    // resumes by itself. Auto-pipelining sends the PUBLISHes of one event loop turn (an
    // alert to a thousand admins) in one write.
    const publisher = new Redis(redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: true, lazyConnect: false, enableAutoPipelining: true });
    const subscriber = new Redis(redisUrl, { maxRetriesPerRequest: null, enableOfflineQueue: true, lazyConnect: false });
    // One line when a connection goes down and one when it is back — not one per
    // reconnection attempt (ioredis retries every few hundred ms: 78 warnings in 38 s).
    for (const [name, client] of [
      ["publisher", publisher],
      ["subscriber", subscriber],
    ] as const) {
      let down = false;
      client.on("error", (error: Error) => {
        if (down) return;
        down = true;
        log.warn({ err: error.message, client: name }, "redis pubsub down: realtime events are not fanned out until it returns (clients replay with after)");
      });
      client.on("ready", () => {
        if (!down) return;
        down = false;
        log.info({ client: name }, "redis pubsub back");
      });
    }
    engine = new RedisPubSub({ publisher, subscriber });
    // Batches are unpacked here and handed to this instance's subscribers of each key.
    // Subscribed before any key's channel: once a key's SUBSCRIBE is acknowledged, so is this one.
    engine
      .subscribe(
        BATCH_CHANNEL,
        (message: BatchMessage) => {
          for (const [key, payload] of message.entries) local.deliver(channel(message.topic, key), payload);
        },
        {},
      )
      .catch((error: unknown) => log.error({ err: (error as Error).message }, "redis pubsub: batch channel not subscribed"));
    healthy = () => publisher.status === "ready" && subscriber.status === "ready";
    close = async () => {
      await (engine as RedisPubSub).close().catch(() => {});
    };
  } else {
    engine = new MemoryPubSub();
  }
  const publish = async (name: string, payload: unknown, topic: Topic) => {
    try {
      await engine.publish(name, payload);
    } catch (error) {
      // Realtime is best effort: what was committed is replayed by `notificationAdded(after:)`.
      log.warn({ err: (error as Error).message, topic }, "publish failed");
    }
  };
  return {
    publish: (topic, key, payload) => publish(channel(topic, key), payload, topic),
    async publishMany(topic, entries) {
      if (!redisUrl || entries.length < BATCH_MIN) {
        await Promise.all(entries.map(({ key, payload }) => publish(channel(topic, key), payload, topic)));
        return;
      }
      const message: BatchMessage = { topic, entries: entries.map(({ key, payload }) => [key, payload]) };
      await publish(BATCH_CHANNEL, message, topic);
    },
    subscribe: (topic, key) => subscribeEagerly(engine, channel(topic, key), local),
    healthy: () => healthy(),
    close: () => close(),
  };
}

// A slow consumer holds at most this many events; older ones are dropped (and
// recoverable: notifications replay with `after`).
const MAX_BUFFERED = 1000;

/** This instance's subscribers by channel, for events that arrive inside a batch. */
class LocalListeners {
  readonly #byChannel = new Map<string, Set<(payload: unknown) => void>>();

  add(name: string, listener: (payload: unknown) => void): () => void {
    let listeners = this.#byChannel.get(name);
    if (!listeners) this.#byChannel.set(name, (listeners = new Set()));
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0) this.#byChannel.delete(name);
    };
  }

  deliver(name: string, payload: unknown): void {
    const listeners = this.#byChannel.get(name);
    if (listeners) for (const listener of listeners) listener(payload);
  }
}

async function subscribeEagerly<T>(engine: PubSubEngine, trigger: string, local: LocalListeners): Promise<AsyncIterableIterator<T>> {
  const buffer: T[] = [];
  let wake: ((result: IteratorResult<T>) => void) | undefined;
  let done = false;
  const push = (payload: T) => {
    if (done) return;
    if (wake) {
      const resolve = wake;
      wake = undefined;
      resolve({ value: payload, done: false });
    } else {
      if (buffer.length >= MAX_BUFFERED) buffer.shift();
      buffer.push(payload);
    }
  };
  const subscriptionId = await engine.subscribe(trigger, push, {});
  const removeLocal = local.add(trigger, push as (payload: unknown) => void);
  const finish = async (): Promise<IteratorResult<T>> => {
    if (!done) {
      done = true;
      removeLocal();
      engine.unsubscribe(subscriptionId);
      wake?.({ value: undefined, done: true });
      wake = undefined;
    }
    return { value: undefined, done: true };
  };
  const iterator: AsyncIterableIterator<T> = {
    next: () =>
      buffer.length > 0
        ? Promise.resolve({ value: buffer.shift() as T, done: false })
        : done
          ? Promise.resolve({ value: undefined, done: true })
          : new Promise((resolve) => (wake = resolve)),
    return: finish,
    throw: async (error?: unknown) => {
      await finish();
      throw error;
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}
