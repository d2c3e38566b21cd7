import { connect as netConnect, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type WebSocket from "ws";
import { signatureFor } from "../../src/webhooks/meta/signature.js";
import { UnreadNotificationCountChangedDocument } from "../../src/client/index.js";
import { MyEmailDocument, NodesByIdsDocument as NODES, NotificationAddedDocument } from "../generated/operations.js";
import { TEST_META_APP_SECRET } from "../helpers/meta.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { connect, openRawSocket, rawSocket, subscribe } from "../helpers/ws.js";

// Issue 18: everything a client controls has a bound — list arguments, operations per
// socket, sockets per user and per address, frame size, slow bodies, idle connections.

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({
    env: {
      WS_MAX_OPERATIONS_PER_SOCKET: "3",
      WS_MAX_SOCKETS_PER_USER: "2",
      WS_MAX_SOCKETS_PER_IP: "6",
      WEBHOOK_BODY_TIMEOUT_SECONDS: "1",
      RATE_LIMIT_WS_CONNECTS_PER_MINUTE: "1000",
    },
  });
});
afterAll(() => server?.stop());

const fakeIds = (n: number) =>
  Array.from({ length: n }, (_, i) => Buffer.from(`Conversation:0190${String(i).padStart(4, "0")}-0000-7000-8000-000000000000`).toString("base64"));

/** A raw HTTP exchange (fetch hides early answers as EPIPE, see STACK.md). */
function raw(port: number, write: (socket: Socket) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = netConnect(port, "127.0.0.1", () => write(socket));
    let data = "";
    socket.on("data", (chunk) => (data += chunk.toString("latin1")));
    socket.on("close", () => resolve(data));
    socket.on("error", (error) => (data ? resolve(data) : reject(error)));
  });
}

