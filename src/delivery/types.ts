import { builder } from "../schema/builder.js";
import { DeliveryStatusEnum, NotificationChannelEnum } from "../schema/enums.js";

export const DeliveryRef = builder.prismaNode("Delivery", {
  id: { field: "id" },
  description:
    "One notification sent to one user through one channel, with its outcome. Users see their own (`Notification.deliveries`); org admins see all (`deliveries`).",
  fields: (t) => ({
    channel: t.expose("channel", { type: NotificationChannelEnum, description: "The channel it goes through." }),
    status: t.expose("status", { type: DeliveryStatusEnum, description: "Where it stands: queued, held, sent, confirmed, failed, skipped or dead." }),
    attempts: t.exposeInt("attempts", { description: "Send attempts made so far (retries included)." }),
    lastError: t.exposeString("lastError", { nullable: true, description: "Why the last attempt failed, or why it was skipped; null when none did." }),
    scheduledFor: t.expose("scheduledFor", {
      type: "DateTime",
      nullable: true,
      description: "When a SCHEDULED delivery goes out (the end of the recipient's quiet hours); null otherwise.",
    }),
    sentAt: t.expose("sentAt", { type: "DateTime", nullable: true, description: "When the provider accepted it; null until then." }),
    deliveredAt: t.expose("deliveredAt", { type: "DateTime", nullable: true, description: "WhatsApp: when Meta reported it delivered; null otherwise." }),
    readAt: t.expose("readAt", { type: "DateTime", nullable: true, description: "WhatsApp: when Meta reported it read; null otherwise." }),
    failedAt: t.expose("failedAt", { type: "DateTime", nullable: true, description: "When it became FAILED or DEAD; null otherwise (cleared by a retry)." }),
    createdAt: t.expose("createdAt", { type: "DateTime", description: "When it was planned (with its notification)." }),
    smsSegments: t.exposeInt("smsSegments", {
      nullable: true,
      description: "SMS: segments the text took (160 GSM-7 / 70 UCS-2 characters in one; 153 / 67 each when split).",
    }),
    smsEncoding: t.exposeString("smsEncoding", { nullable: true, description: "SMS: GSM-7 or UCS-2." }),
    notification: t.relation("notification", { description: "What is being delivered." }),
    recipient: t.relation("user", { description: "Who the delivery is for." }),
  }),
});
