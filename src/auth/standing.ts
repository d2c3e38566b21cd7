import type { PrismaClient, Role } from "../db/client.js";

export interface Standing {
  organizationId: string;
  role: Role;
  active: boolean;
}

// Every request and socket asks whether its token's user still stands as signed. The
// answer is kept a few seconds per process: a deactivated user or a changed role takes
// effect within that time, and a burst of requests costs one primary-key read.
const TTL_MS = 5_000;
const MAX_ENTRIES = 50_000;
const caches = new WeakMap<PrismaClient, Map<string, { standing: Standing | null; expires: number }>>();

/** The user's organization, role and whether they are active; null when there is no such user. */
export async function standingOf(prisma: PrismaClient, userId: string): Promise<Standing | null> {
  let cache = caches.get(prisma);
  if (!cache) caches.set(prisma, (cache = new Map()));
  const hit = cache.get(userId);
  if (hit && hit.expires > Date.now()) return hit.standing;
  const standing = await prisma.user.findUnique({ where: { id: userId }, select: { organizationId: true, role: true, active: true } });
  if (cache.size >= MAX_ENTRIES) cache.clear();
  cache.set(userId, { standing, expires: Date.now() + TTL_MS });
  return standing;
}
