import { PgBoss } from "pg-boss";
import pg from "pg";
import { renderEmail } from "../src/delivery/email-render.js";
import { TEMPLATE_NAMES } from "../src/text/template-names.js";
import { inboundText } from "./lib/meta.js";
import { BENCH_PHONE_NUMBER_ID, contactWaId } from "./lib/setup.js";
import { sleep, summarize, waitFor, type Latency } from "./lib/stats.js";
import { postWebhook, subscribeNotifications, type Subscriber } from "./scenarios.js";

/** Opens subscribers in batches, so the connection storm itself stays bounded. */
export async function openSubscribers(wsUrl: string, tokens: string[], onBody: (index: number, body: string) => void): Promise<Subscriber[]> {
  const subscribers: Subscriber[] = [];
  for (let i = 0; i < tokens.length; i += 100) {
    subscribers.push(...(await Promise.all(tokens.slice(i, i + 100).map((t, j) => subscribeNotifications(wsUrl, t, (body) => onBody(i + j, body))))));
  }
  await sleep(500); // let every subscribe message reach the server
  return subscribers;
}

/**
 * The alert frames subscribers receive, by alert title: which subscribers got one and
 * when the latest arrived — stamped on arrival, so the measure is the last frame itself,
 * not when the load generator got round to looking (after the mutation's response, which
 * waits for the deliveries' writes).
 */
export class AlertFrames {
  readonly #byTitle = new Map<string, { who: Set<number>; lastAt: number }>();

  expect(title: string): void {
    this.#byTitle.set(title, { who: new Set(), lastAt: Number.NaN });
  }

  record(index: number, body: string): void {
    for (const [title, frames] of this.#byTitle) {
      if (!body.includes(title)) continue;
      frames.who.add(index);
      frames.lastAt = performance.now();
    }
  }

  received(title: string): number {
    return this.#byTitle.get(title)?.who.size ?? 0;
  }

  lastAt(title: string): number {
    return this.#byTitle.get(title)?.lastAt ?? Number.NaN;
  }

  clear(): void {
    this.#byTitle.clear();
  }
}

/**
 * Alerts to every subscribed admin of one organization: per round, the time from the
 * mutation until the last frame arrived. One alert first warms the path up (the sockets'
 * first event plans each subscription's frame); then every round starts with the worker
 * idle — the previous alert's 1,000 emails sent — as the raw broadcast it is compared
 * with has nothing else to do either.
 */
export async function alertFanout(
  target: { url: string; databaseUrl: string; adminToken: string },
  frames: AlertFrames,
  admins: number,
  rounds: number,
): Promise<Latency & { rounds: number[] }> {
  const samples: number[] = [];
  for (let r = -1; r < rounds; r++) {
    await deliveriesDrained(target.databaseUrl);
    const title = `fanout-${r}-${Date.now()}`;
    frames.expect(title);
    const started = performance.now();
    const response = await fetch(`${target.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${target.adminToken}` },
      body: JSON.stringify({ query: `mutation { createAlert(input: { title: "${title}", severity: LOW, category: "bench" }) { id } }` }),
    });
    await response.text();
    const all = await waitFor(() => frames.received(title) >= admins, 60_000, 2);
    if (r >= 0 && all) samples.push(frames.lastAt(title) - started);
  }
  await deliveriesDrained(target.databaseUrl);
  return { ...summarize(samples), rounds: samples.map((s) => Math.round(s * 100) / 100) };
}

/** p99 of webhook → frame for one targeted agent, at a gentle fixed rate. */
export async function targetedLatency(url: string, received: Map<string, number>, label: string, count = 200, rate = 20): Promise<Latency> {
  const sentAt = new Map<string, number>();
  for (let i = 0; i < count; i++) {
    const token = `${label}-${i}`;
    const due = performance.now();
    sentAt.set(token, due);
    void postWebhook(url, inboundText(BENCH_PHONE_NUMBER_ID, contactWaId(0), token));
    await sleep(1000 / rate);
  }
  await waitFor(() => [...sentAt.keys()].every((k) => received.has(k)), 15_000);
  return summarize([...sentAt].flatMap(([token, due]) => (received.has(token) ? [received.get(token)! - due] : [])));
}

