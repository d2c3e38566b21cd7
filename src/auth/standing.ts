import type { Role } from "../db/client.js";
import { ExpiringMap } from "../expiring-map.js";
import { processState } from "../process-state.js";
import type { Runtime } from "../runtime.js";

export interface Standing {
  organizationId: string;
  role: Role;
  active: boolean;
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
  const standing = await runtime.prisma.user.findUnique({ where: { id: userId }, select: { organizationId: true, role: true, active: true } });
  cache.set(userId, standing, TTL_MS);
  return standing;
}
