/**
 * Errors services throw. They know nothing of GraphQL or HTTP: the GraphQL layer maps
 * `code` to `extensions.code` (src/schema/errors.ts), webhooks to a status.
 */
export type ErrorCode = "NOT_FOUND" | "BAD_USER_INPUT" | "FORBIDDEN" | "UNAUTHENTICATED" | "RATE_LIMITED" | "CONFLICT" | "CUSTOMER_WINDOW_CLOSED";

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** The input field at fault, for BAD_USER_INPUT. */
    readonly field?: string,
  ) {
    super(message);
  }
}

export const notFound = (what: string) => new DomainError("NOT_FOUND", `${what} not found`);
export const invalidInput = (field: string, message: string) => new DomainError("BAD_USER_INPUT", `${field}: ${message}`, field);
export const forbidden = (message = "not allowed") => new DomainError("FORBIDDEN", message);
