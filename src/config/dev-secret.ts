import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * A secret for development only (the callers refuse to use this in production):
 * generated once under AVISO_HOME as `name` and read from there ever after, so tokens
 * survive restarts and `npm run token` / `npm run simulate` agree with the server
 * without configuration. Two processes racing to create it end up with the same one.
 */
export function developmentSecret(avisoHome: string, name: string): string {
  const file = join(avisoHome, name);
  if (!existsSync(file)) {
    mkdirSync(avisoHome, { recursive: true });
    try {
      writeFileSync(file, randomBytes(32).toString("hex"), { mode: 0o600, flag: "wx" });
    } catch (error) {
      // Another process (server, token or simulate) wrote it first: use theirs.
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
  }
  return readFileSync(file, "utf8").trim();
}
