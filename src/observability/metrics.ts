import type { QueueResult } from "pg-boss";
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";

export interface MetricSources {
  /** pg-boss queue stats, read on each scrape. */
  queues?: () => Promise<QueueResult[]>;
}

/** One registry per process (tests build several apps in one process, so not the global one). */
export function createMetrics(sources: MetricSources = {}) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpDuration: new Histogram({
      name: "aviso_http_request_duration_seconds",
      help: "HTTP request duration by route and status",
      labelNames: ["route", "method", "status"] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    graphqlDuration: new Histogram({
      name: "aviso_graphql_operation_duration_seconds",
      help: "GraphQL operation duration by operation type and name",
      labelNames: ["type", "name"] as const,
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers: [registry],
    }),
    openSockets: new Gauge({ name: "aviso_websocket_connections", help: "Open WebSocket connections", registers: [registry] }),
    activeSubscriptions: new Gauge({ name: "aviso_active_subscriptions", help: "Active GraphQL subscriptions", registers: [registry] }),
    webhooks: new Counter({
      name: "aviso_webhooks_total",
      help: "Meta webhooks received, by outcome",
      labelNames: ["outcome"] as const,
      registers: [registry],
    }),
    deliveries: new Counter({
      name: "aviso_deliveries_total",
      help: "Delivery outcomes by channel and status",
      labelNames: ["channel", "status"] as const,
      registers: [registry],
    }),
    digests: new Counter({
      name: "aviso_digests_total",
      help: "Digest emails by outcome (the deliveries they held count in aviso_deliveries_total)",
      labelNames: ["status"] as const,
      registers: [registry],
    }),
    smsSegments: new Counter({
      name: "aviso_sms_segments_total",
      help: "SMS segments accepted by the SMS provider (what carriers bill)",
      labelNames: ["encoding"] as const,
      registers: [registry],
    }),
    queueJobs: new Gauge({
      name: "aviso_queue_jobs",
      help: "pg-boss jobs by queue and state (dead-letter queues end in -dead); refreshed by pg-boss's monitor",
      labelNames: ["queue", "state"] as const,
      registers: [registry],
      async collect() {
        const queues = (await sources.queues?.().catch(() => [])) ?? [];
        this.reset();
        for (const q of queues) {
          this.set({ queue: q.name, state: "queued" }, q.queuedCount);
          this.set({ queue: q.name, state: "active" }, q.activeCount);
          this.set({ queue: q.name, state: "deferred" }, q.deferredCount);
          this.set({ queue: q.name, state: "failed" }, q.failedCount);
        }
      },
    }),
    webhookToNotification: new Histogram({
      name: "aviso_webhook_to_notification_seconds",
      help: "From a webhook's arrival to the notification it caused being published",
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
