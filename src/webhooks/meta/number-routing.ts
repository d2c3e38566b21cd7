import { ExpiringMap } from "../../expiring-map.js";
import { processState } from "../../process-state.js";
import type { Runtime } from "../../runtime.js";

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
const routes = processState("number-routes", () => new ExpiringMap<string, NumberRoute>(10_000));

/** The organization (and its default queue) that connected this business number, or undefined. */
export async function routeOfNumber(runtime: Runtime, phoneNumberId: string): Promise<NumberRoute | undefined> {
  const cache = runtime.state.get(routes);
  const hit = cache.get(phoneNumberId);
  if (hit) return hit;
  const route = await runtime.prisma.whatsAppNumber.findUnique({ where: { phoneNumberId }, select: { id: true, organizationId: true, defaultQueueId: true } });
  if (!route) return undefined;
  cache.set(phoneNumberId, route, TTL_MS);
  return route;
}
