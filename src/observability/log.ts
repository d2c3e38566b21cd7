import { pino, type DestinationStream, type Logger, type LoggerOptions } from "pino";
import pretty from "pino-pretty";
import { currentLogContext } from "./log-context.js";

export type { Logger };

/**
 * Structured JSON logs. Paths that may hold secrets or message bodies are removed
 * outright; phone numbers must go through `maskPhone` before they are logged.
 */
export function createLogger(level: string, bindings: Record<string, unknown> = {}, destination?: DestinationStream): Logger {
  const options: LoggerOptions = {
    level,
    base: { service: "aviso", ...bindings },
    // The request or job this line belongs to (src/observability/log-context.ts).
    mixin: () => ({ ...currentLogContext() }),
    redact: {
      paths: [
        "authorization",
        "*.authorization",
        "headers.authorization",
        "*.headers.authorization",
        "token",
        "*.token",
        "accessToken",
        "*.accessToken",
        "password",
        "*.password",
        "text",
        "*.text",
        "body",
        "*.body",
      ],
      remove: true,
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

/**
 * Where a process's logs go: pino-pretty (colours, one readable line per event) when
 * `format` is "pretty", or "auto" on a terminal; JSON lines on stdout otherwise, for
 * collectors. Returns undefined for pino's own stdout destination.
 */
export function logDestination(format: "auto" | "json" | "pretty", isTTY = process.stdout.isTTY === true): DestinationStream | undefined {
  if (format === "json" || (format === "auto" && !isTTY)) return undefined;
  return pretty({ colorize: isTTY, translateTime: "SYS:HH:MM:ss.l", ignore: "pid,hostname,service", sync: true });
}

/** "+5511999990000" → "+55*******0000": enough to tell numbers apart, not to dial them. */
export function maskPhone(phone: string | null | undefined): string | undefined {
  if (!phone) return undefined;
  const digits = phone.replace(/\D/g, "");
  if (digits.length <= 6) return "*".repeat(digits.length);
  return `${phone.startsWith("+") ? "+" : ""}${digits.slice(0, 2)}${"*".repeat(digits.length - 6)}${digits.slice(-4)}`;
}
