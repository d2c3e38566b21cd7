import { builder } from "../schema/builder.js";
import { serviceContextOf, viewerOf } from "../schema/context.js";
import { ConversationStatusEnum } from "../schema/enums.js";
import { invalidInput, notFound } from "../errors.js";
import { handOverConversation } from "./hand-over.js";
import { messageAnchor, messageFeed } from "./message-feed.js";
import { loadMessageFrame } from "./message-frame-loader.js";
import type { Message } from "../db/client.js";
import { inboxWhere, MAX_SEARCH_LENGTH, searchConversationIds } from "./search.js";
import { QueueRef } from "../queues/schema.js";
import { markConversationRead } from "./mark-read.js";
import { databaseId } from "../schema/global-id.js";
import { resolveConversation } from "./resolve.js";
import { UserRef } from "../organizations/schema.js";
import { ConversationRef, MessageRef } from "./types.js";
import { assertIdCursors } from "../schema/cursors.js";

// Every read goes through ctx.db (scoped to the caller's organization): another
// organization's conversation is simply not there, hence NOT_FOUND.

builder.queryField("conversations", (t) =>
  t.prismaConnection({
    type: ConversationRef,
    cursor: "id",
    description:
      "The caller's organization's conversations, most recent activity first. Every filter given must hold (AND): " +
      "`unassigned: true` with `assigneeId` is simply empty. Any signed-in user, viewers included, and API keys with CONVERSATIONS_READ (`assignedToMe` is then BAD_USER_INPUT). " +
      "Errors: BAD_USER_INPUT (malformed id or search).",
    authScopes: { loggedIn: true, apiKey: "CONVERSATIONS_READ" },
    args: {
      status: t.arg({ type: ConversationStatusEnum, required: false, description: "Only conversations in this status." }),
      assignedToMe: t.arg.boolean({ required: false, description: "Only conversations assigned to the caller." }),
      queueId: t.arg.globalID({ for: QueueRef, required: false, description: "Only conversations of this queue." }),
      assigneeId: t.arg.globalID({ for: UserRef, required: false, description: "Only conversations assigned to this user." }),
      unassigned: t.arg.boolean({ required: false, description: "true: only conversations nobody is assigned to; false: only assigned ones." }),
      search: t.arg.string({
        required: false,
        description: `Contact name (accents and case ignored), phone digits in any format, or words of the messages (Portuguese full-text search); 1–${MAX_SEARCH_LENGTH} characters.`,
      }),
    },
    resolve: async (query, _root, args, ctx) => {
      assertIdCursors(args);
      const organizationId = ctx.actor!.organizationId;
      const filter = {
        ...(args.status ? { status: args.status } : {}),
        ...(args.queueId ? { queueId: databaseId(args.queueId, "queueId") } : {}),
        ...(args.assigneeId ? { assigneeId: databaseId(args.assigneeId, "assigneeId") } : {}),
        ...(args.unassigned != null ? { unassigned: args.unassigned } : {}),
        ...(args.assignedToMe ? { assignedTo: assignedToMeOf(ctx) } : {}),
      };
      const orderBy = [{ lastMessageAt: { sort: "desc", nulls: "last" } }, { id: "desc" }] as const;
      if (args.search == null) {
        return ctx.db.conversation.findMany({
          ...query,
          where: { ...inboxWhere(filter), ...(filter.assignedTo ? { assigneeId: filter.assignedTo } : {}) },
          orderBy: [...orderBy],
        });
      }
      // A search pages inside its SQL (keyset): the page's ids, then their rows.
      const { cursor, skip: _skip, take, ...rest } = query;
      const ids = await searchConversationIds(
        ctx.db,
        organizationId,
        { ...filter, search: args.search },
        {
          ...(cursor?.id ? { afterId: cursor.id } : {}),
          take: take ?? 21,
        },
      );
      return ctx.db.conversation.findMany({ ...rest, where: { id: { in: ids } }, orderBy: [...orderBy] });
    },
  }),
);

