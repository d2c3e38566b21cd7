import { poolOf, type PrismaClient } from "../db/client.js";
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

/** Folds deltas FOLD_EVERY_MS after the previous fold ended, until stopped; `stop` waits for a fold in progress. */
export function startUnreadFolding(prisma: PrismaClient, log: Logger): { stop(): Promise<void> } {
  let stopped = false;
  let failing = false;
  let running: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout;
  const fold = async () => {
    try {
      await foldUnreadDeltas(prisma);
      if (failing) log.info("unread deltas folding again");
      failing = false;
    } catch (error) {
      // Counts stay exact meanwhile (reads add the deltas); only their sum grows. One line per outage.
      if (!failing) log.warn({ err: (error as Error).message }, "unread deltas not folded; retrying every few seconds");
      failing = true;
    }
    if (!stopped) schedule();
  };
  const schedule = () => {
    timer = setTimeout(() => (running = fold()), FOLD_EVERY_MS);
    timer.unref();
  };
  schedule();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
