import { poolOf, type PrismaClient } from "../db/client.js";
import { startMaintenanceLoop, type MaintenanceLoop } from "../db/maintenance-loop.js";
import type { Logger } from "../observability/log.js";

// The unread triggers append deltas (migration unread_counter_deltas) so that writers
// never lock a counter row; reads add a user's deltas to their counter. Folding them in
// keeps that sum short: every worker folds every few seconds, oldest deltas first, a
// bounded batch per statement until none is left — at a hundred agents hearing 50
// messages a second, a badge sums a few hundred small rows at most. Two workers folding
// at once fold different deltas (each delta is deleted, and added, once), so no election
// is needed.

const FOLD_EVERY_MS = 5_000;
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

/** Folds deltas FOLD_EVERY_MS after the previous fold ended, until stopped. */
export function startUnreadFolding(prisma: PrismaClient, log: Logger): MaintenanceLoop {
  return startMaintenanceLoop({
    everyMs: FOLD_EVERY_MS,
    task: () => foldUnreadDeltas(prisma),
    log,
    // Counts stay exact meanwhile (reads add the deltas); only their sum grows.
    failing: "unread deltas not folded; retrying every few seconds",
    recovered: "unread deltas folding again",
  });
}