builder.queryField("conversation", (t) =>
  t.prismaField({
    type: ConversationRef,
    description:
      "One conversation of the caller's organization, by id — the conversation screen, and the target of `/conversations/:id` links in emails and Slack. " +
      "Any signed-in user, and API keys with CONVERSATIONS_READ. Errors: UNAUTHENTICATED; NOT_FOUND (no such conversation in the caller's organization); BAD_USER_INPUT (not a Conversation id).",
    authScopes: { loggedIn: true, apiKey: "CONVERSATIONS_READ" },
    args: { id: t.arg.globalID({ for: ConversationRef, required: true, description: "The conversation's global id (`Conversation.id`)." }) },
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
    description:
      "Assigns the conversation to an active agent or admin of the organization, or unassigns it (`userId: null`). " +
      "Notifies the new assignee and the previous one (CONVERSATION_ASSIGNED), is audited, and publishes conversationUpdated. " +
      "Agents and admins. Errors: FORBIDDEN (viewers), NOT_FOUND (conversation or user), BAD_USER_INPUT.",
    authScopes: { agent: true },
    args: {
      conversationId: t.arg.globalID({ for: ConversationRef, required: true, description: "The conversation to hand over." }),
      userId: t.arg.globalID({ for: UserRef, required: false, description: "The new assignee; null (or absent) unassigns." }),
    },
    resolve: async (query, _root, args, ctx) => {
      const conversation = await handOverConversation(serviceContextOf(ctx), {
        conversationId: databaseId(args.conversationId, "conversationId"),
        assigneeId: args.userId ? databaseId(args.userId, "userId") : null,
      });
      return ctx.db.conversation.findUniqueOrThrow({ ...query, where: { id: conversation.id } });
    },
  }),
);

builder.mutationField("resolveConversation", (t) =>
  t.prismaField({
    type: ConversationRef,
    description:
      "Closes the conversation (status RESOLVED) and publishes `conversationUpdated`; resolving a resolved one changes nothing. The customer's next message reopens it. " +
      "Agents and admins. Errors: UNAUTHENTICATED; FORBIDDEN (viewers); NOT_FOUND; BAD_USER_INPUT (not a Conversation id).",
    authScopes: { agent: true },
    args: { id: t.arg.globalID({ for: ConversationRef, required: true, description: "The conversation to resolve." }) },
    resolve: async (query, _root, args, ctx) => {
      const conversation = await resolveConversation(serviceContextOf(ctx), databaseId(args.id, "id"));
      return ctx.db.conversation.findUniqueOrThrow({ ...query, where: { id: conversation.id } });
    },
  }),
);

builder.mutationField("markConversationRead", (t) =>
  t.prismaField({
    type: ConversationRef,
    description:
      "Resets the conversation's `unreadCount` to 0 (publishing `conversationUpdated` when it was not). Call it when an agent opens the conversation. " +
      "Agents and admins. Errors: UNAUTHENTICATED; FORBIDDEN (viewers); NOT_FOUND; BAD_USER_INPUT (not a Conversation id).",
    authScopes: { agent: true },
    args: { id: t.arg.globalID({ for: ConversationRef, required: true, description: "The conversation read." }) },
    resolve: async (query, _root, args, ctx) => {
      const conversation = await markConversationRead(serviceContextOf(ctx), databaseId(args.id, "id"));
      return ctx.db.conversation.findUniqueOrThrow({ ...query, where: { id: conversation.id } });
    },
  }),
);

builder.subscriptionField("messageAdded", (t) =>
  t.prismaField({
    type: MessageRef,
    description:
      "New messages of one conversation, or of every conversation of the caller's organization when no id is given. " +
      "With `after` (a message id), first replays every later message in order, then goes live without duplicates — " +
      "a client that reconnects passes the last id it saw. Any signed-in user. Errors: NOT_FOUND (conversation or `after`), BAD_USER_INPUT.",
    authScopes: { loggedIn: true },
    args: {
      conversationId: t.arg.globalID({ for: ConversationRef, required: false, description: "Only this conversation's messages." }),
      after: t.arg.globalID({ for: MessageRef, required: false, description: "The last message the client saw: replay what came after it." }),
    },
    // Not a generator: a bad or foreign id must fail the subscription up front.
    subscribe: async (_root, args, ctx) => {
      const conversationId = args.conversationId ? databaseId(args.conversationId, "conversationId") : undefined;
      if (conversationId && !(await ctx.db.conversation.findUnique({ where: { id: conversationId }, select: { id: true } }))) {
        throw notFound("conversation");
      }
      const after = args.after ? await messageAnchor(ctx.db, databaseId(args.after, "after"), conversationId) : null;
      return messageFeed(ctx.runtime.pubsub, ctx.db, { organizationId: viewerOf(ctx).organizationId, ...(conversationId ? { conversationId } : {}), after });
    },
    // One read per message for all of the organization's subscribers (of one selection), through the tenant filter.
    resolve: async (query, event, _args, ctx) =>
      (await loadMessageFrame(ctx.runtime.state, { organizationId: viewerOf(ctx).organizationId, db: ctx.db }, event.messageId, query)) as unknown as Message,
  }),
);

builder.subscriptionField("conversationUpdated", (t) =>
  t.prismaField({
    type: ConversationRef,
    description:
      "A conversation of the caller's organization changed (new message, assignment, queue move, resolution, read): its current state. " +
      "Any signed-in user. Errors: UNAUTHENTICATED (the socket is closed at connect).",
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
