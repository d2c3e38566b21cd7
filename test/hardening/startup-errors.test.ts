import { createServer, type Server } from "node:net";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { withDatabase } from "../setup/global.js";
import { freePort, runAvisoToExit } from "../helpers/process.js";
import { TEST_JWT_SECRET } from "../helpers/server.js";

// Each misconfiguration starts the real process (`node --import tsx src/main.ts`) and
// expects it to exit 1 with one line naming the variable and the fix — no stack trace.
const adminUrl = inject("adminDatabaseUrl");
const template = inject("templateDatabase");

function env(extra: Record<string, string>): Record<string, string> {
  return {
    NODE_ENV: "test",
    LOG_LEVEL: "warn",
    HOST: "127.0.0.1",
    JWT_SECRET: TEST_JWT_SECRET,
    AVISO_HOME: mkdtempSync(join(tmpdir(), "aviso-startup-")),
    DATABASE_URL: withDatabase(adminUrl, template),
    ...extra,
  };
}

/** Its stderr without the Node-version warning a Node 20 machine prints: must be exactly `line`. */
async function expectOneLine(extra: Record<string, string>, line: string | RegExp) {
  const { code, stdout, stderr } = await runAvisoToExit("all", env(extra));
  const lines = stderr.split("\n").filter((l) => l.trim() !== "" && !l.startsWith("warning: Node.js"));
  expect(lines, `stdout:\n${stdout}\nstderr:\n${stderr}`).toHaveLength(1);
  if (typeof line === "string") expect(lines[0]).toBe(line);
  else expect(lines[0]).toMatch(line);
  expect(code).toBe(1);
}

let busy: Server;
let busyPort: number;
beforeAll(async () => {
  busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve));
  busyPort = (busy.address() as { port: number }).port;
});
afterAll(() => new Promise<void>((resolve) => busy.close(() => resolve())));

// Each case spawns node with tsx (2–10 s on a busy machine); the database ones wait for a refusal, not a timeout.
describe("start-up errors are one line naming the variable", { timeout: 60_000 }, () => {
  it("a DATABASE_URL port nothing listens on", async () => {
    const port = await freePort();
    await expectOneLine(
      { DATABASE_URL: `postgresql://postgres@127.0.0.1:${port}/aviso` },
      `DATABASE_URL: cannot connect to 127.0.0.1:${port} (connection refused) — is PostgreSQL running?`,
    );
  });

  it("a DATABASE_URL naming a database that does not exist", async () => {
    const url = new URL(adminUrl);
    await expectOneLine(
      { DATABASE_URL: withDatabase(adminUrl, "aviso_no_such_database") },
      `DATABASE_URL: database "aviso_no_such_database" does not exist on ${url.hostname}:${url.port || 5432} — create it (createdb aviso_no_such_database) or fix the name`,
    );
  });

  it("a DATABASE_URL host typo", async () => {
    await expectOneLine(
      { DATABASE_URL: "postgresql://postgres@no-such-host.invalid:5432/aviso" },
      /^DATABASE_URL: host "no-such-host\.invalid" not found \((ENOTFOUND|EAI_AGAIN)\) — check the host name$/,
    );
  });

  it("a DATABASE_URL that is not a PostgreSQL URL", async () => {
    await expectOneLine({ DATABASE_URL: "mysql://localhost/aviso" }, /^DATABASE_URL: expected a postgresql:\/\/ or postgres:\/\/ URL/);
  });

  it("a PORT another process holds", async () => {
    await expectOneLine({ PORT: String(busyPort) }, `PORT ${busyPort} is in use — another Aviso? set PORT`);
  });

  it("an empty PORT", async () => {
    await expectOneLine({ PORT: "" }, "PORT: is empty — set a number or remove the variable to use 4000");
  });

  it("a boolean that is neither true nor false", async () => {
    await expectOneLine({ GRAPHIQL_ENABLED: "ture" }, 'GRAPHIQL_ENABLED: expected true or false, got "ture"');
  });

  it("a URL that is not one", async () => {
    await expectOneLine({ PUBLIC_URL: "app.example.com" }, 'PUBLIC_URL: "app.example.com" is not a URL — expected e.g. https://app.example.com');
  });

  it("an unknown severity in ALERT_ESCALATION_SECONDS", async () => {
    await expectOneLine(
      { ALERT_ESCALATION_SECONDS: "CRITICAL=300,FOO=5" },
      'ALERT_ESCALATION_SECONDS: unknown severity "FOO" — use CRITICAL, HIGH, MEDIUM, LOW',
    );
  });

  it("a REDIS_URL nothing answers", async () => {
    const port = await freePort();
    await expectOneLine(
      { REDIS_URL: `redis://127.0.0.1:${port}` },
      `REDIS_URL: cannot connect to 127.0.0.1:${port} (connection refused) — is Redis running? (or unset REDIS_URL for in-process pubsub, one instance)`,
    );
  });

  it("production without DATABASE_URL (the embedded database only when asked)", async () => {
    await expectOneLine(
      { NODE_ENV: "production", DATABASE_URL: "", META_APP_SECRET: "meta", JWT_SECRET: "x".repeat(32) },
      "DATABASE_URL: required in production — set it to your PostgreSQL (or AVISO_EMBEDDED_DATABASE=true to run the embedded one on purpose)",
    );
  });
});
