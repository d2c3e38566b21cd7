import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../src/observability/log.js";
import { inboundWebhook, postWebhook } from "../helpers/meta.js";
import { scrape, total } from "../helpers/metrics.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { connect } from "../helpers/ws.js";

// In memory (no REDIS_URL): these small limits count this server's traffic only.
const WEBHOOKS_PER_MINUTE = 3;
const WS_CONNECTS_PER_MINUTE = 2;

let server: TestServer;
const logLines: Array<Record<string, unknown>> = [];

beforeAll(async () => {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString("utf8").split("\n")) if (line) logLines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  server = await startTestServer({
    env: { RATE_LIMIT_WEBHOOKS_PER_MINUTE: String(WEBHOOKS_PER_MINUTE), RATE_LIMIT_WS_CONNECTS_PER_MINUTE: String(WS_CONNECTS_PER_MINUTE) },
    log: createLogger("info", {}, sink),
  });
});
afterAll(() => server?.stop());

describe("rate limits", () => {
  it("answers a webhook flood from one IP with 429 once over RATE_LIMIT_WEBHOOKS_PER_MINUTE", async () => {
    const responses: Response[] = [];
    for (let i = 0; i < WEBHOOKS_PER_MINUTE + 3; i++) responses.push(await postWebhook(server.url, inboundWebhook({ text: `flood ${i}` }).body));
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 429, 429, 429]);
    expect(responses[3]!.headers.get("retry-after")).toBe("60");
    // Refused before reading them: nothing stored for the refused ones.
    expect(await server.app.runtime.prisma.webhookEvent.count()).toBe(WEBHOOKS_PER_MINUTE);
    expect(total(await scrape(server.url), "aviso_webhooks_total", { outcome: "rate_limited" })).toBe(3);
  });

  it("refuses WebSocket connections over RATE_LIMIT_WS_CONNECTS_PER_MINUTE and logs each refusal", async () => {
    const token = await server.token("agent@demo.test");
    const accepted = [connect(server.wsUrl, `Bearer ${token}`), connect(server.wsUrl, `Bearer ${token}`)];
    try {
      for (const socket of accepted) await socket.connected;
      const refused = connect(server.wsUrl, `Bearer ${token}`);
      await expect(refused.connected).rejects.toThrow(/socket closed/);
      const refusals = logLines.filter((l) => l.msg === "websocket connection refused: too many connection attempts");
      expect(refusals).toHaveLength(1);
      expect(refusals[0]).toMatchObject({ level: 40, ip: expect.stringContaining("127.0.0.1") });
    } finally {
      await Promise.all(accepted.map((s) => s.dispose()));
    }
  });
});
