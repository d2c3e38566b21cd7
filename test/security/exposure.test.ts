import { randomBytes } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/index.js";
import { metricsAllowedHere } from "../../src/server/http-limits.js";
import { isVerifyToken } from "../../src/webhooks/meta/signature.js";
import { startTestServer, type TestServer } from "../helpers/server.js";

// Issue 18: metrics that a stranger can grow or read, CORS that reflects any origin,
// responses without nosniff, weak secrets accepted in production.

describe("metrics", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.stop());

  const scrape = async () => (await fetch(`${server.url}/metrics`)).text();
  const graphqlSeries = (text: string) => text.split("\n").filter((l) => l.startsWith("aviso_graphql_operation_duration_seconds"));

  it("5,000 requests with random operation names leave /metrics the same size", async () => {
    const send = (name: string) =>
      fetch(`${server.url}/graphql`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: `query ${name} { __typename }` }) });
    await send(`Warmup${randomBytes(6).toString("hex")}`); // creates the "other" series
    await send("me"); // a known name keeps its label
    await scrape(); // the scrape's own series
    const before = await scrape();
    const names = Array.from({ length: 5000 }, () => `Op_${randomBytes(8).toString("hex")}`);
    for (let i = 0; i < names.length; i += 50) await Promise.all(names.slice(i, i + 50).map(send));
    const after = await scrape();
    const seriesOf = (text: string) => new Set(text.split("\n").filter((l) => l.startsWith("aviso_")).map((l) => l.replace(/ [^ ]+$/, "")));
    const added = [...seriesOf(after)].filter((s) => !seriesOf(before).has(s));
    expect(added).toEqual([]);
    expect(graphqlSeries(after).length).toBe(graphqlSeries(before).length);
    expect(after.split("\n").filter((l) => l.startsWith("aviso_")).length).toBe(before.split("\n").filter((l) => l.startsWith("aviso_")).length);
    expect(after).not.toContain("Op_");
    expect(after).toMatch(/aviso_graphql_operation_duration_seconds_count\{type="query",name="other"\} 500[01]/);
    expect(after).toContain('name="me"');
    console.info(`[metrics] /metrics ${before.length} bytes before, ${after.length} after 5,000 random names; aviso_ lines ${graphqlSeries(before).length} → ${graphqlSeries(after).length}`);
  }, 120_000);

  it("answers /metrics only to loopback without METRICS_TOKEN or METRICS_PORT", () => {
    const config = loadConfig({});
    const from = (remoteAddress: string, authorization?: string) => ({ socket: { remoteAddress }, headers: { authorization } }) as unknown as IncomingMessage;
    expect(metricsAllowedHere(from("127.0.0.1"), config)).toBe(true);
    expect(metricsAllowedHere(from("::ffff:127.0.0.1"), config)).toBe(true);
    expect(metricsAllowedHere(from("10.1.2.3"), config)).toBe(false);
    expect(metricsAllowedHere(from("203.0.113.9"), config)).toBe(false);
    const withToken = loadConfig({ METRICS_TOKEN: "scrape-me-please" });
    expect(metricsAllowedHere(from("127.0.0.1"), withToken)).toBe(false);
    expect(metricsAllowedHere(from("203.0.113.9", "Bearer scrape-me-please"), withToken)).toBe(true);
  });
});

describe("/metrics behind METRICS_TOKEN or on METRICS_PORT", () => {
  it("with METRICS_TOKEN refuses no token and a wrong one with 401", async () => {
    const server = await startTestServer({ env: { METRICS_TOKEN: "prometheus-scrape-token" } });
    try {
      expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
      expect((await fetch(`${server.url}/metrics`, { headers: { authorization: "Bearer nope" } })).status).toBe(401);
      const ok = await fetch(`${server.url}/metrics`, { headers: { authorization: "Bearer prometheus-scrape-token" } });
      expect(ok.status).toBe(200);
      expect(await ok.text()).toContain("aviso_http_request_duration_seconds");
    } finally {
      await server.stop();
    }
  });

  it("with METRICS_PORT serves /metrics there only", async () => {
    const server = await startTestServer({ env: { METRICS_PORT: "0" } });
    try {
      expect((await fetch(`${server.url}/metrics`)).status).toBe(404);
      const ok = await fetch(`http://127.0.0.1:${server.app.metricsPort}/metrics`);
      expect(ok.status).toBe(200);
      expect(ok.headers.get("x-content-type-options")).toBe("nosniff");
      expect((await fetch(`http://127.0.0.1:${server.app.metricsPort}/graphql`)).status).toBe(404);
    } finally {
      await server.stop();
    }
  });
});

