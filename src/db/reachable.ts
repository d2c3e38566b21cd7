import pg from "pg";
import { hostAndPort, socketProblem, StartupError } from "../config/startup-error.js";

const CONNECT_TIMEOUT_MS = 5_000;

/**
 * Connects once to `DATABASE_URL` before anything else uses it, so a wrong URL stops
 * start-up with one line naming the variable instead of a driver's stack trace.
 */
export async function assertDatabaseReachable(url: string, variable = "DATABASE_URL"): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  try {
    await client.connect();
  } catch (error) {
    throw new StartupError(describeDatabaseError(url, error as Error & { code?: string }, variable));
  } finally {
    await client.end().catch(() => {});
  }
}

/** One line for a failed connection: where, what, and what to do. */
export function describeDatabaseError(url: string, error: Error & { code?: string }, variable = "DATABASE_URL"): string {
  return describe(url, error).replace(/^DATABASE_URL/, variable);
}

function describe(url: string, error: Error & { code?: string }): string {
  const where = hostAndPort(url, 5432);
  const parsed = safeUrl(url);
  const database = parsed ? decodeURIComponent(parsed.pathname.replace(/^\//, "")) || "(user's default)" : "?";
  const user = parsed ? decodeURIComponent(parsed.username) || "(default)" : "?";
  switch (error.code) {
    case "ECONNREFUSED":
      return `DATABASE_URL: cannot connect to ${where} (connection refused) — is PostgreSQL running?`;
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return `DATABASE_URL: host "${parsed?.hostname}" not found (${error.code}) — check the host name`;
    case "3D000":
      return `DATABASE_URL: database "${database}" does not exist on ${where} — create it (createdb ${database}) or fix the name`;
    case "28P01":
      return `DATABASE_URL: password authentication failed for user "${user}" on ${where} — check the user and password`;
    case "28000":
      return `DATABASE_URL: ${error.message} on ${where} — check the user (and pg_hba.conf)`;
    case "57P03":
      return `DATABASE_URL: PostgreSQL at ${where} is starting up — try again in a moment`;
  }
  if (/timeout/i.test(error.message)) {
    return `DATABASE_URL: no answer from ${where} within ${CONNECT_TIMEOUT_MS / 1000} s — check the host, port and firewall`;
  }
  const problem = socketProblem(error) ?? error.message.split("\n")[0];
  return `DATABASE_URL: cannot connect to ${where} (${problem}) — check the URL`;
}

function safeUrl(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}
