import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createSendRate } from "../../src/conversations/outbound/send-rate.js";

const REDIS_URL = process.env.REDIS_URL_FOR_TESTS ?? "redis://127.0.0.1:6379";

describe("the per-number send rate", () => {
  it("is shared through Redis: two workers at 5/s together take 20 sends in no less than 3 s", async () => {
    const one = createSendRate(REDIS_URL, 5);
    const two = createSendRate(REDIS_URL, 5);
    const number = `rate-test-${randomUUID()}`;
    try {
      const started = performance.now();
      await Promise.all([...Array.from({ length: 10 }, () => one.take(number)), ...Array.from({ length: 10 }, () => two.take(number))]);
      // 5 per one-second window: the 20th token cannot come before the fourth window opens.
      expect(performance.now() - started).toBeGreaterThanOrEqual(2900);
      // Another number has its own budget: no wait.
      await one.take(`${number}-other`);
    } finally {
      await one.close();
      await two.close();
    }
  }, 20_000);

  it("counts in the process without Redis", async () => {
    const rate = createSendRate(undefined, 4);
    const started = performance.now();
    await Promise.all(Array.from({ length: 8 }, () => rate.take("100000000000001")));
    expect(performance.now() - started).toBeGreaterThanOrEqual(900);
    await rate.close();
  }, 20_000);
});
