import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { SignJWT } from "jose";
import pg from "pg";
import { waitFor } from "./stats.js";

export const BENCH_SECRET = "bench-jwt-secret-long-enough-for-hs256";
export const BENCH_APP_SECRET = "bench-app-secret";

export interface AvisoProcess {
  url: string;
  wsUrl: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts the real server (NODE_ENV=production) in its own process, as `npm start` would. */
export async function startAviso(env: Record<string, string>, port: number, role = process.env.BENCH_ROLE ?? "all"): Promise<AvisoProcess> {
  // BENCH_PROFILE_DIR=dir writes a V8 CPU profile of the server there (open it in Chrome DevTools).
  const profile = process.env.BENCH_PROFILE_DIR ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : [];
  // role "serve" (or BENCH_ROLE=serve): the API without its worker, to tell the worker's share of a figure.
  const child = spawn(process.execPath, [...profile, "--import", "tsx", "src/main.ts", role], {
    env: {
      ...process.env,
      NODE_ENV: "production",
      LOG_LEVEL: "warn",
      PORT: String(port),
      HOST: "127.0.0.1",
      JWT_SECRET: BENCH_SECRET,
      META_APP_SECRET: BENCH_APP_SECRET,
      // Production requires the at-rest encryption key (32 bytes, base64).
      AVISO_ENCRYPTION_KEY: Buffer.alloc(32, 3).toString("base64"),
      META_VERIFY_TOKEN: "bench",
      RATE_LIMIT_WS_CONNECTS_PER_MINUTE: "1000000",
      RATE_LIMIT_MUTATIONS_PER_MINUTE: "1000000",
      RATE_LIMIT_WEBHOOKS_PER_MINUTE: "1000000",
      // The load generator is one address holding thousands of sockets (fanout, idle subscribers).
      WS_MAX_SOCKETS_PER_IP: "100000",
      ...env,
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const url = `http://127.0.0.1:${port}`;
  const ready = await waitFor(async () => (await fetch(`${url}/readyz`).catch(() => undefined))?.ok === true, 120_000, 250);
  if (!ready) {
    child.kill("SIGKILL");
    throw new Error("Aviso did not become ready");
  }
  return {
    url,
    wsUrl: `ws://127.0.0.1:${port}/graphql`,
    child,
    async stop() {
      child.kill("SIGTERM");
      await new Promise((resolve) => child.once("exit", resolve));
    },
  };
}

export async function tokenFor(user: { id: string; organizationId: string; role: string }): Promise<string> {
  return new SignJWT({ org: user.organizationId, role: user.role })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(user.id)
    .setExpirationTime("2h")
    .sign(new TextEncoder().encode(BENCH_SECRET));
}

/** Recreates an empty database for the run. */
export async function freshDatabase(adminUrl: string, name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function serverRssBytes(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const match = /^process_resident_memory_bytes (\d+(?:\.\d+)?(?:e\+\d+)?)/m.exec(text);
  return match ? Number(match[1]) : Number.NaN;
}

/** A port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
