import { invalidInput } from "../errors.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The database id inside a decoded relay global id. Pothos already checked the type
 * name; a well-formed global id around a value that is no uuid is the caller's mistake
 * (BAD_USER_INPUT), not a database error.
 */
export function databaseId(globalId: { id: string }, field: string): string {
  if (!UUID.test(globalId.id)) throw invalidInput(field, "is not a valid id");
  return globalId.id;
}
