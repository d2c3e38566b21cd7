import type { Role } from "../db/client.js";

/** Who is acting: a user of an organization, with the role their token carries. */
export interface Actor {
  userId: string;
  organizationId: string;
  role: Role;
}
