import { builder } from "../schema/builder.js";
import { DeliveryStatusEnum, NotificationChannelEnum } from "../schema/enums.js";

export const DeliveryRef = builder.prismaNode("Delivery", {
  id: { field: "id" },
  fields: (t) => ({
    channel: t.expose("channel", { type: NotificationChannelEnum }),
    status: t.expose("status", { type: DeliveryStatusEnum }),
    attempts: t.exposeInt("attempts"),
    lastError: t.exposeString("lastError", { nullable: true }),
    scheduledFor: t.expose("scheduledFor", { type: "DateTime", nullable: true }),
    sentAt: t.expose("sentAt", { type: "DateTime", nullable: true }),
    deliveredAt: t.expose("deliveredAt", { type: "DateTime", nullable: true }),
    readAt: t.expose("readAt", { type: "DateTime", nullable: true }),
    failedAt: t.expose("failedAt", { type: "DateTime", nullable: true }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    smsSegments: t.exposeInt("smsSegments", { nullable: true, description: "SMS: segments the text took (160 GSM-7 / 70 UCS-2 characters in one; 153 / 67 each when split)." }),
    smsEncoding: t.exposeString("smsEncoding", { nullable: true, description: "SMS: GSM-7 or UCS-2." }),
    notification: t.relation("notification"),
    recipient: t.relation("user", { description: "Who the delivery is for." }),
  }),
});
