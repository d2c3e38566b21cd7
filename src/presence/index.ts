import type { Runtime } from "../runtime.js";
import { createPresence, type Presence } from "./tracker.js";

// One tracker per runtime (per process), made on first use: the WebSocket server reports
// sockets to it, resolvers ask it. Kept beside the runtime rather than in it.
const trackers = new WeakMap<PresenceRuntime, Presence>();

/** What presence needs of the runtime (resolvers see it without Prisma). */
type PresenceRuntime = Pick<Runtime, "config" | "pubsub" | "log">;

/** This process's presence tracker. */
export function presenceOf(runtime: PresenceRuntime): Presence {
  let presence = trackers.get(runtime);
  if (!presence) trackers.set(runtime, (presence = createPresence(runtime.pubsub, runtime.log, runtime.config.REDIS_URL)));
  return presence;
}

/** What a stopped process reports to: sockets closing late change nothing. */
const stopped: Presence = {
  connected: async () => {},
  disconnected: async () => {},
  onlineAmong: async () => new Set(),
  close: async () => {},
};

/** Releases this process's presence (its users go offline) — after its sockets closed, before pubsub closes. */
export async function closePresence(runtime: PresenceRuntime): Promise<void> {
  const presence = trackers.get(runtime);
  trackers.set(runtime, stopped);
  await presence?.close();
}
