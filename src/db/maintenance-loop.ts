import type { Logger } from "../observability/log.js";

export interface MaintenanceLoop {
  /** Stops the loop; waits for a run in progress. */
  stop(): Promise<void>;
}

/**
 * Runs `task` every `everyMs` after the previous run ended, until stopped — background
 * upkeep of the database (folding unread deltas, refreshing the job tables' statistics).
 * A failing task is retried at the same pace and logged once per outage, with one line
 * when it works again, not once per attempt.
 */
export function startMaintenanceLoop(options: {
  everyMs: number;
  task: () => Promise<unknown>;
  log: Logger;
  /** The warning logged when the task starts failing. */
  failing: string;
  /** The line logged when it works again. */
  recovered: string;
}): MaintenanceLoop {
  const { everyMs, task, log } = options;
  let stopped = false;
  let failing = false;
  let running: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout;
  const run = async () => {
    try {
      await task();
      if (failing) log.info(options.recovered);
      failing = false;
    } catch (error) {
      if (!failing) log.warn({ err: (error as Error).message }, options.failing);
      failing = true;
    }
    if (!stopped) schedule();
  };
  const schedule = () => {
    timer = setTimeout(() => (running = run()), everyMs);
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
