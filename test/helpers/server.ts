import { mkdtempSync } from "node:fs";
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { print } from "graphql";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { signToken } from "../../src/auth/jwt.js";
import { loadConfig, type Config } from "../../src/config/index.js";
import { startApp, type App, type ProcessRole } from "../../src/server/app.js";
import { createLogger, type Logger } from "../../src/observability/log.js";
import { createTestDatabase, type TestDatabase } from "./db.js";

export const TEST_JWT_SECRET = "test-secret-that-is-long-enough-for-hs256";
/** 32 bytes, base64: the key secrets are encrypted with in tests (production requires one). */
export const TEST_ENCRYPTION_KEY = Buffer.alloc(32, 7).toString("base64");

export interface GraphQLResponse<T = Record<string, unknown>> {
  data?: T | null;
  errors?: Array<{ message: string; path?: string[]; extensions?: { code?: string; field?: string } }>;
}

export interface TestServer {
  app: App;
  config: Config;
  url: string;
  wsUrl: string;
  database: TestDatabase;
  /** A token for a seeded user, e.g. "agent@demo.test". */
  token(email: string, ttl?: string | number): Promise<string>;
  /**
   * POSTs a GraphQL operation — a typed document from test/generated/operations.ts or a
   * string; `auth` is a token, or a raw Authorization header value as `{ header }`.
   */
  gql<T = Record<string, unknown>, V = Record<string, unknown>>(
    query: string | TypedDocumentNode<T, V>,
    variables?: V,
    auth?: string | { header: string },
  ): Promise<GraphQLResponse<T>>;
  stop(): Promise<void>;
}

export interface TestServerOptions {
  env?: Record<string, string>;
  role?: ProcessRole;
  /** Share a database with another test server (two instances, one database). */
  database?: TestDatabase;
  /** Log here instead of the default (e.g. a logger writing to an array, to assert log lines). */
  log?: Logger;
}

/** Starts the real server on an ephemeral loopback port over its own copy of the seeded database. */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const database = options.database ?? (await createTestDatabase());
  const config = loadConfig({
    NODE_ENV: "test",
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
    JWT_SECRET: TEST_JWT_SECRET,
    META_APP_SECRET: "test-app-secret",
    META_VERIFY_TOKEN: "test-verify-token",
    AVISO_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
    AVISO_HOME: mkdtempSync(join(tmpdir(), "aviso-test-")),
    DATABASE_URL: database.url,
    // Many servers run at once in the suite: keep each one's pool small.
    DATABASE_POOL_SIZE: "8",
    // With REDIS_URL the connect limit's bucket (per IP, 127.0.0.1) is shared by every
    // process on that Redis — other test files, a bench next door. Tests of the limit set it.
    RATE_LIMIT_WS_CONNECTS_PER_MINUTE: "100000",
    ...options.env,
  });
  const app = await startApp(config, { role: options.role ?? "all", seed: false, log: options.log ?? createLogger(config.LOG_LEVEL) });
  const wsUrl = `${app.url.replace(/^http/, "ws")}/graphql`;
  return {
    app,
    config,
    url: app.url,
    wsUrl,
    database,
    async token(email, ttl = "1h") {
      const user = await app.runtime.prisma.user.findUniqueOrThrow({ where: { email } });
      return signToken(config, user, ttl);
    },
    async gql(query, variables, auth) {
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (typeof auth === "string") headers.authorization = `Bearer ${auth}`;
      else if (auth) headers.authorization = auth.header;
      const response = await fetch(`${app.url}/graphql`, {
        method: "POST",
        headers,
        body: JSON.stringify({ query: typeof query === "string" ? query : print(query), variables }),
      });
      return (await response.json()) as GraphQLResponse<never>;
    },
    async stop() {
      await app.stop();
      if (!options.database) await database.drop();
    },
  };
}
