import { poolOf, type PrismaClient } from "../db/client.js";
import { startMaintenanceLoop, type MaintenanceLoop } from "../db/maintenance-loop.js";
import type { Logger } from "../observability/log.js";
import { BOSS_SCHEMA } from "./queue.js";

// pg-boss claims a batch with an UPDATE joined to the batch's ids. Planned on statistics
// taken while the job table was nearly empty, that join walks every job of the queue for
// each batch: after an alert to 1,000 admins, each fetch of 25 emails took 30–100 ms with
// a few thousand jobs in the table, so a burst drained in quadratic time. Autovacuum
// refreshes statistics at most once a minute, and only after a fifth of a table changed.
// Every worker therefore checks every few seconds and ANALYZEs a job table that changed
// by more than a tenth since its statistics were taken — what PostgreSQL advises after a
// bulk load. SKIP_LOCKED: when another worker is analyzing it already, this one does not wait.

const CHECK_EVERY_MS = 5_000;
/** Changed rows, beyond a tenth of the table, that make its statistics stale. */
const MIN_CHANGED_ROWS = 500;

/** ANALYZEs the job tables whose statistics are stale; returns their names. */
export async function refreshQueueStatistics(prisma: PrismaClient): Promise<string[]> {
  const pool = poolOf(prisma);
  const { rows } = await pool.query<{ table: string }>({
    text: `SELECT s.relname AS table
           FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
           WHERE s.schemaname = $1
             AND s.relname IN (SELECT table_name FROM ${BOSS_SCHEMA}.queue UNION SELECT 'job_common')
             AND s.n_mod_since_analyze > $2 + 0.1 * GREATEST(c.reltuples, 0)`,
    values: [BOSS_SCHEMA, MIN_CHANGED_ROWS],
  });
  for (const { table } of rows) await pool.query(`ANALYZE (SKIP_LOCKED) ${BOSS_SCHEMA}.${quoteIdentifier(table)}`);
  return rows.map((r) => r.table);
}

/** Keeps the job tables' statistics fresh while a worker runs. */
export function startQueueStatistics(prisma: PrismaClient, log: Logger): MaintenanceLoop {
  return startMaintenanceLoop({
    everyMs: CHECK_EVERY_MS,
    task: () => refreshQueueStatistics(prisma),
    log,
    failing: "job tables' statistics not refreshed; retrying every few seconds",
    recovered: "job tables' statistics refreshed again",
  });
}

function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
