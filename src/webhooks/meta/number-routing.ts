import type { PrismaClient } from "../../db/client.js";
import { ExpiringMap } from "../../expiring-map.js";

export interface NumberRoute {
  /** The WhatsAppNumber row: conversations remember it, answers leave from it. */
  id: string;
  organizationId: string;
  defaultQueueId: string | null;
}

// Every webhook asks which organization owns its number; the answer only changes when
// a number is connected (an unknown number becomes known), so known answers are kept
// briefly and unknown ones never are.
const TTL_MS = 30_000;
const caches = new WeakMap<PrismaClient, ExpiringMap<string, NumberRoute>>();

/** The organization (and its default queue) that connected this business number, or undefined. */
export async function routeOfNumber(prisma: PrismaClient, phoneNumberId: string): Promise<NumberRoute | undefined> {
  let cache = caches.get(prisma);
  if (!cache) caches.set(prisma, (cache = new ExpiringMap(10_000)));
  const hit = cache.get(phoneNumberId);
  if (hit) return hit;
  const route = await prisma.whatsAppNumber.findUnique({ where: { phoneNumberId }, select: { id: true, organizationId: true, defaultQueueId: true } });
  if (!route) return undefined;
  cache.set(phoneNumberId, route, TTL_MS);
  return route;
}
