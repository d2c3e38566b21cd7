import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { createLogger } from "../../src/observability/log.js";
import { createPubSub, type PubSub } from "../../src/pubsub/index.js";

// publishMany (src/pubsub/index.ts): over Redis, a fan-out to many keys travels as one
// message that every instance unpacks for its own subscribers. Two instances on one Redis,
// as two API processes would be: each subscriber hears exactly its own key's events, once,
// in the order they were published, whether they came one by one or in a batch.

const REDIS_URL = process.env.REDIS_URL_FOR_TESTS ?? "redis://127.0.0.1:6379";
const log = createLogger("silent");
const instances: PubSub[] = [];
afterAll(async () => {
  for (const pubsub of instances) await pubsub.close();
});

async function collect(pubsub: PubSub, key: string, into: Map<string, number[]>) {
  const events = await pubsub.subscribe("unreadNotificationCountChanged", key);
  into.set(key, []);
  void (async () => {
    for await (const event of events) into.get(key)!.push(event.count);
  })();
  return events;
}

describe("publishMany over Redis", () => {
  it("hands each key's subscribers on every instance exactly their own events, in publish order", async () => {
    const [a, b] = [createPubSub(REDIS_URL, log), createPubSub(REDIS_URL, log)];
    instances.push(a, b);
    const keys = Array.from({ length: 30 }, () => randomUUID());
    const heard = new Map<string, number[]>();
    // Keys 0–14 listened to on instance a, 15–29 on b; key 29 nowhere else; one more key nobody hears.
    const subscriptions = await Promise.all(keys.map((key, i) => collect(i < 15 ? a : b, key, heard)));
    const nobody = randomUUID();

    // One by one, then a batch of all 30 (+ nobody's), then one by one again, from instance b.
    for (const [i, key] of keys.entries()) await b.publish("unreadNotificationCountChanged", key, { count: i * 10 });
    await b.publishMany(
      "unreadNotificationCountChanged",
      [...keys, nobody].map((key, i) => ({ key, payload: { count: i * 10 + 1 } })),
    );
    for (const [i, key] of keys.entries()) await a.publish("unreadNotificationCountChanged", key, { count: i * 10 + 2 });
    // A batch below the threshold goes key by key, and is heard the same.
    await a.publishMany(
      "unreadNotificationCountChanged",
      keys.slice(0, 3).map((key, i) => ({ key, payload: { count: i * 10 + 3 } })),
    );

    const expected = (i: number) => (i < 3 ? [i * 10, i * 10 + 1, i * 10 + 2, i * 10 + 3] : [i * 10, i * 10 + 1, i * 10 + 2]);
    await expect.poll(() => keys.map((key) => heard.get(key)!.length), { timeout: 10_000 }).toEqual(keys.map((_, i) => expected(i).length));
    for (const [i, key] of keys.entries()) expect(heard.get(key)).toEqual(expected(i));
    for (const subscription of subscriptions) await subscription.return?.();
    // A closed subscription hears nothing more, batched or not.
    await b.publishMany(
      "unreadNotificationCountChanged",
      keys.map((key) => ({ key, payload: { count: -1 } })),
    );
    await b.publish("unreadNotificationCountChanged", keys[0]!, { count: -1 });
    const probe = new Map<string, number[]>();
    const last = await collect(a, keys[0]!, probe);
    await b.publish("unreadNotificationCountChanged", keys[0]!, { count: 99 });
    await expect.poll(() => probe.get(keys[0]!), { timeout: 10_000 }).toEqual([99]);
    await last.return?.();
    for (const [i, key] of keys.entries()) expect(heard.get(key)).toEqual(expected(i));
  });
});
