import { ConversationRef } from "../conversations/types.js";
import { UserRef } from "../organizations/schema.js";
import { builder } from "../schema/builder.js";
import { serviceContextOf } from "../schema/context.js";
import { databaseId } from "../schema/global-id.js";
import { handOverConversation } from "../conversations/hand-over.js";
import { addQueueMember, createQueue, removeQueueMember } from "./manage.js";

export const QueueRef = builder.prismaNode("Queue", {
  id: { field: "id" },
  description: "A sector of the organization: conversations belong to one, agents are its members.",
  fields: (t) => ({
    name: t.exposeString("name", { description: "Unique within the organization, 1–80 characters." }),
    createdAt: t.expose("createdAt", { type: "DateTime", description: "When it was created." }),
    members: t.field({
      type: [UserRef],
      description: "The agents (and admins) of the queue, in the order they joined; they are notified of its unassigned conversations.",
      select: { members: { orderBy: { createdAt: "asc" }, select: { user: true } } },
      resolve: (queue) => queue.members.map((m) => m.user),
    }),
  }),
});

// Conversation's type is owned by the conversations domain; its queue is this one's.
builder.prismaObjectField("Conversation", "queue", (t) =>
  t.relation("queue", { nullable: true, description: "The queue (sector) it belongs to — its number's default queue at first; null when none." }),
);

builder.queryField("queues", (t) =>
  t.prismaField({
    type: ["Queue"],
    description: "The organization's queues, by name. Agents and admins. Errors: UNAUTHENTICATED; FORBIDDEN (viewers).",
    authScopes: { agent: true },
    resolve: (query, _root, _args, ctx) => ctx.db.queue.findMany({ ...query, orderBy: { name: "asc" } }),
  }),
);

builder.mutationField("createQueue", (t) =>
  t.prismaField({
    type: "Queue",
    description:
      "Creates a queue (sector) in the caller's organization, audit-logged. Org admins. " +
      "Errors: UNAUTHENTICATED; FORBIDDEN (agents, viewers); BAD_USER_INPUT (empty or over 80 characters, or a queue with this name exists).",
    authScopes: { orgAdmin: true },
    args: { name: t.arg.string({ required: true, description: "The queue's name (trimmed, 1–80 characters, unique in the organization)." }) },
    resolve: async (query, _root, { name }, ctx) => {
      const queue = await createQueue(serviceContextOf(ctx), { name });
      return ctx.db.queue.findUniqueOrThrow({ ...query, where: { id: queue.id } });
    },
  }),
);

builder.mutationField("addQueueMember", (t) =>
  t.prismaField({
    type: "Queue",
    description:
      "Adds an active user of the organization to a queue; adding a member again changes nothing. Org admins. " +
      "Errors: UNAUTHENTICATED; FORBIDDEN (agents, viewers); NOT_FOUND (no such queue, or no such active user, in the organization); BAD_USER_INPUT (malformed ids).",
    authScopes: { orgAdmin: true },
    args: {
      queueId: t.arg.globalID({ for: QueueRef, required: true, description: "The queue." }),
      userId: t.arg.globalID({ for: UserRef, required: true, description: "The user to add." }),
    },
    resolve: async (query, _root, { queueId, userId }, ctx) => {
      const queue = await addQueueMember(serviceContextOf(ctx), { queueId: databaseId(queueId, "queueId"), userId: databaseId(userId, "userId") });
      return ctx.db.queue.findUniqueOrThrow({ ...query, where: { id: queue.id } });
    },
  }),
);

builder.mutationField("removeQueueMember", (t) =>
  t.prismaField({
    type: "Queue",
    description:
      "Removes a user from a queue; removing a non-member changes nothing. Org admins. " +
      "Errors: UNAUTHENTICATED; FORBIDDEN (agents, viewers); NOT_FOUND (no such queue in the organization); BAD_USER_INPUT (malformed ids).",
    authScopes: { orgAdmin: true },
    args: {
      queueId: t.arg.globalID({ for: QueueRef, required: true, description: "The queue." }),
      userId: t.arg.globalID({ for: UserRef, required: true, description: "The member to remove." }),
    },
    resolve: async (query, _root, { queueId, userId }, ctx) => {
      const queue = await removeQueueMember(serviceContextOf(ctx), { queueId: databaseId(queueId, "queueId"), userId: databaseId(userId, "userId") });
      return ctx.db.queue.findUniqueOrThrow({ ...query, where: { id: queue.id } });
    },
  }),
);

builder.mutationField("moveConversationToQueue", (t) =>
  t.prismaField({
    type: "Conversation",
    description:
      "Transfers a conversation to a queue, and to a teammate of that queue (`assigneeId`) or to nobody (it waits in the queue). " +
      "Notifies the new assignee, the previous one, or the queue's agents (CONVERSATION_ASSIGNED); audited; publishes conversationUpdated. " +
      "Agents (only into a queue they belong to) and admins. Errors: FORBIDDEN (viewers; agents outside the queue), NOT_FOUND (conversation, queue, or a user who is not in the queue).",
    authScopes: { agent: true },
    args: {
      conversationId: t.arg.globalID({ for: ConversationRef, required: true, description: "The conversation to transfer." }),
      queueId: t.arg.globalID({ for: QueueRef, required: true, description: "The queue it moves to." }),
      assigneeId: t.arg.globalID({
        for: UserRef,
        required: false,
        description: "A member of that queue to assign it to; absent or null leaves it unassigned.",
      }),
    },
    resolve: async (query, _root, { conversationId, queueId, assigneeId }, ctx) => {
      const conversation = await handOverConversation(serviceContextOf(ctx), {
        conversationId: databaseId(conversationId, "conversationId"),
        queueId: databaseId(queueId, "queueId"),
        assigneeId: assigneeId ? databaseId(assigneeId, "assigneeId") : null,
      });
      return ctx.db.conversation.findUniqueOrThrow({ ...query, where: { id: conversation.id } });
    },
  }),
);
