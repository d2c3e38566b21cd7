import { poolOf, type PrismaClient } from "../db/client.js";
import { startMaintenanceLoop, type MaintenanceLoop } from "../db/maintenance-loop.js";
import type { Logger } from "../observability/log.js";

// The unread triggers append deltas (migration unread_counter_deltas) so that writers
// never lock a counter row; reads add a user's deltas to their counter. Folding them in
// keeps that sum short: every worker folds as soon as a thousand deltas wait (every second
// under a broadcast) and at least every five seconds, oldest deltas first, a bounded batch
// per statement until none is left — at a hundred agents hearing 50 messages a second, a
// badge sums about fifty small rows. Two workers folding at once fold different
// deltas (each delta is deleted, and added, once), so no election is needed.
//
// A fold deletes what it adds, and a deleted delta stays in the table and its index until
// vacuumed: autovacuum comes at most once a minute, and meanwhile every badge walked the
// dead deltas of its user too — with 100 agents hearing 20 messages a second, the counts
// read after each webhook visited ~750 index entries and as many heap pages per agent:
// 15 ms of PostgreSQL for the 100, three times the webhook's insert. So the folding worker
// vacuums the table after each fold that moved anything (15 → 2.6 ms; with folds every
// second instead of every five, broadcast frames at saturation 3,000–3,600/s → 6,300–7,000/s
// in bench/frames.ts). A vacuum of a table it finds almost empty tells the planner so; the
// fold's plan no longer depends on that (migration unread_fold_plan_independent_of_statistics).

/** How often a worker looks at the deltas waiting. */
const CHECK_EVERY_MS = 1_000;
/** Deltas waiting that make a worker fold at once… */
const FOLD_WHEN_WAITING = 1_000;
/** …and how long a few may wait: a quiet system folds (and commits) every five seconds, not every second. */
const FOLD_AT_LEAST_EVERY_MS = 5_000;
/** Deltas folded per statement: one short transaction each, locking at most this many counter rows. */
const FOLD_BATCH = 5_000;

/** Folds every delta there is now (but those of users being deleted right now); returns how many. */
export async function foldUnreadDeltas(prisma: PrismaClient): Promise<number> {
  let total = 0;
  for (;;) {
    const { rows } = await poolOf(prisma).query<{ folded: number }>({
      name: "aviso_fold_unread_deltas",
      text: "SELECT aviso_fold_unread_deltas($1::integer) AS folded",
      values: [FOLD_BATCH],
    });
    total += rows[0]!.folded;
    if (rows[0]!.folded < FOLD_BATCH) return total;
  }
}

/**
 * Folds every delta there is now, then vacuums the folded ones away (unless another
 * vacuum of the table is running: SKIP_LOCKED, the next fold's will do). Returns how many
 * deltas it folded.
 */
export async function compactUnreadDeltas(prisma: PrismaClient): Promise<number> {
  const folded = await foldUnreadDeltas(prisma);
  // TRUNCATE false: the emptied pages are reused by the next deltas, and the vacuum never
  // takes the exclusive lock giving them back to the disk would need (writers would wait).
  if (folded > 0) await poolOf(prisma).query('VACUUM (SKIP_LOCKED, TRUNCATE false) "NotificationCounterDelta"');
  return folded;
}

/** An upper bound of the deltas waiting (ids are a sequence; folds leave gaps): two index look-ups. */
async function deltasWaiting(prisma: PrismaClient): Promise<number> {
  const { rows } = await poolOf(prisma).query<{ waiting: number }>({
    name: "aviso_unread_deltas_waiting",
    text: 'SELECT COALESCE(max(id) - min(id) + 1, 0)::float8 AS waiting FROM "NotificationCounterDelta"',
  });
  return rows[0]!.waiting;
}

/**
 * Folds and vacuums deltas until stopped: as soon as FOLD_WHEN_WAITING are waiting (under
 * a broadcast, every second), otherwise every FOLD_AT_LEAST_EVERY_MS.
 */
export function startUnreadFolding(prisma: PrismaClient, log: Logger): MaintenanceLoop {
  let lastFold = Date.now();
  return startMaintenanceLoop({
    everyMs: CHECK_EVERY_MS,
    task: async () => {
      if (Date.now() - lastFold < FOLD_AT_LEAST_EVERY_MS && (await deltasWaiting(prisma)) < FOLD_WHEN_WAITING) return;
      lastFold = Date.now();
      await compactUnreadDeltas(prisma);
    },
    log,
    // Counts stay exact meanwhile (reads add the deltas); only their sum grows.
    failing: "unread deltas not folded; retrying every second",
    recovered: "unread deltas folding again",
  });
}
