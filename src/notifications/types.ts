import { builder } from "../schema/builder.js";
import { NotificationTypeEnum } from "../schema/enums.js";

export const NotificationRef = builder.prismaNode("Notification", {
  id: { field: "id" },
  description: "One entry of a user's in-app inbox, about a conversation or an alert; its deliveries carry it to the other channels.",
  fields: (t) => ({
    type: t.expose("type", { type: NotificationTypeEnum, description: "What it is about." }),
    title: t.exposeString("title", {
      description: "One-line summary in the recipient's locale (their own, else the organization's), e.g. \"Conversation #12 assigned to you\".",
    }),
    body: t.exposeString("body", { description: "Plain-text detail in the same locale, e.g. the contact's name or the alert's severity." }),
    count: t.exposeInt("count", { description: "How many events were coalesced into this notification." }),
    createdAt: t.expose("createdAt", { type: "DateTime", description: "When the first coalesced event arrived." }),
    updatedAt: t.expose("updatedAt", { type: "DateTime", description: "When it last changed (another coalesced event, read, archived)." }),
    readAt: t.expose("readAt", { type: "DateTime", nullable: true, description: "When the user first marked it read; null while unread." }),
    archivedAt: t.expose("archivedAt", {
      type: "DateTime",
      nullable: true,
      description: "When the user archived it; null otherwise. Archived ones leave `notifications` and the unread count.",
    }),
    conversation: t.relation("conversation", {
      nullable: true,
      description: "The conversation it is about (NEW_MESSAGE, CONVERSATION_ASSIGNED, SLA_WARNING); null otherwise.",
    }),
    alert: t.relation("alert", { nullable: true, description: "The alert it is about (ALERT_* types); null otherwise." }),
    deliveries: t.relation("deliveries", {
      description: "How it was (or will be) sent through each channel the user's preferences selected, oldest first; IN_APP included.",
      query: { orderBy: { createdAt: "asc" } },
    }),
  }),
});