describe("list arguments", () => {
  it("refuses nodes with 10,000 ids before resolving any, and with 101; accepts 100", async () => {
    const token = await server.token("agent@demo.test");
    const huge = await server.gql(NODES, { ids: fakeIds(10_000) }, token);
    expect(huge.data ?? null).toBeNull();
    expect(huge.errors?.[0]).toMatchObject({ extensions: { code: "BAD_USER_INPUT" } });
    expect(huge.errors?.[0]?.message).toMatch(/10000 items; at most 100/);
    expect((await server.gql(NODES, { ids: fakeIds(101) }, token)).errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    const ok = await server.gql(NODES, { ids: fakeIds(100) }, token);
    expect(ok.errors).toBeUndefined();
    expect(ok.data?.nodes).toHaveLength(100);
  });

  it("counts list items against the cost limit: two lists of 100 in one operation are refused", async () => {
    // An attack shape (two aliased lists), not an operation a client sends: kept as text.
    const query = "query Two($a: [ID!]!, $b: [ID!]!) { x: nodes(ids: $a) { id } y: nodes(ids: $b) { id } }";
    const result = await server.gql(query, { a: fakeIds(100), b: fakeIds(100) }, await server.token("agent@demo.test"));
    expect(result.errors?.[0]?.message).toMatch(/List arguments cost 40000; the limit is 20000/);
  });

  it("keeps answering another organization's `me` while 40 requests of 10,000 ids arrive", async () => {
    const attacker = await server.token("agent@demo.test");
    const victim = await server.token("agent@acme.test");
    const quiet: number[] = [];
    for (let i = 0; i < 10; i++) {
      const t = performance.now();
      await server.gql(MyEmailDocument, {}, victim);
      quiet.push(performance.now() - t);
    }
    // The server runs in this process: the attacker's body is built once, so the figures are the server's.
    const ids = fakeIds(10_000);
    const started = performance.now();
    const flood = Array.from({ length: 40 }, () => server.gql(NODES, { ids }, attacker));
    const meTimes: number[] = [];
    for (let i = 0; i < 10; i++) {
      const t = performance.now();
      const me = await server.gql(MyEmailDocument, {}, victim);
      meTimes.push(performance.now() - t);
      expect(me.data?.me.email).toBe("agent@acme.test");
    }
    const floods = await Promise.all(flood);
    for (const f of floods) expect(f.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    // Figures for the README (not asserted: shared CI machines vary).
    const p50 = (xs: number[]) => Math.round(xs.sort((a, b) => a - b)[5]!);
    console.info(
      `[limits] 40 × nodes(10,000 ids) refused in ${Math.round(performance.now() - started)} ms; victim me p50 ${p50(meTimes)} ms (quiet ${p50(quiet)} ms), max ${Math.round(meTimes.at(-1)!)} ms`,
    );
  });

  it("refuses a GraphQL body over 1 MiB with 413 (the same cap as a WebSocket frame)", async () => {
    const port = server.app.port;
    const body = JSON.stringify({ query: "{ __typename }", variables: { pad: "x".repeat(1024 * 1024 + 10) } });
    const answer = await raw(port, (s) =>
      s.end(`POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`),
    );
    expect(answer).toMatch(/^HTTP\/1\.1 413/);
  });

  it("refuses a chunked GraphQL body (no declared length) with 411: only declared, capped lengths are read", async () => {
    const port = server.app.port;
    const body = JSON.stringify({ query: "{ __typename }" });
    const answer = await raw(port, (s) =>
      s.end(
        `POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n${Buffer.byteLength(body).toString(16)}\r\n${body}\r\n0\r\n\r\n`,
      ),
    );
    expect(answer).toMatch(/^HTTP\/1\.1 411/);
  });
});

describe("WebSocket bounds", () => {
  it("refuses a socket's operations beyond WS_MAX_OPERATIONS_PER_SOCKET with TOO_MANY_OPERATIONS", async () => {
    const socket = connect(server.wsUrl, `Bearer ${await server.token("agent@demo.test")}`);
    await socket.connected;
    try {
      const subs = Array.from({ length: 3 }, () => subscribe(socket, UnreadNotificationCountChangedDocument));
      const fourth = subscribe(socket, NotificationAddedDocument);
      const result = await fourth.next(5000);
      expect(result.errors?.[0]).toMatchObject({ extensions: { code: "TOO_MANY_OPERATIONS" } });
      // Completing one frees a slot.
      subs[0]!.unsubscribe();
      const again = subscribe(socket, NotificationAddedDocument);
      await new Promise((r) => setTimeout(r, 300));
      expect(again.pending().flatMap((r) => r.errors ?? [])).toEqual([]);
      for (const s of [...subs, again]) s.unsubscribe();
    } finally {
      await socket.dispose();
    }
  });

  it("closes a user's sockets beyond WS_MAX_SOCKETS_PER_USER with 4029", async () => {
    const auth = `Bearer ${await server.token("agent2@demo.test")}`;
    const first = connect(server.wsUrl, auth);
    const second = connect(server.wsUrl, auth);
    await Promise.all([first.connected, second.connected]);
    const third = connect(server.wsUrl, auth);
    expect(await third.closed).toBe(4029);
    await first.dispose();
    await first.closed;
    // A slot was freed: a new socket is accepted again.
    const fourth = connect(server.wsUrl, auth);
    await fourth.connected;
    await Promise.all([second.dispose(), fourth.dispose()]);
  });

  it("refuses upgrades beyond WS_MAX_SOCKETS_PER_IP with 429, whoever the user", async () => {
    const sockets: WebSocket[] = [];
    try {
      for (let i = 0; i < 6; i++) {
        sockets.push(await openRawSocket(server.wsUrl));
      }
      const refused = rawSocket(server.wsUrl);
      const status = await new Promise<number>((resolve) => refused.once("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0)));
      expect(status).toBe(429);
    } finally {
      for (const ws of sockets) ws.terminate();
    }
  });

  it("closes a socket that sends a frame over 1 MiB with 1009 (message too big)", async () => {
    const ws = await openRawSocket(server.wsUrl);
    const closed = new Promise<number>((resolve) => ws.once("close", (code) => resolve(code)));
    ws.send(JSON.stringify({ type: "connection_init", payload: { pad: "x".repeat(1024 * 1024 + 1) } }));
    expect(await closed).toBe(1009);
  });
});

describe("slow and idle clients", () => {
  it("cuts off a webhook body trickled a byte at a time with 408 after WEBHOOK_BODY_TIMEOUT_SECONDS", async () => {
    const body = Buffer.from(JSON.stringify({ object: "whatsapp_business_account", entry: [] }));
    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const answer = await raw(server.app.port, (socket) => {
      socket.write(
        `POST /webhooks/meta HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nX-Hub-Signature-256: ${signatureFor(body, TEST_META_APP_SECRET)}\r\nContent-Length: ${body.length}\r\n\r\n`,
      );
      let i = 0;
      timer = setInterval(() => {
        if (i < body.length && !socket.destroyed) socket.write(body.subarray(i, ++i));
      }, 200);
    });
    clearInterval(timer);
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    console.info(`[limits] trickled webhook cut off after ${Date.now() - started} ms`);
  }, 15_000);

  it("keeps an idle keep-alive connection open past Node's default 5 s (load balancers reuse them)", async () => {
    const answers = await new Promise<string>((resolve, reject) => {
      const socket = netConnect(server.app.port, "127.0.0.1");
      let data = "";
      socket.on("data", (chunk) => {
        data += chunk.toString("latin1");
        if ((data.match(/HTTP\/1\.1 200/g) ?? []).length === 2) {
          socket.end();
          resolve(data);
        }
      });
      socket.on("error", reject);
      socket.on("close", () => resolve(data));
      const request = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n";
      socket.write(request);
      setTimeout(() => !socket.destroyed && socket.write(request), 6000);
    });
    expect((answers.match(/HTTP\/1\.1 200/g) ?? []).length).toBe(2);
    expect(answers).toMatch(/keep-alive: timeout=65/i);
  }, 15_000);
});
