import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { printedSchema } from "../../src/schema/index.js";
import { readFileSync } from "node:fs";
import { startTestServer, type TestServer } from "../helpers/server.js";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.stop());

describe("operations endpoints", () => {
  it("answers /healthz and /readyz", async () => {
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ ready: true, checks: { database: "ok", jobs: "ok" } });
  });

  it("serves GraphiQL to a browser at /graphql", async () => {
    const page = await fetch(`${server.url}/graphql`, { headers: { accept: "text/html" } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("<title>Aviso</title>");
  });

  it("exposes Prometheus metrics", async () => {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    expect(text).toContain("aviso_http_request_duration_seconds");
  });

  it("answers 404 for unknown paths", async () => {
    expect((await fetch(`${server.url}/nope`)).status).toBe(404);
  });
});

describe("schema.graphql", () => {
  it("matches the code", () => {
    expect(readFileSync(new URL("../../schema.graphql", import.meta.url), "utf8")).toBe(printedSchema());
  });
});
