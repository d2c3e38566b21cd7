import { notFound } from "../errors.js";
import type { ServiceContext } from "../service-context.js";
import { inboxOf, type Inbox } from "./inbox.js";

/** What the feed yields: a notification to show (again). The resolver reads the row. */
export interface FeedItem {
  id: string;
}

const BACKLOG_PAGE = 500;
const REMEMBERED = 10_000;

/**
 * The caller's notifications as they happen, after replaying what they missed.
 *
 * Order of work: subscribe to the user's topic first (resolves once live), then read
 * the backlog — every notification of the user with seq greater than `after`'s, in
 * seq order — then the live events. Nothing is lost in between, and the overlap is
 * dropped by one rule: a notification is yielded again only if its `updatedAt`
 * changed since it was last yielded. So a live event for a row the backlog already
 * sent is skipped, and a coalesced update (count + 1, new preview) is yielded again
 * for the client to upsert by id.
 */
export async function* notificationFeed(ctx: ServiceContext, after?: string | null): AsyncGenerator<FeedItem> {
  const inbox = inboxOf(ctx);
  const live = await ctx.runtime.pubsub.subscribe("notificationAdded", inbox.userId);
  const yielded = new Map<string, number>();
  const remember = (row: { id: string; updatedAt: Date }) => {
    yielded.delete(row.id);
    yielded.set(row.id, row.updatedAt.getTime());
    if (yielded.size > REMEMBERED) yielded.delete(yielded.keys().next().value!);
  };
  try {
    if (after) {
      let seq = await anchorSeq(inbox, after);
      for (;;) {
        const page = await inbox.db.notification.findMany({
          where: { userId: inbox.userId, seq: { gt: seq } },
          orderBy: { seq: "asc" },
          take: BACKLOG_PAGE,
          select: { id: true, seq: true, updatedAt: true },
        });
        for (const row of page) {
          remember(row);
          yield { id: row.id };
        }
        if (page.length < BACKLOG_PAGE) break;
        seq = page[page.length - 1]!.seq;
      }
    }
    // Live events come from this user's own topic and carry updatedAt: no read needed
    // to drop repeats (the resolver still reads the row through the tenant filter).
    for await (const event of live) {
      if (yielded.get(event.notificationId) === event.updatedAt) continue;
      remember({ id: event.notificationId, updatedAt: new Date(event.updatedAt) });
      yield { id: event.notificationId };
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
