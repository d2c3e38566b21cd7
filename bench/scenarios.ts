import http from "node:http";
import autocannon from "autocannon";
import { createClient, type Client } from "graphql-ws";
import pg from "pg";
import WebSocket from "ws";
import { inboundText, sign } from "./lib/meta.js";
import { BENCH_APP_SECRET } from "./lib/aviso.js";
import { BENCH_PHONE_NUMBER_ID, contactWaId } from "./lib/setup.js";
import { sleep, summarize, waitFor, type Latency } from "./lib/stats.js";

// The load generator shares the machine's cores with Aviso: every millisecond it spends
// per request is taken from the system it measures. node:http over kept-alive sockets
// costs a fraction of what the global fetch (undici, WHATWG streams) does per POST.
const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 256 });

/** A signed webhook POST, as Meta sends it; resolves with the HTTP status once the answer is read. */
export function postWebhook(url: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      `${url}/webhooks/meta`,
      {
        method: "POST",
        agent: keepAlive,
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body), "x-hub-signature-256": sign(body, BENCH_APP_SECRET) },
      },
      (response) => {
        response.on("data", () => {});
        response.on("end", () => resolve(response.statusCode ?? 0));
        response.on("error", reject);
      },
    );
    request.on("error", reject);
    request.end(body);
  });
}

export interface Subscriber {
  client: Client;
  dispose(): Promise<void>;
}

/** A graphql-ws client signed in as `token`, once its socket is acknowledged. */
export async function connectClient(wsUrl: string, token: string): Promise<Client> {
  let connected!: () => void;
  const ready = new Promise<void>((resolve) => (connected = resolve));
  const client = createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    lazy: false,
    retryAttempts: 0,
    connectionParams: { authorization: `Bearer ${token}` },
    on: { connected: () => connected() },
  });
  await ready;
  return client;
}

/** Opens a graphql-ws socket and subscribes to notificationAdded; `onBody` gets each notification body. */
export async function subscribeNotifications(wsUrl: string, token: string, onBody: (body: string) => void): Promise<Subscriber> {
  const client = await connectClient(wsUrl, token);
  client.subscribe<{ notificationAdded: { id: string; body: string } }>(
    { query: "subscription { notificationAdded { id body } }" },
    { next: (v) => v.data && onBody(v.data.notificationAdded.body), error: () => {}, complete: () => {} },
  );
  return { client, dispose: async () => void (await client.dispose()) };
}

export interface OpenLoopResult extends Latency {
  rate: number;
  sent: number;
  errors: number;
}

/**
 * Open loop: webhook i is due at t0 + i/rate whatever happened before, and latency runs
 * from that intended time to the notificationAdded frame (no coordinated omission).
 */
export async function openLoopE2E(url: string, rate: number, seconds: number, agents: number, received: Map<string, number>): Promise<OpenLoopResult> {
  const total = Math.round(rate * seconds);
  const intended = new Map<string, number>();
  let errors = 0;
  const t0 = performance.now() + 50;
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = t0 + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    const token = `bench-${rate}-${i}`;
    intended.set(token, due);
    const body = inboundText(BENCH_PHONE_NUMBER_ID, contactWaId(i % agents), token);
    inFlight.push(
      postWebhook(url, body).then(
        (status) => void (status !== 200 && errors++),
        () => void errors++,
      ),
    );
  }
  await Promise.all(inFlight);
  await waitFor(() => [...intended.keys()].every((k) => received.has(k)), 15_000, 20);
  const samples: number[] = [];
  for (const [token, due] of intended) {
    const at = received.get(token);
    if (at === undefined) errors++;
    else samples.push(at - due);
  }
  return { rate, sent: total, errors, ...summarize(samples) };
}

/** Closed loop: as many distinct signed webhooks as 50 connections can push. */
export async function ingest(url: string, seconds = 5, agents = 100) {
  let i = 0;
  const result = await autocannon({
    url: `${url}/webhooks/meta`,
    method: "POST",
    connections: 50,
    duration: seconds,
    requests: [
      {
        setupRequest: (req) => {
          const body = inboundText(BENCH_PHONE_NUMBER_ID, contactWaId(i % agents), `ingest-${i++}`);
          return { ...req, body, headers: { ...req.headers, "content-type": "application/json", "x-hub-signature-256": sign(body, BENCH_APP_SECRET) } };
        },
      },
    ],
  });
  return { webhooksPerSecond: Math.round(result.requests.average), p99: result.latency.p99, errors: result.errors + result.non2xx };
}

/**
 * Ingest latency under a load it can carry: signed webhooks posted open loop at `rate`
 * (each due at t0 + i/rate whatever happened before), timed from the intended send to
 * the HTTP answer.
 */
export async function openLoopIngest(url: string, rate: number, seconds = 6, agents = 100): Promise<OpenLoopResult> {
  // At least ~200 samples for a p99 worth the name, within 20 s on a slow machine.
  const total = Math.round(rate * Math.max(seconds, Math.min(20, 200 / rate)));
  const samples: number[] = [];
  let errors = 0;
  const t0 = performance.now() + 50;
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = t0 + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    const body = inboundText(BENCH_PHONE_NUMBER_ID, contactWaId(i % agents), `paced-${rate}-${i}`);
    inFlight.push(
      postWebhook(url, body).then(
        (status) => (status === 200 ? void samples.push(performance.now() - due) : void errors++),
        () => void errors++,
      ),
    );
  }
  await Promise.all(inFlight);
  return { rate, sent: total, errors, ...summarize(samples) };
}

/**
 * Commits per webhook in Aviso's database, net of the idle rate (pg-boss polling):
 * `all` counts every transaction (pg_stat_database.xact_commit, read-only ones too);
 * `writing` counts those that wrote — each one a WAL flush, the durability cost.
 * Measured with no subscriber connected, so realtime re-reads are not counted.
 */
export async function commitsPerWebhook(url: string, databaseUrl: string, webhooks = 300, agents = 100): Promise<{ all: number; writing: number }> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const read = async () => {
    const { rows } = await client.query<{ commits: string; xid: string }>(
      "SELECT xact_commit::text AS commits, (pg_snapshot_xmax(pg_current_snapshot()))::text AS xid FROM pg_stat_database WHERE datname = current_database()",
    );
    return { commits: Number(rows[0]!.commits), xid: Number(rows[0]!.xid) };
  };
  // pg_stat counters are flushed by backends about once a second.
  const measure = async (work: () => Promise<void>) => {
    await sleep(1200);
    const before = await read();
    const started = performance.now();
    await work();
    await sleep(1200);
    const after = await read();
    return { commits: after.commits - before.commits, writes: after.xid - before.xid, seconds: (performance.now() - started) / 1000 };
  };
  const idle = await measure(async () => void (await sleep(3000)));
  const busy = await measure(async () => {
    for (let i = 0; i < webhooks; i++) await postWebhook(url, inboundText(BENCH_PHONE_NUMBER_ID, contactWaId(i % agents), `durable-${i}`));
  });
  await client.end();
  const net = (busyCount: number, idleCount: number) => Math.round(((busyCount - (idleCount / idle.seconds) * busy.seconds) / webhooks) * 100) / 100;
  return { all: net(busy.commits, idle.commits), writing: net(busy.writes, idle.writes) };
}
