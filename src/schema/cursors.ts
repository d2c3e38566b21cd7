import { z } from "zod";
import { invalidInput } from "../errors.js";

const uuid = z.string().uuid();

/**
 * Refuses `after`/`before` that are not cursors this API handed out. Every connection
 * here pages by a uuid `id`, whose Pothos cursor is base64("GPC:S:<uuid>"); Pothos
 * itself decodes any tag (a number, a date, JSON), and Prisma then throws on the
 * wrong type — which the client would see as an internal error.
 */
export function assertIdCursors(args: { after?: string | null; before?: string | null }): void {
  for (const name of ["after", "before"] as const) {
    const cursor = args[name];
    if (cursor === null || cursor === undefined) continue;
    const decoded = Buffer.from(cursor, "base64").toString("utf8");
    if (!decoded.startsWith("GPC:S:") || !uuid.safeParse(decoded.slice(6)).success) throw invalidInput(name, "not a cursor of this connection");
  }
}