describe("CORS and security headers", () => {
  let open: TestServer;
  let listed: TestServer;
  beforeAll(async () => {
    [open, listed] = await Promise.all([startTestServer(), startTestServer({ env: { CORS_ORIGINS: "https://app.aviso.example, https://admin.aviso.example" } })]);
  });
  afterAll(async () => {
    await open?.stop();
    await listed?.stop();
  });

  const preflight = (url: string, origin: string) =>
    fetch(`${url}/graphql`, { method: "OPTIONS", headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "authorization,content-type" } });
  const post = (url: string, origin: string) =>
    fetch(`${url}/graphql`, { method: "POST", headers: { origin, "content-type": "application/json" }, body: JSON.stringify({ query: "{ __typename }" }) });

  it("without CORS_ORIGINS gives no cross-origin access to any origin (same origin only)", async () => {
    for (const origin of ["https://evil.example", "null", "http://localhost:3000"]) {
      for (const response of [await preflight(open.url, origin), await post(open.url, origin)]) {
        expect(response.headers.get("access-control-allow-origin")).toBeNull();
        expect(response.headers.get("access-control-allow-credentials")).toBeNull();
      }
    }
  });

  it("with CORS_ORIGINS allows exactly those origins, with credentials, and still no other", async () => {
    const ok = await preflight(listed.url, "https://admin.aviso.example");
    expect(ok.headers.get("access-control-allow-origin")).toBe("https://admin.aviso.example");
    expect(ok.headers.get("access-control-allow-credentials")).toBe("true");
    expect((await post(listed.url, "https://app.aviso.example")).headers.get("access-control-allow-origin")).toBe("https://app.aviso.example");
    for (const origin of ["https://evil.example", "https://app.aviso.example.evil.example", "http://app.aviso.example"]) {
      expect((await preflight(listed.url, origin)).headers.get("access-control-allow-origin")).toBeNull();
      expect((await post(listed.url, origin)).headers.get("access-control-allow-origin")).toBeNull();
    }
  });

  it("refuses a WebSocket upgrade from a foreign browser origin", async () => {
    const { default: WebSocket } = await import("ws");
    const ws = new WebSocket(open.wsUrl, "graphql-transport-ws", { origin: "https://evil.example" });
    const status = await new Promise<number>((resolve) => ws.once("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0)));
    expect(status).toBe(403);
  });

  it("sends nosniff and the usual headers on every response: GraphQL, errors, webhooks, health, 404", async () => {
    const responses = [
      await post(open.url, "https://evil.example"),
      await fetch(`${open.url}/graphql`, { method: "POST", headers: { "content-type": "application/json" }, body: "{" }),
      await fetch(`${open.url}/webhooks/meta`, { method: "POST", body: "{}" }),
      await fetch(`${open.url}/webhooks/meta?hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1`),
      await fetch(`${open.url}/healthz`),
      await fetch(`${open.url}/metrics`),
      await fetch(`${open.url}/no/such/route`),
    ];
    for (const response of responses) {
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
      expect(response.headers.get("x-frame-options")).toBe("DENY");
      expect(response.headers.get("referrer-policy")).toBe("no-referrer");
    }
  });
});

describe("secrets", () => {
  const production = { NODE_ENV: "production", META_APP_SECRET: "meta-app-secret-value", JWT_SECRET: "k".repeat(32) };

  it("production refuses a JWT_SECRET under 32 bytes, naming it", () => {
    for (const secret of ["12345", "k".repeat(31), "ç".repeat(15)]) {
      expect(() => loadConfig({ ...production, JWT_SECRET: secret })).toThrow(/JWT_SECRET: must be at least 32 bytes/);
    }
    expect(() => loadConfig({ ...production, JWT_SECRET: "" })).toThrow(/JWT_SECRET/);
    expect(loadConfig(production).JWT_SECRET).toHaveLength(32);
    // An identity provider's keys replace the shared secret.
    expect(() => loadConfig({ ...production, JWT_SECRET: "", JWT_JWKS_URL: "https://idp.example/jwks" })).not.toThrow();
  });

  it("production refuses a missing META_APP_SECRET and a malformed AVISO_ENCRYPTION_KEY, naming them", () => {
    expect(() => loadConfig({ ...production, META_APP_SECRET: "" })).toThrow(/META_APP_SECRET/);
    expect(() => loadConfig({ ...production, AVISO_ENCRYPTION_KEY: "c2hvcnQ=" })).toThrow(/AVISO_ENCRYPTION_KEY/);
    // Outside production the development defaults still apply.
    expect(() => loadConfig({ NODE_ENV: "development", JWT_SECRET: "short" })).not.toThrow();
  });

  it("compares the webhook verify token in constant time (equal-length digests), whatever the lengths", () => {
    expect(isVerifyToken("test-verify-token", "test-verify-token")).toBe(true);
    for (const wrong of ["", "t", "test-verify-toke", "test-verify-token ", "x".repeat(10_000), null]) expect(isVerifyToken(wrong, "test-verify-token")).toBe(false);
  });
});
