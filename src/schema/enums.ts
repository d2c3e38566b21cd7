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
export const NotificationChannelEnum = builder.enumType(NotificationChannel, { name: "NotificationChannel" });
export const DeliveryStatusEnum = builder.enumType(DeliveryStatus, { name: "DeliveryStatus" });
export const AlertSeverityEnum = builder.enumType(AlertSeverity, { name: "AlertSeverity" });
export const AlertStatusEnum = builder.enumType(AlertStatus, { name: "AlertStatus" });
