import { builder } from "../schema/builder.js";
import { batchPerRequest } from "../schema/batch.js";
import { unreadCountsFor } from "./unread.js";

/** Each conversation's unread count for the caller, one query per page. */
const unreadOf = batchPerRequest<string, number>((ctx, ids) => unreadCountsFor(ctx.db, ctx.viewer!.userId, ids));
import { ConversationStatusEnum, MessageDirectionEnum, MessageStatusEnum, MessageTypeEnum } from "../schema/enums.js";
import { assertIdCursors } from "../schema/cursors.js";

export const ContactRef = builder.prismaNode("Contact", {
  id: { field: "id" },
  fields: (t) => ({
    name: t.exposeString("name", { nullable: true }),
    phone: t.exposeString("phone", { nullable: true, description: "E.164 digits as WhatsApp reports them; null when Meta hides the number." }),
    messageCount: t.exposeInt("messageCount"),
    lastMessageAt: t.expose("lastMessageAt", { type: "DateTime", nullable: true }),
  }),
});

export const ConversationRef = builder.prismaNode("Conversation", {
  id: { field: "id" },
  fields: (t) => ({
    number: t.exposeInt("number", { description: "Sequential per organization (the ticket number)." }),
    status: t.expose("status", { type: ConversationStatusEnum }),
    contact: t.relation("contact"),
    assignee: t.relation("assignee", { nullable: true }),
    lastMessageAt: t.expose("lastMessageAt", { type: "DateTime", nullable: true }),
    unreadCount: t.int({
      description: "Customer messages the caller has not read: those after their last markConversationRead; until they first read it, the team's count (reset by anyone's read).",
      select: { unreadCount: true },
      resolve: async (conversation, _args, ctx) => (ctx.viewer ? ((await unreadOf(ctx, conversation.id)) ?? conversation.unreadCount) : conversation.unreadCount),
    }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    messages: t.relatedConnection("messages", {
      cursor: "id",
      description: "Oldest first.",
      query: (args) => {
        assertIdCursors(args);
        return { orderBy: [{ createdAt: "asc" }, { id: "asc" }] };
      },
    }),
  }),
});

export const MessageRef = builder.prismaNode("Message", {
  id: { field: "id" },
  fields: (t) => ({
    direction: t.expose("direction", { type: MessageDirectionEnum }),
    type: t.expose("type", { type: MessageTypeEnum }),
    text: t.exposeString("text", { nullable: true }),
    status: t.expose("status", { type: MessageStatusEnum }),
    externalId: t.exposeString("externalId", { nullable: true, description: "WhatsApp message id (wamid)." }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    conversation: t.relation("conversation"),
  }),
});
