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
    name: t.exposeString("name"),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    members: t.field({
      type: [UserRef],
      select: { members: { orderBy: { createdAt: "asc" }, select: { user: true } } },
      resolve: (queue) => queue.members.map((m) => m.user),
    }),
  }),
});

// Conversation's type is owned by the conversations domain; its queue is this one's.
builder.prismaObjectField("Conversation", "queue", (t) => t.relation("queue", { nullable: true }));

builder.queryField("queues", (t) =>
  t.prismaField({
    type: ["Queue"],
    description: "The organization's queues, by name.",
    authScopes: { agent: true },
    resolve: (query, _root, _args, ctx) => ctx.db.queue.findMany({ ...query, orderBy: { name: "asc" } }),
  }),
);

builder.mutationField("createQueue", (t) =>
  t.prismaField({
    type: "Queue",
    authScopes: { orgAdmin: true },
    args: { name: t.arg.string({ required: true }) },
    resolve: async (query, _root, { name }, ctx) => {
      const queue = await createQueue(serviceContextOf(ctx), { name });
      return ctx.db.queue.findUniqueOrThrow({ ...query, where: { id: queue.id } });
    },
  }),
);

builder.mutationField("addQueueMember", (t) =>
  t.prismaField({
    type: "Queue",
    description: "Idempotent.",
    authScopes: { orgAdmin: true },
    args: { queueId: t.arg.globalID({ for: QueueRef, required: true }), userId: t.arg.globalID({ for: UserRef, required: true }) },
    resolve: async (query, _root, { queueId, userId }, ctx) => {
      const queue = await addQueueMember(serviceContextOf(ctx), { queueId: databaseId(queueId, "queueId"), userId: databaseId(userId, "userId") });
      return ctx.db.queue.findUniqueOrThrow({ ...query, where: { id: queue.id } });
    },
  }),
);

builder.mutationField("removeQueueMember", (t) =>
  t.prismaField({
    type: "Queue",
    description: "Idempotent.",
    authScopes: { orgAdmin: true },
    args: { queueId: t.arg.globalID({ for: QueueRef, required: true }), userId: t.arg.globalID({ for: UserRef, required: true }) },
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
      assigneeId: t.arg.globalID({ for: UserRef, required: false, description: "A member of that queue to assign it to; absent or null leaves it unassigned." }),
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
