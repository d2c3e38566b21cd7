// Agents' messages through the outbox: sendMessage → PENDING row + pg-boss job → the
// worker posts to a local Graph API stand-in → SENT. Measured beside a raw-HTTP baseline:
// the same POST bodies sent straight to the same stand-in, in the same run.
import { createServer, type Server } from "node:http";
import pg from "pg";
import { BENCH_PHONE_NUMBER_ID, contactWaId } from "./lib/setup.js";
import { waitFor } from "./lib/stats.js";

export interface GraphStandIn {
  url: string;
  /** POST …/messages received so far. */
  posts(): number;
  close(): Promise<void>;
}

/** Accepts every message the way Meta does (`{ messages: [{ id }] }`), as fast as it can. */
export async function startGraphStandIn(): Promise<GraphStandIn> {
  let posts = 0;
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      if (req.method === "POST" && req.url?.endsWith("/messages")) posts += 1;
      const body = JSON.stringify({ messaging_product: "whatsapp", contacts: [], messages: [{ id: `wamid.bench-${posts}-${Date.now()}` }] });
      res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
      res.end(body);
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    posts: () => posts,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The body Aviso posts for a text answer: the baseline sends exactly these. */
function textBody(i: number): string {
  return JSON.stringify({ messaging_product: "whatsapp", recipient_type: "individual", to: contactWaId(i % 100), type: "text", text: { preview_url: false, body: `bench answer ${i}` } });
}

/** Runs `total` tasks with `concurrency` in flight; returns the elapsed milliseconds. */
async function closedLoop(total: number, concurrency: number, task: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) await task(next++);
    }),
  );
  return performance.now() - started;
}

/** Raw HTTP: `total` POSTs of the same bodies to the stand-in, 20 in flight (Node's fetch, keep-alive). */
export async function rawPosts(standIn: GraphStandIn, total = 2000): Promise<{ postsPerSecond: number }> {
  const url = `${standIn.url}/v21.0/${BENCH_PHONE_NUMBER_ID}/messages`;
  const ms = await closedLoop(total, 20, async (i) => {
    const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json", authorization: "Bearer bench" }, body: textBody(i) });
    await response.arrayBuffer();
  });
  return { postsPerSecond: Math.round((total / ms) * 1000) };
}

/**
 * Through Aviso: `total` sendMessage mutations (20 in flight, spread over the bench
 * organization's conversations, whose 24-hour windows are opened first), timed from the
 * first mutation to the last message recorded SENT. Aviso runs with
 * WHATSAPP_MAX_MESSAGES_PER_SECOND above what the machine reaches, so the per-number
 * limit (80/s by default, Meta's) does not cap the measurement.
 */
export async function outboxSends(avisoUrl: string, databaseUrl: string, token: string, conversationIds: string[], total = 1000) {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  await db.query(`UPDATE "Conversation" SET "lastInboundAt" = now() WHERE id = ANY($1::uuid[])`, [conversationIds]);
  const sentBefore = Number((await db.query(`SELECT count(*) FROM "Message" WHERE direction = 'OUTBOUND' AND status = 'SENT'`)).rows[0].count);
  const globalIds = conversationIds.map((id) => Buffer.from(`Conversation:${id}`).toString("base64"));
  let errors = 0;
  const started = performance.now();
  const mutationMs = await closedLoop(total, 20, async (i) => {
    const response = await fetch(`${avisoUrl}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({
        query: "mutation($input: SendMessageInput!) { sendMessage(input: $input) { id status } }",
        variables: { input: { conversationId: globalIds[i % globalIds.length], text: `bench answer ${i}`, clientMessageId: `bench-${i}` } },
      }),
    });
    const body = (await response.json()) as { errors?: unknown[] };
    if (body.errors) errors += 1;
  });
  const drained = await waitFor(
    async () => Number((await db.query(`SELECT count(*) FROM "Message" WHERE direction = 'OUTBOUND' AND status = 'SENT'`)).rows[0].count) - sentBefore >= total - errors,
    120_000,
    50,
  );
  const ms = performance.now() - started;
  await db.end();
  return {
    messages: total,
    errors,
    drained,
    mutationsPerSecond: Math.round((total / mutationMs) * 1000),
    sendsPerSecond: Math.round((total / ms) * 1000),
  };
}
