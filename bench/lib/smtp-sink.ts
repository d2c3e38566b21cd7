import { SMTPServer } from "smtp-server";

export interface SmtpSink {
  port: number;
  /** Aviso's settings for sending its emails here. */
  env: Record<string, string>;
  close(): void;
}

/** A local SMTP server on loopback that accepts every message and discards it: where the bench's emails go. */
export async function startSmtpSink(): Promise<SmtpSink> {
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData: (stream, _session, done) => stream.on("end", () => done()).resume(),
  });
  await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", resolve));
  const port = (smtp.server.address() as { port: number }).port;
  return {
    port,
    env: { SMTP_HOST: "127.0.0.1", SMTP_PORT: String(port), SMTP_USE_TLS: "false", EMAIL_ENABLED: "true" },
    close: () => smtp.close(),
  };
}
