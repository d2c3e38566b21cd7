import { processState } from "../../process-state.js";

// Webhooks answered whose publishing still runs, at most: past it, the next webhook
// publishes before answering, so a burst cannot pile up work nobody waits for.
const MAX_TRAILING = 64;

/**
 * The publishing that follows a webhook's 200 (frames, unread counts, a large fan-out's
 * second phase). Meta waits for the commit only: a webhook's answer costs its
 * transaction, not the realtime work it causes. The app's stop() drains it before the
 * job queue, the bus and the database close (closing the runtime's state drains it too).
 */
export class TrailingPublishes {
  readonly #running = new Set<Promise<void>>();

  /** False when MAX_TRAILING already run: the caller awaits `published` itself. */
  tryAdopt(published: Promise<void>): boolean {
    if (this.#running.size >= MAX_TRAILING) return false;
    this.#running.add(published);
    void published.finally(() => this.#running.delete(published));
    return true;
  }

  async drain(): Promise<void> {
    while (this.#running.size > 0) await Promise.allSettled([...this.#running]);
  }
}

export const trailingPublishes = processState(
  "webhook-trailing-publishes",
  () => new TrailingPublishes(),
  (trailing) => trailing.drain(),
);
