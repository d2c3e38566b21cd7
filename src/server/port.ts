import { createServer, type Server } from "node:net";
import { StartupError } from "../config/startup-error.js";

/** The one line for a port that cannot be bound. */
export function listenProblem(error: Error & { code?: string }, host: string, port: number): Error {
  if (error.code === "EADDRINUSE") return new StartupError(`PORT ${port} is in use — another Aviso? set PORT`);
  if (error.code === "EACCES") return new StartupError(`PORT ${port}: permission denied — use a port above 1023 or set PORT`);
  if (error.code === "EADDRNOTAVAIL" || error.code === "ENOTFOUND") {
    return new StartupError(`HOST ${host}: no such interface here — use 0.0.0.0, 127.0.0.1 or this machine's address`);
  }
  return error;
}

/**
 * Binds the port for a moment before the database is opened, so a busy port is said
 * at once instead of after the embedded PostgreSQL started and migrations ran.
 */
export async function assertPortFree(host: string, port: number): Promise<void> {
  if (port === 0) return;
  const probe: Server = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once("error", (error: Error) => reject(listenProblem(error, host, port)));
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}
