import type { Role } from "../db/client.js";
import { ExpiringMap } from "../expiring-map.js";
import { processState } from "../process-state.js";
import type { Runtime } from "../runtime.js";

export interface Standing {
  organizationId: string;
  role: Role;
  active: boolean;
  /** Its organization is suspended (src/organizations/suspension.ts): its people are refused. */
  suspended: boolean;
}

// Every request and socket asks whether its token's user still stands as signed. The
// answer is kept a few seconds per process: a deactivated user or a changed role takes
// effect within that time, and a burst of requests costs one primary-key read.
const TTL_MS = 5_000;
const standings = processState("user-standing", () => new ExpiringMap<string, Standing | null>(50_000));

/** The user's organization, role and whether they are active; null when there is no such user. */
export async function standingOf(runtime: Runtime, userId: string): Promise<Standing | null> {
  const cache = runtime.state.get(standings);
  const hit = cache.get(userId);
  if (hit !== undefined) return hit;
  const row = await runtime.prisma.user.findUnique({
    where: { id: userId },
    select: { organizationId: true, role: true, active: true, organization: { select: { suspendedAt: true } } },
  });
  const standing = row && { organizationId: row.organizationId, role: row.role, active: row.active, suspended: row.organization.suspendedAt !== null };
  cache.set(userId, standing, TTL_MS);
  return standing;
}

/**
 * Forgets what this process knows of these users' standing (all of it when `userIds`
 * is "all"), so the next request reads the database: a deactivation, role change or
 * suspension announced by another instance takes effect here at once.
 */
export function forgetStanding(runtime: Pick<Runtime, "state">, userIds: readonly string[] | "all"): void {
  const cache = runtime.state.get(standings);
  if (userIds === "all") cache.clear();
  else for (const id of userIds) cache.delete(id);
}
