/**
 * A reason this process cannot start, as one line that names the variable to change and
 * how (`DATABASE_URL: cannot connect to 127.0.0.1:5999 (connection refused) — is
 * PostgreSQL running?`). `main` prints the message alone — no stack — and exits 1.
 */
export class StartupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StartupError";
  }
}

/** "host:port" of a database or Redis URL, with the protocol's default port. */
export function hostAndPort(url: string, defaultPort: number): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname || "localhost"}:${parsed.port || defaultPort}`;
  } catch {
    return "(unparsable URL)";
  }
}

/** Plain words for the socket errors both PostgreSQL and Redis connections meet. */
export function socketProblem(error: { code?: string; message?: string }): string | undefined {
  switch (error.code) {
    case "ECONNREFUSED":
      return "connection refused";
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return "host not found";
    case "ETIMEDOUT":
      return "timed out";
    case "ECONNRESET":
    case "EPIPE":
      return "connection closed by the server";
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return "host unreachable";
    default:
      return undefined;
  }
}
