import { decodeGlobalID } from "@pothos/plugin-relay";
import { invalidInput } from "../errors.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The one global id codec. A relay global id is base64("Type:uuid"). A malformed one —
 * not base64 of that form, another type, or no uuid inside — is the caller's mistake:
 * BAD_USER_INPUT naming the argument. A well-formed id whose row is missing or belongs
 * to another organization is NOT_FOUND, which the service says when the tenant-scoped
 * client finds nothing.
 *
 * `t.arg.globalID({ for: Ref })` arguments arrive decoded (Pothos checked the type);
 * pass them here for the uuid check. Plain `ID` arguments pass the string and the type.
 */
export function databaseId(globalId: { typename?: string; id: string } | string, field: string, typename?: string): string {
  let decoded: { typename?: string; id: string };
  if (typeof globalId === "string") {
    try {
      decoded = decodeGlobalID(globalId);
    } catch {
      throw invalidInput(field, "is not a valid id");
    }
  } else {
    decoded = globalId;
  }
  if (typename && decoded.typename !== typename) throw invalidInput(field, `is not a ${typename} id`);
  if (!UUID.test(decoded.id)) throw invalidInput(field, "is not a valid id");
  return decoded.id;
}
