import { UserRef } from "../organizations/schema.js";
import { builder } from "../schema/builder.js";
import { batchPerRequest } from "../schema/batch.js";
import { viewerOf } from "../schema/context.js";
import { filterEvents } from "../conversations/filter-events.js";
import { presenceOf } from "./index.js";

// The users of one request whose `online` is asked, looked up together (a page of 50
// teammates is one Redis round trip, not 50).
const onlineOf = batchPerRequest<string, boolean>(async (ctx, userIds) => {
  const online = await presenceOf(ctx.runtime).onlineAmong(ctx.viewer!.organizationId, userIds);
  return new Map(userIds.map((id) => [id, online.has(id)]));
});

builder.prismaObjectFields(UserRef, (t) => ({
  online: t.boolean({
    description: "Whether the user has an open WebSocket on any instance now (a crashed instance's sockets stop counting within a minute).",
    resolve: async (user, _args, ctx) => (ctx.viewer ? ((await onlineOf(ctx, user.id)) ?? false) : false),
  }),
}));

builder.subscriptionField("presenceChanged", (t) =>
  t.prismaField({
    type: UserRef,
    description:
      "A user of the caller's organization came online (first socket opened) or went offline (last socket closed, or its instance stopped answering); read `online`. " +
      "Any signed-in user (API keys cannot subscribe). Errors: UNAUTHENTICATED (the socket is closed).",
    authScopes: { loggedIn: true },
    subscribe: async (_root, _args, ctx) => {
      const viewer = viewerOf(ctx);
      const events = await ctx.runtime.pubsub.subscribe("presenceChanged", viewer.organizationId);
      return filterEvents(events, () => true);
    },
    resolve: (query, event, _args, ctx) => ctx.db.user.findUniqueOrThrow({ ...query, where: { id: event.userId } }),
  }),
);
