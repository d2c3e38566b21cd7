import {
  AlertSeverity,
  AlertStatus,
  ConversationStatus,
  DeliveryStatus,
  MessageDirection,
  MessageStatus,
  MessageType,
  NotificationChannel,
  NotificationType,
  Role,
} from "../db/client.js";
import { builder } from "./builder.js";

// The contract's enums, shared by several domains, registered once from Prisma's.
export const RoleEnum = builder.enumType(Role, { name: "Role" });
export const ConversationStatusEnum = builder.enumType(ConversationStatus, { name: "ConversationStatus" });
export const MessageDirectionEnum = builder.enumType(MessageDirection, { name: "MessageDirection" });
export const MessageStatusEnum = builder.enumType(MessageStatus, { name: "MessageStatus" });
export const MessageTypeEnum = builder.enumType(MessageType, { name: "MessageType" });
export const NotificationTypeEnum = builder.enumType(NotificationType, { name: "NotificationType" });
export const NotificationChannelEnum = builder.enumType(NotificationChannel, {
  name: "NotificationChannel",
  values: {
    IN_APP: { description: "The notification in the app's inbox (always on)." },
    EMAIL: { description: "Email through SMTP; over the hourly limit, or by the user's choice, folded into a digest." },
    WHATSAPP: { description: "A WhatsApp message to the user's own number, from the organization's connected number." },
    SLACK: { description: "A post to the organization's Slack incoming webhook." },
    WEB_PUSH: { description: "Browser push (Push API, VAPID) to each browser the user registered with registerWebPushSubscription." },
    SMS: { description: "An SMS to the user's notification number through the SMS provider (Twilio's Messages API); off by default." },
  },
});
export const DeliveryStatusEnum = builder.enumType(DeliveryStatus, { name: "DeliveryStatus" });
export const AlertSeverityEnum = builder.enumType(AlertSeverity, { name: "AlertSeverity" });
export const AlertStatusEnum = builder.enumType(AlertStatus, { name: "AlertStatus" });
