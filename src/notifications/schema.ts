import { builder } from "../schema/builder.js";
import { viewerOf } from "../schema/context.js";
import { countUnread } from "./inbox.js";

builder.queryField("unreadNotificationCount", (t) =>
  t.int({
    authScopes: { loggedIn: true },
    resolve: (_root, _args, ctx) => countUnread(ctx.db, viewerOf(ctx).userId),
  }),
);

builder.subscriptionField("unreadNotificationCountChanged", (t) =>
  t.int({
    description: "The caller's unread count: the current value first, then every change.",
    authScopes: { loggedIn: true },
    subscribe: async function* (_root, _args, ctx) {
      const userId = viewerOf(ctx).userId;
      // Subscribe before reading, so a change between the two is not missed.
      const changes = await ctx.runtime.pubsub.subscribe("unreadNotificationCountChanged", userId);
      try {
        yield await countUnread(ctx.db, userId);
        for await (const change of changes) yield change.count;
      } finally {
        await changes.return?.();
      }
    },
    resolve: (count: number) => count,
  }),
);
