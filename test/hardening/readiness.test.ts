import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { eventually } from "../helpers/eventually.js";
import { startTestServer, type TestServer } from "../helpers/server.js";

// The database goes away under a running server — its own database only: connections
// refused and existing ones ended, never the shared PostgreSQL server — and comes back.

let server: TestServer;
let admin: pg.Client;

beforeAll(async () => {
  server = await startTestServer();
  admin = new pg.Client({ connectionString: inject("adminDatabaseUrl") });
  await admin.connect();
});
afterAll(async () => {
  await admin?.query(`ALTER DATABASE ${server.database.name} ALLOW_CONNECTIONS true`).catch(() => {});
  await admin?.end();
  await server?.stop();
});

async function readiness(): Promise<{ status: number; body: { ready: boolean; checks: Record<string, string> } }> {
  const response = await fetch(`${server.url}/readyz`);
  return { status: response.status, body: (await response.json()) as { ready: boolean; checks: Record<string, string> } };
}

describe("/readyz", () => {
  // Waits up to 30 s for readiness to come back.
  it("turns unready while the database is unreachable and ready again when it returns", { timeout: 60_000 }, async () => {
    expect((await readiness()).status).toBe(200);

    const name = server.database.name;
    await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
    await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", [name]);
    const down = await eventually(
      async () => {
        const r = await readiness();
        return r.status === 503 ? r : undefined;
      },
      { what: "readiness to report 503 with the database down" },
    );
    expect(down.body).toMatchObject({ ready: false, checks: { database: "down" } });
    // Liveness is not readiness: the process itself is fine.
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);

    await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS true`);
    const up = await eventually(
      async () => {
        const r = await readiness();
        return r.status === 200 ? r : undefined;
      },
      { what: "readiness to report 200 with the database back", timeoutMs: 30_000 },
    );
    expect(up.body).toMatchObject({ ready: true, checks: { database: "ok", jobs: "ok" } });
    // And it serves again, through the same pool.
    const token = await server.token("agent@demo.test");
    expect((await server.gql("{ me { email } }", {}, token)).data).toEqual({ me: { email: "agent@demo.test" } });
  });
});
