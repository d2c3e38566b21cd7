import { builder } from "../schema/builder.js";
import { batchPerRequest } from "../schema/batch.js";
import { unreadCountsFor } from "./unread.js";

/** Each conversation's unread count for the caller, one query per page. */
const unreadOf = batchPerRequest<string, number>((ctx, ids) => unreadCountsFor(ctx.db, ctx.viewer!.userId, ids));
import { ConversationStatusEnum, MessageDirectionEnum, MessageStatusEnum, MessageTypeEnum } from "../schema/enums.js";
import { assertIdCursors } from "../schema/cursors.js";

export const ContactRef = builder.prismaNode("Contact", {
  id: { field: "id" },
  description: "A customer who wrote to one of the organization's WhatsApp numbers.",
  fields: (t) => ({
    name: t.exposeString("name", { nullable: true, description: "The customer's WhatsApp profile name; null when they have none." }),
    phone: t.exposeString("phone", { nullable: true, description: "E.164 digits as WhatsApp reports them; null when Meta hides the number." }),
    messageCount: t.exposeInt("messageCount", { description: "Messages received from this contact, over all conversations." }),
    lastMessageAt: t.expose("lastMessageAt", {
      type: "DateTime",
      nullable: true,
      description: "When the contact last wrote; null before their first message.",
    }),
  }),
});

export const ConversationRef = builder.prismaNode("Conversation", {
  id: { field: "id" },
  description: "A customer's WhatsApp thread with the organization (a ticket). A customer's message after resolution reopens the latest one.",
  fields: (t) => ({
    number: t.exposeInt("number", { description: "Sequential per organization (the ticket number)." }),
    status: t.expose("status", { type: ConversationStatusEnum, description: "Open, pending or resolved." }),
    contact: t.relation("contact", { description: "The customer." }),
    assignee: t.relation("assignee", {
      nullable: true,
      description: "The agent responsible for it; null when unassigned (then its queue's agents, or the organization's, are notified).",
    }),
    lastMessageAt: t.expose("lastMessageAt", {
      type: "DateTime",
      nullable: true,
      description: "When the last message (either direction) was recorded; the inbox sorts by it.",
    }),
    unreadCount: t.int({
      description:
        "Customer messages the caller has not read: those after their last markConversationRead; until they first read it, the team's count (reset by anyone's read).",
      select: { unreadCount: true },
      resolve: async (conversation, _args, ctx) =>
        ctx.viewer ? ((await unreadOf(ctx, conversation.id)) ?? conversation.unreadCount) : conversation.unreadCount,
    }),
    createdAt: t.expose("createdAt", { type: "DateTime", description: "When the conversation was opened." }),
    messages: t.relatedConnection(
      "messages",
      {
        cursor: "id",
        description: "The conversation's messages, oldest first (page with `last`/`before` to start from the newest). A malformed cursor: BAD_USER_INPUT.",
        query: (args) => {
          assertIdCursors(args);
          return { orderBy: [{ createdAt: "asc" }, { id: "asc" }] };
        },
      },
      { description: "A page of a conversation's messages." },
      { description: "One message of a page, with its cursor." },
    ),
  }),
});

export const MessageRef = builder.prismaNode("Message", {
  id: { field: "id" },
  description: "One WhatsApp message of a conversation, from the customer or to them. Stored once per WhatsApp id, however often Meta delivers it.",
  fields: (t) => ({
    direction: t.expose("direction", { type: MessageDirectionEnum, description: "Inbound (from the customer) or outbound (to them)." }),
    type: t.expose("type", { type: MessageTypeEnum, description: "Text, media, location, reaction…" }),
    text: t.exposeString("text", { nullable: true, description: "The text, or a media message's caption; null when there is none." }),
    status: t.expose("status", { type: MessageStatusEnum, description: "RECEIVED for inbound messages; the delivery progress for outbound ones." }),
    externalId: t.exposeString("externalId", { nullable: true, description: "WhatsApp message id (wamid)." }),
    createdAt: t.expose("createdAt", { type: "DateTime", description: "When Aviso recorded the message; messages are ordered by it." }),
    conversation: t.relation("conversation", { description: "The conversation it belongs to." }),
  }),
});
