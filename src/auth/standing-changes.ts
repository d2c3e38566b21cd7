import type { Topics } from "../pubsub/index.js";
import type { Runtime } from "../runtime.js";
import { forgetStanding } from "./standing.js";

export type StandingChange = Topics["standingChanged"];

const EVERY_INSTANCE = "all";

/**
 * Tells every instance (through Redis when configured) that these users — or every
 * user of `organizationId` — no longer stand as their tokens say: deactivated, role
 * changed, organization suspended. Call it after the change committed.
 */
export async function announceStandingChange(runtime: Pick<Runtime, "state" | "pubsub">, change: StandingChange): Promise<void> {
  // This instance forgets at once, even if the publish is lost.
  forgetStanding(runtime, change.organizationId ? "all" : change.userIds);
  await runtime.pubsub.publish("standingChanged", EVERY_INSTANCE, change);
}

/**
 * Listens for standing changes announced by any instance: forgets the cached standing
 * and calls `onChange` (which closes the affected sockets). Returns a stop function.
 */
export async function watchStandingChanges(
  runtime: Pick<Runtime, "state" | "pubsub" | "log">,
  onChange: (change: StandingChange) => void,
): Promise<() => Promise<void>> {
  const changes = await runtime.pubsub.subscribe("standingChanged", EVERY_INSTANCE);
  void (async () => {
    for await (const change of changes) {
      try {
        forgetStanding(runtime, change.organizationId ? "all" : change.userIds);
        onChange(change);
      } catch (error) {
        runtime.log.warn({ err: (error as Error).message }, "standing change not applied");
      }
    }
  })().catch((error: unknown) => runtime.log.error({ err: (error as Error).message }, "standing changes no longer heard"));
  return async () => {
    await changes.return?.();
  };
}
