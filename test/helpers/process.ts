import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { eventually } from "./eventually.js";
import { TEST_META_APP_SECRET } from "./meta.js";
import { TEST_ENCRYPTION_KEY, TEST_JWT_SECRET } from "./server.js";

const ROOT = join(import.meta.dirname, "..", "..");

/** What every spawned process needs: the test's database, the test secrets, a home of its own. */
export function processEnv(databaseUrl: string, name: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: "test",
    LOG_LEVEL: "warn",
    DATABASE_URL: databaseUrl,
    JWT_SECRET: TEST_JWT_SECRET,
    META_APP_SECRET: TEST_META_APP_SECRET,
    AVISO_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
    AVISO_HOME: mkdtempSync(join(tmpdir(), `aviso-${name}-`)),
    ...extra,
  };
}

/** Channels pointed at the test's SMTP sink and fake Graph API, retrying fast. */
export function channelEnv(smtpPort: number, graphUrl: string): Record<string, string> {
  return {
    NOTIFY_NEW_MESSAGE_ENABLED: "true",
    SMTP_HOST: "127.0.0.1",
    SMTP_PORT: String(smtpPort),
    SMTP_USE_TLS: "false",
    WHATSAPP_API_URL: graphUrl,
    DELIVERY_RETRY_DELAY_SECONDS: "1",
  };
}

/**
 * Two API instances and a worker, started together. Those that started are pushed to
 * `started` (the caller's afterAll stops them) before the first failure is thrown.
 */
export async function spawnTopology(started: AvisoProcess[], env: Record<string, string>): Promise<[AvisoProcess, AvisoProcess, AvisoProcess]> {
  const results = await Promise.allSettled([spawnAviso("serve", env), spawnAviso("serve", env), spawnAviso("worker", env)]);
  for (const result of results) if (result.status === "fulfilled") started.push(result.value);
  const failed = results.find((r) => r.status === "rejected");
  if (failed) throw (failed as PromiseRejectedResult).reason;
  return started.slice(-3) as [AvisoProcess, AvisoProcess, AvisoProcess];
}

/** A port nobody listens on right now (bound to 0, then released). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface AvisoProcess {
  role: "all" | "serve" | "worker";
  child: ChildProcess;
  url: string;
  wsUrl: string;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** Its JSON log lines so far (stdout lines that parse). */
  logLines(): Array<Record<string, unknown>>;
  /** Resolves with the exit code (or the signal's name) once the process has exited. */
  exited: Promise<number | string>;
  /** Sends a signal; resolves when it exited, or rejects after `withinMs`. */
  signal(signal: NodeJS.Signals, withinMs?: number): Promise<number | string>;
  /** Kills it if still running (SIGKILL): for afterAll/finally. */
  kill(): Promise<void>;
}

/**
 * Starts `node --import tsx src/main.ts <role>` — what `npm run serve` / `npm run worker`
 * run — on a free port, and waits until its /healthz answers. Every role listens
 * (workers for /metrics and /readyz). An `env.PORT` is kept, so a killed process can
 * be restarted where its clients expect it.
 */
export async function spawnAviso(role: AvisoProcess["role"], env: Record<string, string>): Promise<AvisoProcess> {
  const port = env.PORT ? Number(env.PORT) : await freePort();
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts", role], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", HOST: "127.0.0.1", PORT: String(port), DATABASE_POOL_SIZE: "8", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  const exited = new Promise<number | string>((resolve) => child.once("exit", (code, signal) => resolve(code ?? signal ?? "unknown")));
  let exitCode: number | string | undefined;
  void exited.then((code) => (exitCode = code));
  const url = `http://127.0.0.1:${port}`;

  const proc: AvisoProcess = {
    role,
    child,
    url,
    wsUrl: `ws://127.0.0.1:${port}/graphql`,
    output: () => output,
    logLines: () =>
      output.split("\n").flatMap((line) => {
        if (!line.startsWith("{")) return [];
        try {
          return [JSON.parse(line) as Record<string, unknown>];
        } catch {
          return [];
        }
      }),
    exited,
    async signal(signal, withinMs = 30_000) {
      child.kill(signal);
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${role} did not exit within ${withinMs} ms of ${signal}`)), withinMs);
      });
      try {
        return await Promise.race([exited, deadline]);
      } finally {
        clearTimeout(timer);
      }
    },
    async kill() {
      if (exitCode !== undefined) return;
      child.kill("SIGKILL");
      await exited;
    },
  };

  try {
    await eventually(async () => {
      if (exitCode !== undefined) throw new Error(`${role} exited with ${exitCode} while starting:\n${output}`);
      const response = await fetch(`${url}/healthz`).catch(() => undefined);
      return response?.ok;
    }, 60_000, 200);
  } catch (error) {
    await proc.kill();
    throw error;
  }
  return proc;
}