/** Email deliveries through Aviso's worker to a local SMTP sink: jobs per second. */
export async function emailDeliveries(databaseUrl: string, user: { id: string; organizationId: string }, jobs = 2000): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const { rows } = await client.query<{ id: string }>(
    `WITH n AS (
       INSERT INTO "Notification" (id, "organizationId", "userId", type, title, body, "updatedAt")
       SELECT gen_random_uuid(), $1, $2, 'CAMPAIGN_FAILED', 'Bench', 'Bench delivery ' || g, now() FROM generate_series(1, $3) g
       RETURNING id)
     INSERT INTO "Delivery" (id, "organizationId", "notificationId", "userId", channel, status, "updatedAt")
     SELECT gen_random_uuid(), $1, n.id, $2, 'EMAIL', 'PENDING', now() FROM n RETURNING id`,
    [user.organizationId, user.id, jobs],
  );
  const boss = new PgBoss({ connectionString: databaseUrl, schema: "pgboss", supervise: false, schedule: false });
  await boss.start();
  const started = performance.now();
  for (let i = 0; i < rows.length; i += 500) {
    await boss.insert(
      "deliver-email",
      rows.slice(i, i + 500).map((r) => ({ data: { deliveryId: r.id } })),
    );
  }
  const sent = async () =>
    Number((await client.query<{ c: string }>(`SELECT count(*)::text AS c FROM "Delivery" WHERE "userId" = $1 AND status <> 'PENDING'`, [user.id])).rows[0]!.c);
  await waitFor(async () => (await sent()) >= jobs, 180_000, 50);
  const seconds = (performance.now() - started) / 1000;
  await boss.stop({ graceful: false });
  await client.end();
  return Math.round(jobs / seconds);
}

/**
 * The kind of message emailDeliveries has Aviso send (a CAMPAIGN_FAILED notification to
 * one agent), rendered once with Aviso's own templates: the raw nodemailer baseline sends
 * copies of it, so both sides put the same bytes on the wire.
 */
export function benchEmailMessage(to: { name: string; email: string }) {
  const { subject, html, text } = renderEmail(
    {
      template: TEMPLATE_NAMES.CAMPAIGN_FAILED,
      isTest: false,
      organizationName: "Bench",
      userName: to.name,
      title: "Bench",
      body: "Bench delivery 1",
      count: 1,
      conversation: null,
      alert: null,
      actionUrl: "https://app.example.com/notifications",
      acknowledgeUrl: null,
      resolveUrl: null,
    },
    "pt-BR",
  );
  return { from: '"Aviso" <notificacoes@aviso.local>', to: `"${to.name}" <${to.email}>`, subject, html, text };
}

/**
 * Targeted latency over several rounds; the goal reads the median round's p99, so one
 * stall of the shared machine (a checkpoint's fsync, the load generator's GC) in one
 * round does not decide the comparison. Every round is kept in the results.
 */
export async function targetedRounds(url: string, received: Map<string, number>, label: string, rounds = 3): Promise<{ p99: number; rounds: Latency[] }> {
  const all: Latency[] = [];
  for (let r = 0; r < rounds; r++) all.push(await targetedLatency(url, received, `${label}${r}`));
  const p99s = all.map((l) => l.p99).sort((a, b) => a - b);
  return { p99: p99s[Math.floor(rounds / 2)]!, rounds: all };
}

/**
 * Waits until no delivery is waiting to be sent now: pending, or scheduled and due.
 * Those held for a digest (past an admin's hourly email limit, by the later rounds) go
 * out with the digest, an hour on: not waited for.
 */
export async function deliveriesDrained(databaseUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const pending = async () =>
    Number(
      (
        await client.query<{ c: string }>(`SELECT count(*)::text AS c FROM "Delivery"
         WHERE status = 'PENDING' OR (status = 'SCHEDULED' AND "digestId" IS NULL AND "scheduledFor" <= now() AT TIME ZONE 'UTC')`)
      ).rows[0]!.c,
    );
  await waitFor(async () => (await pending()) === 0, 120_000, 100);
  await client.end();
}
