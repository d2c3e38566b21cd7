import { Prisma, Role, type Notification, type PrismaClient } from "../db/client.js";
import { notFound } from "../errors.js";
import { createTurnBatcher } from "../db/turn-batch.js";
import { processState } from "../process-state.js";
import type { ServiceContext } from "../service-context.js";
import type { FrameQuery } from "./frame-query.js";
import { FOLLOWED_BY_KEY, loadRelatedRow } from "./frame-relations.js";

type Row = Record<string, unknown> & { id: string; userId: string };

// An alert to 1,000 admins wakes 1,000 subscriptions at once, each wanting its own row:
// one query per batch instead of one per frame.
const loaders = processState("notification-frame-loader", () =>
  createTurnBatcher<{ prisma: PrismaClient; query: FrameQuery }, Row>(async ({ prisma, query }, ids) => {
    const shape = query.select ? { select: { ...query.select, id: true, userId: true } } : query;
    return (await prisma.notification.findMany({ ...shape, where: { id: { in: ids } } })) as unknown as Row[];
  }),
);

/**
 * The notification a `notificationAdded` frame shows. The feed hands over the row as
 * committed (from the event, or the backlog's read), so a selection of its own columns
 * costs no read; relations are loaded, batched across subscribers, on top of it — the
 * conversation and the alert by the row's own foreign keys (one row for all the frames
 * about them), others (deliveries) through the notification; a row the event could not
 * carry is loaded whole. Only the row's owner gets it (the topic is theirs already;
 * checked again here, with the organization).
 */
export async function notificationFrame(ctx: ServiceContext, item: { id: string; row: Notification | null }, query: FrameQuery): Promise<Notification> {
  if (!item.row) return loadNotificationFrame(ctx, item.id, query);
  const { row } = item;
  const { actor } = ctx;
  const sameOrganization = row.organizationId === actor.organizationId || actor.role === Role.SUPER_ADMIN;
  if (row.userId !== actor.userId || !sameOrganization) throw notFound("Notification");
  const relations = relationsOf(query);
  if (!relations) return row;
  const frame: Record<string, unknown> = { ...row };
  const others: Record<string, unknown> = {};
  const followed: Array<Promise<void>> = [];
  for (const [name, selection] of Object.entries(relations)) {
    const relation = FOLLOWED_BY_KEY[name as keyof typeof FOLLOWED_BY_KEY];
    if (!relation) {
      others[name] = selection;
      continue;
    }
    const id = row[relation.key];
    if (id === null) frame[name] = null;
    else
      followed.push(
        loadRelatedRow(ctx.runtime.state, ctx.runtime.prisma, relation.model, id, selection as Parameters<typeof loadRelatedRow>[4]).then((related) => {
          frame[name] = related;
        }),
      );
  }
  if (Object.keys(others).length > 0) {
    followed.push(
      loadNotificationFrame(ctx, row.id, { select: others }).then((loaded) => {
        for (const key of Object.keys(others)) frame[key] = (loaded as unknown as Record<string, unknown>)[key];
      }),
    );
  }
  await Promise.all(followed);
  return frame as unknown as Notification;
}

const SCALARS = new Set<string>(Object.values(Prisma.NotificationScalarFieldEnum));

/** The relations a Pothos selection asks for (include, or select's non-columns), or null for none. */
function relationsOf(query: FrameQuery): Record<string, unknown> | null {
  const asked = query.include ?? query.select ?? {};
  const relations = Object.entries(asked).filter(([key, value]) => value && !SCALARS.has(key));
  return relations.length === 0 ? null : Object.fromEntries(relations);
}

/**
 * Loads the notification a `notificationAdded` frame shows, batching the loads of
 * one event-loop turn into one query per selection shape. Rows are read by id and
 * handed only to their owner: a row whose userId is not the subscriber's is
 * NOT_FOUND — a stricter check than the organization filter, done here because
 * one batch serves many subscribers.
 */
export async function loadNotificationFrame({ runtime, actor }: ServiceContext, id: string, query: FrameQuery): Promise<Notification> {
  // Crosses tenants on purpose: one batch serves the subscribers of every organization,
  // and each row is handed only to its owner (checked by userId below).
  const load = runtime.state.get(loaders);
  const row = await load(JSON.stringify(query), { prisma: runtime.prisma, query }, id);
  if (!row || row.userId !== actor.userId) throw notFound("Notification");
  // The row holds the selection Pothos asked for (`query`), which is all it reads.
  return row as unknown as Notification;
}
