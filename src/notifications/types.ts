import { builder } from "../schema/builder.js";
import { NotificationTypeEnum } from "../schema/enums.js";

export const NotificationRef = builder.prismaNode("Notification", {
  id: { field: "id" },
  fields: (t) => ({
    type: t.expose("type", { type: NotificationTypeEnum }),
    title: t.exposeString("title"),
    body: t.exposeString("body"),
    count: t.exposeInt("count", { description: "How many events were coalesced into this notification." }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    updatedAt: t.expose("updatedAt", { type: "DateTime" }),
    readAt: t.expose("readAt", { type: "DateTime", nullable: true }),
    archivedAt: t.expose("archivedAt", { type: "DateTime", nullable: true }),
    conversation: t.relation("conversation", { nullable: true }),
    alert: t.relation("alert", { nullable: true }),
    deliveries: t.relation("deliveries", { query: { orderBy: { createdAt: "asc" } } }),
  }),
});
