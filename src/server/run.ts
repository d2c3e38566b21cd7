import { signToken } from "../auth/jwt.js";
import { loadConfig } from "../config/index.js";
import { createLogger, logDestination } from "../observability/log.js";
import { startApp, type ProcessRole } from "./app.js";
import { describeSetup } from "./banner.js";

/** Starts a process in `role`, prints what is on and how to try it, and shuts down cleanly on SIGTERM/SIGINT. */
export async function run(role: ProcessRole): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config.LOG_LEVEL, { role }, logDestination(config.LOG_FORMAT));
  const app = await startApp(config, { role, log });

  let shuttingDown = false;
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.on(signal, () => {
      if (shuttingDown) return;
      shuttingDown = true;
      log.info({ signal }, "shutting down");
      const deadline = setTimeout(() => {
        log.error("shutdown took too long; exiting");
        process.exit(1);
      }, 30_000);
      deadline.unref();
      const started = Date.now();
      app.stop().then(
        () => {
          log.info({ durationMs: Date.now() - started }, "shut down cleanly");
          process.exit(0);
        },
        (error: unknown) => {
          log.error({ err: (error as Error).message }, "shutdown failed");
          process.exit(1);
        },
      );
    });
  }

  log.info({ url: app.url }, "Aviso is ready");
  const lines = ["", ...describeSetup(config, { role, url: app.url, embeddedDatabase: app.databaseUrl !== config.DATABASE_URL })];
  if (role !== "worker") {
    const agent = await app.runtime.prisma.user.findUnique({ where: { email: "agent@demo.test" } });
    // A ready-made token is a development convenience; elsewhere stdout is collected as logs, which never hold tokens.
    if (agent && !config.JWT_JWKS_URL && config.NODE_ENV === "development") {
      const token = await signToken(config, agent);
      lines.push("", `Token for agent@demo.test (send as "Authorization: Bearer <token>"):`, token);
      lines.push(`Another user's token: npm run token -- admin@demo.test`);
    }
  }
  process.stdout.write(`${lines.join("\n")}\n\n`);
}
