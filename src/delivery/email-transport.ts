import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import nodemailer, { type Transporter } from "nodemailer";
import { processState } from "../process-state.js";
import type { Runtime } from "../runtime.js";

export interface EmailTransport {
  transporter: Transporter;
  /** Set in development (no SMTP_HOST): messages are written here as .eml files instead. */
  outbox: string | null;
}

// One pooled SMTP transport per runtime (tests run several apps in one process), made on
// the first email and closed by the app's stop() after the workers have finished.
const transport = processState(
  "smtp-transport",
  (): { current?: EmailTransport } => ({}),
  (holder) => holder.current?.transporter.close(),
);

/**
 * The runtime's SMTP transport. Without SMTP_HOST, a stream transport that hands back
 * the raw message for the outbox.
 */
export function emailTransport(runtime: Runtime): EmailTransport {
  const holder = runtime.state.get(transport);
  return (holder.current ??= createTransport(runtime.config));
}

function createTransport(config: Runtime["config"]): EmailTransport {
  const timeout = config.SMTP_TIMEOUT_SECONDS * 1000;
  return config.SMTP_HOST
    ? {
        transporter: nodemailer.createTransport({
          pool: true,
          // Enough parallel sessions for two batches in flight; a session is renewed after
          // 1,000 messages instead of nodemailer's 100 (each renewal is a new handshake).
          maxConnections: 10,
          maxMessages: 1000,
          host: config.SMTP_HOST,
          port: config.SMTP_PORT,
          // SMTP_USE_SSL: TLS from the first byte (465). SMTP_USE_TLS: STARTTLS is required,
          // never silently skipped; off means plain SMTP (a local relay, the test server).
          secure: config.SMTP_USE_SSL,
          requireTLS: !config.SMTP_USE_SSL && config.SMTP_USE_TLS,
          ignoreTLS: !config.SMTP_USE_SSL && !config.SMTP_USE_TLS,
          ...(config.SMTP_USER ? { auth: { user: config.SMTP_USER, pass: config.SMTP_PASSWORD ?? "" } } : {}),
          connectionTimeout: timeout,
          greetingTimeout: timeout,
          socketTimeout: timeout,
        }),
        outbox: null,
      }
    : { transporter: nodemailer.createTransport({ streamTransport: true, buffer: true, newline: "unix" }), outbox: resolve(config.AVISO_HOME, "outbox") };
}

/** Writes a message the stream transport produced; returns its path. */
export async function writeToOutbox(outbox: string, name: string, message: Buffer): Promise<string> {
  await mkdir(outbox, { recursive: true });
  const path = join(outbox, `${new Date().toISOString().replace(/[:.]/g, "-")}-${name}.eml`);
  await writeFile(path, message);
  return path;
}
