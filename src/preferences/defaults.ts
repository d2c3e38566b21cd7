import { NotificationChannel, NotificationType, Role } from "../db/client.js";

export const NOTIFICATION_TYPES = Object.values(NotificationType);
export const NOTIFICATION_CHANNELS = Object.values(NotificationChannel);

const ALERT_TYPES = new Set<NotificationType>(["ALERT_CREATED", "ALERT_ESCALATED", "ALERT_RESOLVED", "ALERT_STALE"]);
export const isAlertType = (type: NotificationType) => ALERT_TYPES.has(type);

/** What the role defaults depend on beyond the role. */
export interface DefaultsContext {
  /** NOTIFY_NEW_MESSAGE_ENABLED && organization.notifyNewMessage && user.notifyOnNewMessage. */
  newMessageFlagsOn: boolean;
  /** The organization has a Slack incoming webhook. */
  orgHasSlack: boolean;
}

/**
 * The role defaults (the table in the README), before the user's own NotificationPreference rows:
 *
 * | type                         | AGENT                 | ORG_ADMIN              | SUPER_ADMIN              | VIEWER |
 * |------------------------------|-----------------------|------------------------|--------------------------|--------|
 * | NEW_MESSAGE                  | IN_APP, EMAIL*, WA*   | IN_APP, EMAIL*, WA*    | IN_APP, EMAIL*, WA*      | IN_APP |
 * | CONVERSATION_ASSIGNED        | IN_APP                | IN_APP, EMAIL          | IN_APP, EMAIL, WA        | IN_APP |
 * | SLA_WARNING                  | IN_APP                | IN_APP, EMAIL          | IN_APP, EMAIL, WA        | IN_APP |
 * | CAMPAIGN_FAILED, CUSTOM      | IN_APP                | IN_APP, EMAIL          | IN_APP, EMAIL, WA        | IN_APP |
 * | ALERT_* (4 types)            | IN_APP                | IN_APP, EMAIL, SLACK†  | IN_APP, EMAIL, WA        | IN_APP |
 *
 * \* only when the three new-message flags are on (telling the responsible agent outside
 *   the app is the point of that feature, and the flags are its opt-in).
 * † only when the organization has a Slack webhook.
 * IN_APP is always on for every type: the notification row is the inbox itself.
 * WEB_PUSH and SMS are off for every role until the user turns them on (SMS costs money
 * per segment; push needs a browser subscription first), so existing defaults stay as they were.
 */
export function defaultEnabled(role: Role, type: NotificationType, channel: NotificationChannel, context: DefaultsContext): boolean {
  if (channel === "IN_APP") return true;
  if (role === "VIEWER" || channel === "SMS" || channel === "WEB_PUSH") return false;
  if (type === "NEW_MESSAGE") return (channel === "EMAIL" || channel === "WHATSAPP") && context.newMessageFlagsOn;
  switch (role) {
    case "AGENT":
      return false;
    case "ORG_ADMIN":
      return channel === "EMAIL" || (channel === "SLACK" && isAlertType(type) && context.orgHasSlack);
    case "SUPER_ADMIN":
      return channel === "EMAIL" || channel === "WHATSAPP";
  }
}

export interface ChannelPreference {
  type: NotificationType;
  channel: NotificationChannel;
  enabled: boolean;
}

/** The user's choice for one type × channel: their own row if any, else the role default. */
export function preferenceOf(
  role: Role,
  overrides: ReadonlyArray<{ type: NotificationType; channel: NotificationChannel; enabled: boolean }>,
  type: NotificationType,
  channel: NotificationChannel,
  context: DefaultsContext,
): boolean {
  if (channel === "IN_APP") return true;
  const own = overrides.find((o) => o.type === type && o.channel === channel);
  return own ? own.enabled : defaultEnabled(role, type, channel, context);
}

/** The whole matrix (every type × every channel), in enum order. */
export function preferenceMatrix(
  role: Role,
  overrides: ReadonlyArray<{ type: NotificationType; channel: NotificationChannel; enabled: boolean }>,
  context: DefaultsContext,
): ChannelPreference[] {
  return NOTIFICATION_TYPES.flatMap((type) =>
    NOTIFICATION_CHANNELS.map((channel) => ({ type, channel, enabled: preferenceOf(role, overrides, type, channel, context) })),
  );
}

/** The three new-message flags (global, organization, user), all required for a new message to leave the app. */
export function newMessageFlagsOn(globalFlag: boolean, organization: { notifyNewMessage: boolean }, user: { notifyOnNewMessage: boolean }): boolean {
  return globalFlag && organization.notifyNewMessage && user.notifyOnNewMessage;
}
