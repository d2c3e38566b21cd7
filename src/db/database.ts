import type { Config } from "../config/index.js";
import { startEmbeddedPostgres } from "./embedded.js";

export interface DatabaseHandle {
  url: string;
  embedded: boolean;
  stop(): Promise<void>;
}

/** `DATABASE_URL` when set; otherwise the embedded cluster under `AVISO_HOME`. */
export async function openDatabase(config: Pick<Config, "DATABASE_URL" | "AVISO_HOME">, log?: (msg: string) => void): Promise<DatabaseHandle> {
  if (config.DATABASE_URL) return { url: config.DATABASE_URL, embedded: false, stop: async () => {} };
  const embedded = await startEmbeddedPostgres(config.AVISO_HOME, log);
  return { url: embedded.url, embedded: true, stop: embedded.stop };
}
