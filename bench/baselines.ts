import { spawn } from "node:child_process";
import autocannon from "autocannon";
import { Redis } from "ioredis";
import pg from "pg";
import { PgBoss, type WorkOptions } from "pg-boss";
import WebSocket from "ws";
import { sleep, summarize, waitFor, type Latency } from "./lib/stats.js";

export interface BaselineServers {
  wsUrl: string;
  yogaUrl: string;
  stop(): void;
}

export async function startBaselineServers(): Promise<BaselineServers> {
  const child = spawn(process.execPath, ["--import", "tsx", "bench/baseline-server.ts"], { stdio: ["ignore", "pipe", "inherit"] });
  const line = await new Promise<string>((resolve) => child.stdout!.once("data", (data) => resolve(String(data))));
  const [, wsPort, yogaPort] = line.trim().split(" ");
  return { wsUrl: `ws://127.0.0.1:${wsPort}`, yogaUrl: `http://127.0.0.1:${yogaPort}/graphql`, stop: () => child.kill() };
}

const open = (url: string) =>
  new Promise<WebSocket>((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.once("open", () => resolve(socket));
    socket.once("error", reject);
  });

/** Round trip of one small frame to a raw ws echo server. */
export async function wsEcho(url: string, iterations = 2000): Promise<Latency> {
  const socket = await open(url);
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const started = performance.now();
    await new Promise<void>((resolve) => {
      socket.once("message", () => resolve());
      socket.send(`echo:${i}`);
    });
    samples.push(performance.now() - started);
  }
  socket.close();
  return summarize(samples);
}

/** Time until the last of N raw ws clients receives one broadcast frame. */
export async function wsBroadcast(url: string, clients: number, rounds = 10): Promise<Latency> {
  const sockets = [];
  for (let i = 0; i < clients; i++) sockets.push(await open(url));
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const started = performance.now();
    await Promise.all([
      ...sockets.map((s) => new Promise<void>((resolve) => s.once("message", () => resolve()))),
      Promise.resolve(sockets[0]!.send(`broadcast:${r}`)),
    ]);
    samples.push(performance.now() - started);
  }
  for (const s of sockets) s.close();
  return summarize(samples);
}

/**
 * Sustained raw broadcast: `frame` (a real notificationAdded frame's text, so the same
 * bytes) pushed by the server to all `clients`, with `window` broadcasts in flight,
 * each frame parsed once by its client. Frames received per second across all clients,
 * over `seconds` after a short warm-up.
 */
export async function wsBroadcastThroughput(url: string, clients: number, frame: string, seconds = 3, window = 16) {
  const sockets: WebSocket[] = [];
  for (let i = 0; i < clients; i++) sockets.push(await open(url));
  const trigger = `broadcast:${frame}`;
  let sent = 0;
  let received = 0;
  let running = true;
  const pump = () => {
    while (running && sent * clients - received < window * clients) {
      sockets[0]!.send(trigger);
      sent++;
    }
  };
  for (const socket of sockets)
    socket.on("message", (data: Buffer) => {
      JSON.parse(data.toString());
      received++;
      pump();
    });
  pump();
  await sleep(500);
  const before = received;
  const started = performance.now();
  await sleep(seconds * 1000);
  const counted = received - before;
  const elapsed = performance.now() - started;
  running = false;
  for (const s of sockets) s.close();
  return { clients, frameBytes: Buffer.byteLength(frame), framesPerSecond: Math.round((counted / elapsed) * 1000) };
}

/**
 * Raw pooled nodemailer to an SMTP sink, from its own process (bench/baseline-mailer.ts):
 * `total` copies of one already rendered message, all handed to a pool with Aviso's
 * settings at once. The physical limit of that sink for such messages, in sends/s.
 */
