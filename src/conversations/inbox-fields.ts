import { builder } from "../schema/builder.js";
import { serviceContextOf } from "../schema/context.js";
import { databaseId } from "../schema/global-id.js";
import { muteConversation } from "./mute.js";
import { ConversationRef, MessageRef } from "./types.js";

// What an inbox row shows besides the contract's fields: the last message, how long the
// customer has waited, and whether the caller muted it.

const NO_USER = "00000000-0000-0000-0000-000000000000";

builder.prismaObjectFields(ConversationRef, (t) => ({
  lastMessage: t.field({
    type: MessageRef,
    nullable: true,
    description: "The conversation's latest message (either direction), or null when it has none.",
    select: (_args, _ctx, nestedSelection) => ({
      messages: nestedSelection({ take: 1, orderBy: [{ createdAt: "desc" }, { id: "desc" }] }),
    }),
    resolve: (conversation) => conversation.messages[0] ?? null,
  }),
  waitingSince: t.expose("awaitingReplySince", {
    type: "DateTime",
    nullable: true,
    description: "When the oldest customer message still awaiting an agent's reply arrived; null when nobody is waiting.",
  }),
  mutedUntil: t.field({
    type: "DateTime",
    nullable: true,
    description: "Until when the caller muted this conversation (no NEW_MESSAGE notifications to them); null when not muted.",
    // Selected before any scope check runs (node() is public): an anonymous caller has no mute.
    select: (_args, ctx) => ({ mutes: { where: { userId: ctx.viewer?.userId ?? NO_USER, until: { gt: new Date() } }, select: { until: true } } }),
    resolve: (conversation) => conversation.mutes[0]?.until ?? null,
  }),
}));

builder.mutationField("muteConversation", (t) =>
  t.prismaField({
    type: ConversationRef,
    description:
      "Mutes the conversation for the caller until `until` (at most a year ahead): no NEW_MESSAGE notifications to them, in-app included. " +
      "`until: null` (or a past time) unmutes. Any signed-in user. Errors: NOT_FOUND (conversation), BAD_USER_INPUT (`until` too far).",
    authScopes: { loggedIn: true },
    args: {
      id: t.arg.globalID({ for: ConversationRef, required: true, description: "The conversation to mute." }),
      until: t.arg({ type: "DateTime", required: false, description: "When the mute ends; null unmutes." }),
    },
    resolve: async (query, _root, args, ctx) => {
      const id = databaseId(args.id, "id");
      await muteConversation(serviceContextOf(ctx), { conversationId: id, until: args.until ?? null });
      return ctx.db.conversation.findUniqueOrThrow({ ...query, where: { id } });
    },
  }),
);
