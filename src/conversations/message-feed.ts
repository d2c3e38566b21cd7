import { z } from "zod";
import type { Prisma, PrismaClient } from "../db/client.js";
import { invalidInput, notFound } from "../errors.js";
import type { PubSub } from "../pubsub/index.js";

const BACKLOG_PAGE = 500;
const REMEMBERED = 10_000;

export interface MessageFeedOptions {
  organizationId: string;
  /** One conversation's messages; every conversation of the organization when absent. */
  conversationId?: string;
  /** A message (see messageAnchor): replay every later message (by createdAt, then id) before going live. */
  after?: { id: string; createdAt: Date } | null;
}

/**
 * `messageAdded`, with the same contract as `notificationAdded(after:)`: subscribe to the
 * organization's topic first (resolves once live), then replay from the database every
 * message after `after` in order, then the live events — skipping any the replay already
 * yielded, so nothing is lost in between and nothing comes twice. Yields message ids;
 * the resolver reads the row through the tenant filter. `db` is the caller's scoped client.
 */
export async function* messageFeed(pubsub: PubSub, db: PrismaClient, options: MessageFeedOptions): AsyncGenerator<{ messageId: string }> {
  const live = await pubsub.subscribe("messageAdded", options.organizationId);
  const yielded = new Set<string>();
  const remember = (id: string) => {
    yielded.add(id);
    if (yielded.size > REMEMBERED) yielded.delete(yielded.values().next().value!);
  };
  try {
    if (options.after) {
      let anchor = options.after;
      for (;;) {
        const where: Prisma.MessageWhereInput = {
          ...(options.conversationId ? { conversationId: options.conversationId } : {}),
          OR: [{ createdAt: { gt: anchor.createdAt } }, { createdAt: anchor.createdAt, id: { gt: anchor.id } }],
        };
        const page = await db.message.findMany({
          where,
          orderBy: [{ createdAt: "asc" }, { id: "asc" }],
          take: BACKLOG_PAGE,
          select: { id: true, createdAt: true },
        });
        for (const row of page) {
          remember(row.id);
          yield { messageId: row.id };
        }
        if (page.length < BACKLOG_PAGE) break;
        anchor = page[page.length - 1]!;
      }
    }
    for await (const event of live) {
      if (options.conversationId && event.conversationId !== options.conversationId) continue;
      if (yielded.has(event.messageId)) continue;
      remember(event.messageId);
      yield { messageId: event.messageId };
    }
  } finally {
    await live.return?.();
  }
}

/** The message `after` names, in the conversation when one is given (NOT_FOUND otherwise; BAD_USER_INPUT when no uuid). */
export async function messageAnchor(db: PrismaClient, after: string, conversationId: string | undefined): Promise<{ id: string; createdAt: Date }> {
  if (!z.string().uuid().safeParse(after).success) throw invalidInput("after", "not a message id");
  const anchor = await db.message.findFirst({ where: { id: after, ...(conversationId ? { conversationId } : {}) }, select: { id: true, createdAt: true } });
  if (!anchor) throw notFound("message");
  return anchor;
}
