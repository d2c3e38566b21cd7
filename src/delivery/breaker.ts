import { circuitBreaker, CircuitState, ConsecutiveBreaker, handleWhen, type CircuitBreakerPolicy } from "cockatiel";
import { processState } from "../process-state.js";
import type { Runtime } from "../runtime.js";
import { TransientDeliveryError } from "./channel.js";
import type { ExternalChannel } from "./channel-types.js";

export interface ProviderBreaker {
  policy: CircuitBreakerPolicy;
  /** While open: when it lets the next call through to test the provider; otherwise null. */
  openUntil(): Date | null;
}

const breakers = processState("delivery-breakers", () => new Map<string, ProviderBreaker>());

/**
 * One circuit breaker per (organization, channel) and process: one organization's
 * broken Slack webhook or expired WhatsApp token never holds back another's.
 *
 * Thresholds: DELIVERY_BREAKER_FAILURES (default 5) consecutive transient failures
 * open it; after DELIVERY_BREAKER_OPEN_SECONDS (default 30) one call goes through as a
 * test — success closes it, failure opens it again. Only provider trouble counts:
 * permanent errors (a bad address) and Slack's Retry-After are about one message, not
 * about the provider being down.
 */
export function breakerFor(runtime: Runtime, organizationId: string, channel: ExternalChannel): ProviderBreaker {
  const perRuntime = runtime.state.get(breakers);
  const key = `${organizationId}:${channel}`;
  const existing = perRuntime.get(key);
  if (existing) return existing;

  const openMs = runtime.config.DELIVERY_BREAKER_OPEN_SECONDS * 1000;
  const policy = circuitBreaker(
    handleWhen((error) => error instanceof TransientDeliveryError && error.retryAfterSeconds === undefined),
    { halfOpenAfter: openMs, breaker: new ConsecutiveBreaker(runtime.config.DELIVERY_BREAKER_FAILURES) },
  );
  let openedAt = 0;
  const log = runtime.log.child({ organizationId, channel });
  policy.onBreak(() => {
    openedAt = Date.now();
    log.warn({ openSeconds: runtime.config.DELIVERY_BREAKER_OPEN_SECONDS }, "delivery circuit opened: provider keeps failing");
  });
  policy.onReset(() => log.info("delivery circuit closed: provider recovered"));
  const breaker: ProviderBreaker = {
    policy,
    openUntil() {
      if (policy.state !== CircuitState.Open) return null;
      const until = openedAt + openMs;
      return until > Date.now() ? new Date(until) : null;
    },
  };
  perRuntime.set(key, breaker);
  return breaker;
}
