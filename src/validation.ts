import type { z } from "zod";
import { invalidInput } from "./errors.js";

/**
 * The one way services validate their input: parses `value` with `schema` and returns
 * the parsed data, or throws BAD_USER_INPUT naming the field at fault — `field` when the
 * value is a single argument, else the failing path ("quietHours.start"), else "input".
 */
export function parseInput<S extends z.ZodTypeAny>(schema: S, value: unknown, field?: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw invalidInput(field ?? (issue.path.join(".") || "input"), issue.message);
}
