import { builder } from "../schema/builder.js";
import { serviceContextOf, viewerOf } from "../schema/context.js";
import { ConversationStatusEnum } from "../schema/enums.js";
import { invalidInput, notFound } from "../errors.js";
import { assignConversation } from "./assign.js";
import { markConversationRead } from "./mark-read.js";
import { databaseId } from "../schema/global-id.js";
import { resolveConversation } from "./resolve.js";
import { UserRef } from "../organizations/schema.js";
import { filterEvents } from "./filter-events.js";
import { ConversationRef, MessageRef } from "./types.js";
import { assertIdCursors } from "../schema/cursors.js";

// Every read goes through ctx.db (scoped to the caller's organization): another
// organization's conversation is simply not there, hence NOT_FOUND.

builder.queryField("conversations", (t) =>
  t.prismaConnection({
    type: ConversationRef,
    cursor: "id",
    description:
      "The caller's organization's conversations, most recent activity first. People, and API keys with CONVERSATIONS_READ (`assignedToMe` is then BAD_USER_INPUT).",
    authScopes: { loggedIn: true, apiKey: "CONVERSATIONS_READ" },
    args: {
      status: t.arg({ type: ConversationStatusEnum, required: false }),
      assignedToMe: t.arg.boolean({ required: false }),
    },
    resolve: (query, _root, args, ctx) => {
      assertIdCursors(args);
      return ctx.db.conversation.findMany({
        ...query,
        where: {
          ...(args.status ? { status: args.status } : {}),
          ...(args.assignedToMe ? { assigneeId: assignedToMeOf(ctx) } : {}),
        },
        orderBy: [{ lastMessageAt: { sort: "desc", nulls: "last" } }, { id: "desc" }],
      });
    },
  }),
);

builder.queryField("conversation", (t) =>
  t.prismaField({
    type: ConversationRef,
    description: "One conversation of the caller's organization (NOT_FOUND otherwise). People, and API keys with CONVERSATIONS_READ.",
    authScopes: { loggedIn: true, apiKey: "CONVERSATIONS_READ" },
    args: { id: t.arg.globalID({ for: ConversationRef, required: true }) },
    resolve: async (query, _root, args, ctx) => {
      const conversation = await ctx.db.conversation.findUnique({ ...query, where: { id: databaseId(args.id, "id") } });
      if (!conversation) throw notFound("conversation");
      return conversation;
    },
  }),
);

builder.mutationField("assignConversation", (t) =>
  t.prismaField({
    type: ConversationRef,
    description: "Assigns the conversation to an active agent or admin of the organization.",
    authScopes: { agent: true },
    args: {
      conversationId: t.arg.globalID({ for: ConversationRef, required: true }),
      userId: t.arg.globalID({ for: UserRef, required: true }),
    },
    resolve: async (query, _root, args, ctx) => {
      const conversation = await assignConversation(serviceContextOf(ctx), {
        conversationId: databaseId(args.conversationId, "conversationId"),
        userId: databaseId(args.userId, "userId"),
      });
      return ctx.db.conversation.findUniqueOrThrow({ ...query, where: { id: conversation.id } });
    },
  }),
);

builder.mutationField("resolveConversation", (t) =>
  t.prismaField({
    type: ConversationRef,
    description: "Closes the conversation (idempotent); the customer's next message reopens it.",
    authScopes: { agent: true },
    args: { id: t.arg.globalID({ for: ConversationRef, required: true }) },
    resolve: async (query, _root, args, ctx) => {
      const conversation = await resolveConversation(serviceContextOf(ctx), databaseId(args.id, "id"));
      return ctx.db.conversation.findUniqueOrThrow({ ...query, where: { id: conversation.id } });
    },
  }),
);

builder.mutationField("markConversationRead", (t) =>
  t.prismaField({
    type: ConversationRef,
    description: "Resets the conversation's unread count.",
    authScopes: { agent: true },
    args: { id: t.arg.globalID({ for: ConversationRef, required: true }) },
    resolve: async (query, _root, args, ctx) => {
      const conversation = await markConversationRead(serviceContextOf(ctx), databaseId(args.id, "id"));
      return ctx.db.conversation.findUniqueOrThrow({ ...query, where: { id: conversation.id } });
    },
  }),
);

builder.subscriptionField("messageAdded", (t) =>
  t.prismaField({
    type: MessageRef,
    description: "New messages of one conversation, or of every conversation of the caller's organization when no id is given.",
    authScopes: { loggedIn: true },
    args: { conversationId: t.arg.globalID({ for: ConversationRef, required: false }) },
    // Not a generator: a bad or foreign id must fail the subscription up front.
    subscribe: async (_root, args, ctx) => {
      const conversationId = args.conversationId ? databaseId(args.conversationId, "conversationId") : undefined;
      if (conversationId && !(await ctx.db.conversation.findUnique({ where: { id: conversationId }, select: { id: true } }))) {
        throw notFound("conversation");
      }
      const events = await ctx.runtime.pubsub.subscribe("messageAdded", viewerOf(ctx).organizationId);
      return filterEvents(events, (event) => !conversationId || event.conversationId === conversationId);
    },
    resolve: (query, event, _args, ctx) => ctx.db.message.findUniqueOrThrow({ ...query, where: { id: event.messageId } }),
  }),
);

builder.subscriptionField("conversationUpdated", (t) =>
  t.prismaField({
    type: ConversationRef,
    description: "A conversation of the caller's organization changed (new message, assignment, resolution, read).",
    authScopes: { loggedIn: true },
    subscribe: (_root, _args, ctx) => ctx.runtime.pubsub.subscribe("conversationUpdated", viewerOf(ctx).organizationId),
    resolve: (query, event, _args, ctx) => ctx.db.conversation.findUniqueOrThrow({ ...query, where: { id: event.conversationId } }),
  }),
);

/** `assignedToMe` names a person: an API key has no conversations of its own. */
function assignedToMeOf(ctx: Parameters<typeof viewerOf>[0]): string {
  if (!ctx.viewer) throw invalidInput("assignedToMe", "an API key is not a person");
  return ctx.viewer.userId;
}
