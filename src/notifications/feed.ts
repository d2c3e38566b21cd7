import type { Notification } from "../db/client.js";
import { notFound } from "../errors.js";
import type { ServiceContext } from "../service-context.js";
import { rowOfSnapshot } from "./frame.js";
import { inboxOf, type Inbox } from "./inbox.js";

/**
 * What the feed yields: a notification to show (again), with its row as committed —
 * from the event or the backlog — or null when the event was too large to carry it
 * (the resolver then reads it).
 */
export interface FeedItem {
  id: string;
  row: Notification | null;
}

const BACKLOG_PAGE = 500;
const REMEMBERED = 10_000;

/**
 * The caller's notifications as they happen, after replaying what they missed.
 *
 * Order of work: subscribe to the user's topic first (resolves once live), then read
 * the backlog — every notification of the user with seq greater than `after`'s, in
 * seq order — then the live events. Nothing is lost in between, and the overlap is
 * dropped by one rule: a notification is yielded again only if its `count` grew since
 * it was last yielded (coalescing is the only change that publishes, and it adds one
 * under a lock). So a live event for a row the backlog already sent is skipped, a
 * coalesced update is yielded again for the client to upsert by id, and an older
 * update overtaken by a newer one on the way is never shown after it.
 */
export async function* notificationFeed(ctx: ServiceContext, after?: string | null): AsyncGenerator<FeedItem> {
  const inbox = inboxOf(ctx);
  const live = await ctx.runtime.pubsub.subscribe("notificationAdded", inbox.userId);
  const yielded = new Map<string, number>();
  const remember = (id: string, count: number) => {
    yielded.delete(id);
    yielded.set(id, count);
    if (yielded.size > REMEMBERED) yielded.delete(yielded.keys().next().value!);
  };
  try {
    if (after) {
      let seq = await anchorSeq(inbox, after);
      for (;;) {
        // Whole rows, once: the frames show them without another read.
        const page = await inbox.db.notification.findMany({ where: { userId: inbox.userId, seq: { gt: seq } }, orderBy: { seq: "asc" }, take: BACKLOG_PAGE });
        for (const row of page) {
          remember(row.id, row.count);
          yield { id: row.id, row };
        }
        if (page.length < BACKLOG_PAGE) break;
        seq = page[page.length - 1]!.seq;
      }
    }
    // Live events come from this user's own topic and carry the row as committed.
    for await (const event of live) {
      if ((yielded.get(event.notificationId) ?? 0) >= event.count) continue;
      remember(event.notificationId, event.count);
      yield { id: event.notificationId, row: event.notification ? rowOfSnapshot(event.notification) : null };
    }
  } finally {
    await live.return?.();
  }
}

async function anchorSeq(inbox: Inbox, after: string): Promise<bigint> {
  const anchor = await inbox.db.notification.findFirst({ where: { id: after, userId: inbox.userId }, select: { seq: true } });
  if (!anchor) throw notFound("Notification");
  return anchor.seq;
}
