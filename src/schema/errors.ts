import { GraphQLError } from "graphql";
import { PothosValidationError } from "@pothos/core";
import { clientCodeOfDatabaseError } from "../db/client-input-errors.js";
import { DomainError } from "../errors.js";

/**
 * Turns any error a resolver raised into what the client may see: domain errors keep
 * their code and message, malformed ids are BAD_USER_INPUT, GraphQL errors that
 * already carry a code pass, and everything else is masked (details stay in the log).
 */
export function toClientError(error: unknown, isDev: boolean): GraphQLError {
  const original = error instanceof GraphQLError ? (error.originalError ?? error) : error;
  const path = error instanceof GraphQLError ? error.path : undefined;
  if (original instanceof DomainError) {
    return new GraphQLError(original.message, {
      path,
      extensions: { code: original.code, ...(original.field ? { field: original.field } : {}) },
    });
  }
  const databaseCode = clientCodeOfDatabaseError(original);
  if (databaseCode) {
    const message = databaseCode === "NOT_FOUND" ? "Not found" : "A value in the request is malformed (e.g. a NUL character or an id of the wrong form)";
    return new GraphQLError(message, { path, extensions: { code: databaseCode } });
  }
  if (original instanceof PothosValidationError) {
    return new GraphQLError(original.message, { path, extensions: { code: "BAD_USER_INPUT" } });
  }
  // Duck-typed: a GraphQLError from another copy of graphql-js must pass too.
  if (hasCode(original)) return original as GraphQLError;
  // graphql-js coercing the request's variables (a wrong type, an unknown enum value, a
  // non-object input) reports a GraphQLError wrapping the scalar's GraphQLError, before
  // any resolver runs (no path): the client's mistake, not ours.
  if (error instanceof GraphQLError && !path && isGraphQLError(original)) {
    return new GraphQLError(error.message, { extensions: { code: "BAD_USER_INPUT" } });
  }
  if (error instanceof GraphQLError && !error.originalError) return error;
  return new GraphQLError(isDev ? `Unexpected error: ${(original as Error)?.message}` : "Unexpected error", {
    path,
    extensions: { code: "INTERNAL_SERVER_ERROR" },
  });
}

function isGraphQLError(error: unknown): boolean {
  return error instanceof Error && error.name === "GraphQLError";
}

function hasCode(error: unknown): boolean {
  const extensions = (error as { extensions?: { code?: unknown } } | null)?.extensions;
  return typeof extensions?.code === "string" && error instanceof Error && error.name === "GraphQLError";
}
