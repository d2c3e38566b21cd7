import type { ErrorCode } from "../errors.js";

/**
 * PostgreSQL error codes that only a malformed value can cause: text with a NUL byte
 * (22021), a JSON escape it cannot store such as a lone surrogate (22P05), a value of
 * the wrong form for its column, e.g. "abc" for a uuid (22P02).
 */
const MALFORMED_VALUE_CODES = new Set(["22021", "22P05", "22P02"]);

/**
 * Prisma errors that are the request's fault rather than the server's, with the code
 * the client should see: P2025 (the record to update or read was not there) is
 * NOT_FOUND; P2023 (a malformed id Prisma refused) and the PostgreSQL codes above are
 * BAD_USER_INPUT. Anything else returns null: a real failure, to be masked and logged.
 */
export function clientCodeOfDatabaseError(error: unknown): Extract<ErrorCode, "NOT_FOUND" | "BAD_USER_INPUT"> | null {
  if (!(error instanceof Error) || !error.name.startsWith("PrismaClient")) return null;
  const { code, meta } = error as Error & { code?: string; meta?: { driverAdapterError?: { cause?: { originalCode?: string; code?: string } } } };
  if (code === "P2025") return "NOT_FOUND";
  if (code === "P2023") return "BAD_USER_INPUT";
  const cause = meta?.driverAdapterError?.cause;
  const databaseCode = cause?.originalCode ?? cause?.code ?? /Code: `(\w{5})`/.exec(error.message)?.[1];
  return databaseCode && MALFORMED_VALUE_CODES.has(databaseCode) ? "BAD_USER_INPUT" : null;
}
