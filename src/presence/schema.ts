import { UserRef } from "../organizations/schema.js";
import { builder } from "../schema/builder.js";
import type { Context } from "../schema/context.js";
import { viewerOf } from "../schema/context.js";
import { filterEvents } from "../conversations/filter-events.js";
import { presenceOf } from "./index.js";

// The users of one request whose `online` is asked, gathered for one lookup (a page of
// 50 teammates is one Redis round trip, not 50).
const pending = new WeakMap<Context, { organizationId: string; userIds: Set<string>; result: Promise<Set<string>> }>();

function isOnline(ctx: Context, organizationId: string, userId: string): Promise<boolean> {
  let batch = pending.get(ctx);
  if (!batch || batch.organizationId !== organizationId) {
    const userIds = new Set<string>();
    const result = new Promise<Set<string>>((resolve, reject) => {
      // After the current turn, when every `online` of the page has joined the batch.
      setImmediate(() => {
        pending.delete(ctx);
        presenceOf(ctx.runtime).onlineAmong(organizationId, [...userIds]).then(resolve, reject);
      });
    });
    batch = { organizationId, userIds, result };
    pending.set(ctx, batch);
  }
  batch.userIds.add(userId);
  return batch.result.then((online) => online.has(userId));
}

builder.prismaObjectFields(UserRef, (t) => ({
  online: t.boolean({
    description: "Whether the user has an open WebSocket on any instance now (a crashed instance's sockets stop counting within a minute).",
    select: { organizationId: true },
    resolve: (user, _args, ctx) => isOnline(ctx, user.organizationId, user.id),
  }),
}));

builder.subscriptionField("presenceChanged", (t) =>
  t.prismaField({
    type: UserRef,
    description:
      "A user of the caller's organization came online (first socket opened) or went offline (last socket closed, or its instance stopped answering); read `online`. " +
      "Any signed-in user.",
    authScopes: { loggedIn: true },
    subscribe: async (_root, _args, ctx) => {
      const viewer = viewerOf(ctx);
      const events = await ctx.runtime.pubsub.subscribe("presenceChanged", viewer.organizationId);
      return filterEvents(events, () => true);
    },
    resolve: (query, event, _args, ctx) => ctx.db.user.findUniqueOrThrow({ ...query, where: { id: event.userId } }),
  }),
);
