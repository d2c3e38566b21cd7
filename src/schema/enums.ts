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
import {
  alertSeverityDocs,
  alertStatusDocs,
  conversationStatusDocs,
  deliveryStatusDocs,
  messageDirectionDocs,
  messageStatusDocs,
  messageTypeDocs,
  notificationChannelDocs,
  notificationTypeDocs,
  roleDocs,
} from "./enum-docs.js";

// The contract's enums, shared by several domains, registered once from Prisma's.
export const RoleEnum = builder.enumType(Role, { name: "Role", ...roleDocs });
export const ConversationStatusEnum = builder.enumType(ConversationStatus, { name: "ConversationStatus", ...conversationStatusDocs });
export const MessageDirectionEnum = builder.enumType(MessageDirection, { name: "MessageDirection", ...messageDirectionDocs });
export const MessageStatusEnum = builder.enumType(MessageStatus, { name: "MessageStatus", ...messageStatusDocs });
export const MessageTypeEnum = builder.enumType(MessageType, { name: "MessageType", ...messageTypeDocs });
export const NotificationTypeEnum = builder.enumType(NotificationType, { name: "NotificationType", ...notificationTypeDocs });
export const NotificationChannelEnum = builder.enumType(NotificationChannel, { name: "NotificationChannel", ...notificationChannelDocs });
export const DeliveryStatusEnum = builder.enumType(DeliveryStatus, { name: "DeliveryStatus", ...deliveryStatusDocs });
export const AlertSeverityEnum = builder.enumType(AlertSeverity, { name: "AlertSeverity", ...alertSeverityDocs });
export const AlertStatusEnum = builder.enumType(AlertStatus, { name: "AlertStatus", ...alertStatusDocs });