export async function nodemailerSends(
  smtp: { host: string; port: number },
  message: { from: string; to: string; subject: string; text: string; html: string },
  total = 2000,
): Promise<{ sends: number; sendsPerSecond: number }> {
  const child = spawn(process.execPath, ["--import", "tsx", "bench/baseline-mailer.ts", JSON.stringify({ ...smtp, message, total })], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let output = "";
  child.stdout!.on("data", (data) => (output += String(data)));
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  if (code !== 0) throw new Error(`baseline mailer exited with ${code}`);
  return JSON.parse(output.trim().split("\n").at(-1)!) as { sends: number; sendsPerSecond: number };
}

/** A raw node-postgres transaction doing the writes one inbound webhook causes. */
export async function pgTransaction(databaseUrl: string, iterations = 500): Promise<Latency> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  await client.query(`CREATE TABLE IF NOT EXISTS bench_event (id bigserial primary key, payload jsonb, status text, received_at timestamptz default now());
    CREATE TABLE IF NOT EXISTS bench_contact (wa_id text primary key, name text, message_count int default 0, last_message_at timestamptz);
    CREATE TABLE IF NOT EXISTS bench_conversation (id bigserial primary key, wa_id text unique, unread int default 0, last_message_at timestamptz);
    CREATE TABLE IF NOT EXISTS bench_message (id bigserial primary key, conversation_id bigint, wamid text unique, body text, created_at timestamptz default now());
    CREATE TABLE IF NOT EXISTS bench_notification (id bigserial primary key, user_id int, conversation_id bigint, body text, created_at timestamptz default now());`);
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const waId = `5511${String(i % 100).padStart(9, "0")}`;
    const started = performance.now();
    await client.query("INSERT INTO bench_event (payload, status) VALUES ($1, 'RECEIVED')", [{ i }]);
    await client.query("BEGIN");
    await client.query(
      "INSERT INTO bench_contact (wa_id, name, message_count, last_message_at) VALUES ($1, 'c', 1, now()) ON CONFLICT (wa_id) DO UPDATE SET message_count = bench_contact.message_count + 1, last_message_at = now()",
      [waId],
    );
    const conversation = await client.query<{ id: string }>(
      "INSERT INTO bench_conversation (wa_id, unread, last_message_at) VALUES ($1, 1, now()) ON CONFLICT (wa_id) DO UPDATE SET unread = bench_conversation.unread + 1, last_message_at = now() RETURNING id",
      [waId],
    );
    const id = conversation.rows[0]!.id;
    await client.query("INSERT INTO bench_message (conversation_id, wamid, body) VALUES ($1, $2, 'hello') ON CONFLICT DO NOTHING", [
      id,
      `wamid.${Date.now()}.${i}`,
    ]);
    await client.query("INSERT INTO bench_notification (user_id, conversation_id, body) VALUES (1, $1, 'hello')", [id]);
    await client.query("UPDATE bench_event SET status = 'PROCESSED' WHERE id = (SELECT max(id) FROM bench_event)");
    await client.query("COMMIT");
    samples.push(performance.now() - started);
  }
  await client.end();
  return summarize(samples);
}

/** Redis PUBLISH → message on a subscribed connection. */
export async function redisRoundTrip(redisUrl: string, iterations = 1000): Promise<Latency> {
  const publisher = new Redis(redisUrl);
  const subscriber = new Redis(redisUrl);
  await subscriber.subscribe("bench");
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const started = performance.now();
    await new Promise<void>((resolve) => {
      subscriber.once("message", () => resolve());
      void publisher.publish("bench", String(i));
    });
    samples.push(performance.now() - started);
  }
  publisher.disconnect();
  subscriber.disconnect();
  return summarize(samples);
}

export interface Throughput {
  requestsPerSecond: number;
  p99: number;
  errors: number;
}

/** Closed-loop HTTP throughput with autocannon (50 connections). */
export async function httpThroughput(options: {
  url: string;
  body: string;
  headers?: Record<string, string>;
  seconds?: number;
  connections?: number;
}): Promise<Throughput> {
  const result = await autocannon({
    url: options.url,
    method: "POST",
    connections: options.connections ?? 50,
    duration: options.seconds ?? 5,
    headers: { "content-type": "application/json", ...options.headers },
    body: options.body,
  });
  return { requestsPerSecond: Math.round(result.requests.average), p99: result.latency.p99, errors: result.errors + result.non2xx };
}

/** pg-boss no-op jobs: throughput and send→handler latency, with the worker settings Aviso uses. */
export async function pgBossNoop(databaseUrl: string, work: WorkOptions, jobs = 2000) {
  const boss = new PgBoss({ connectionString: databaseUrl, schema: "pgboss", useListenNotify: true, supervise: false, schedule: false });
  await boss.start();
  await boss.createQueue("bench-noop", { notify: true });
  let done = 0;
  const latencies: number[] = [];
  // Aviso's worker defaults (src/jobs/worker.ts), then the queue's own settings.
  await boss.work<{ sentAt: number }>("bench-noop", { batchSize: 20, pollingIntervalSeconds: 2, burstWhenBatchFull: true, ...work }, async (batch) => {
    for (const job of batch) latencies.push(Date.now() - job.data.sentAt);
    done += batch.length;
  });
  // Latency: one job at a time.
  for (let i = 0; i < 50; i++) {
    const before = done;
    await boss.send("bench-noop", { sentAt: Date.now() });
    await waitFor(() => done > before, 10_000, 2);
  }
  const latency = summarize(latencies.splice(0));
  // Throughput: a burst.
  const start = performance.now();
  const target = done + jobs;
  for (let i = 0; i < jobs; i += 500) {
    await boss.insert(
      "bench-noop",
      Array.from({ length: Math.min(500, jobs - i) }, () => ({ data: { sentAt: Date.now() } })),
    );
  }
  await waitFor(() => done >= target, 120_000, 10);
  const seconds = (performance.now() - start) / 1000;
  await boss.stop({ graceful: false });
  return { jobsPerSecond: Math.round(jobs / seconds), latency };
}
