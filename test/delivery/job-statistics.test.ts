import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { poolOf } from "../../src/db/client.js";
import { deliveryJobs } from "../../src/delivery/jobs.js";
import { refreshQueueStatistics } from "../../src/jobs/queue-statistics.js";
import { eventually } from "../helpers/eventually.js";
import { startTestServer, type TestServer } from "../helpers/server.js";

// After a burst of jobs (an alert to a thousand admins), pg-boss's fetch is planned on the
// job table's statistics: taken while it was nearly empty, they make every fetch walk the
// whole queue. Workers refresh them (src/jobs/queue-statistics.ts); this checks the
// refresh itself, on an API-only server whose jobs no worker takes.

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ role: "serve" });
});
afterAll(() => server?.stop());

async function jobTableState() {
  const { rows } = await poolOf(server.app.runtime.prisma).query<{ tuples: number; changed: number }>(
    `SELECT c.reltuples::float8 AS tuples, s.n_mod_since_analyze::float8 AS changed
     FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
     WHERE s.schemaname = 'pgboss' AND s.relname = 'job_common'`,
  );
  return rows[0]!;
}

describe("job table statistics", () => {
  it("are refreshed once a burst of jobs has changed the table, and left alone otherwise", { timeout: 60_000 }, async () => {
    const { prisma, jobs } = server.app.runtime;
    // As before autovacuum's next visit (a minute apart at best): it must not refresh them meanwhile.
    await prisma.$executeRawUnsafe("ALTER TABLE pgboss.job_common SET (autovacuum_enabled = false)");
    await refreshQueueStatistics(prisma);
    const burst = Array.from({ length: 2_000 }, () => ({ data: { deliveryId: crypto.randomUUID() } }));
    await jobs.sendMany(deliveryJobs.EMAIL, burst);
    // PostgreSQL reports a backend's changes within seconds of it going idle.
    await eventually(async () => (await jobTableState()).changed >= 2_000, { what: "the burst to show in pg_stat_user_tables", timeoutMs: 30_000 });
    expect((await jobTableState()).tuples).toBeLessThan(2_000);

    expect(await refreshQueueStatistics(prisma)).toEqual(["job_common"]);
    const refreshed = await jobTableState();
    expect(refreshed.tuples).toBeGreaterThanOrEqual(2_000);
    expect(refreshed.changed).toBeLessThan(2_000);
    // Nothing changed since: nothing to analyze.
    expect(await refreshQueueStatistics(prisma)).toEqual([]);
  });
});
