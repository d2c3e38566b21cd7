import type { ServiceContext } from "../service-context.js";
import { notFound } from "../errors.js";
import { newMessageFlagsOn, preferenceMatrix, type ChannelPreference } from "./defaults.js";

/** What `notificationPreferences` returns: the user's settings and the effective type × channel matrix. */
export interface NotificationPreferences {
  whatsappNumber: string | null;
  pendingWhatsappNumber: string | null;
  notifyOnNewMessage: boolean;
  quietHours: { start: string; end: string; timeZone: string } | null;
  channels: ChannelPreference[];
}

/**
 * The caller's effective preferences: role defaults (src/preferences/defaults.ts)
 * overridden by their own rows. `db` is the caller's tenant-scoped client.
 */
export async function notificationPreferences({ db, runtime, actor }: ServiceContext): Promise<NotificationPreferences> {
  const { userId } = actor;
  const newMessageEnabledGlobally = runtime.config.NOTIFY_NEW_MESSAGE_ENABLED;
  const user = await db.user.findFirst({
    where: { id: userId },
    select: {
      role: true,
      whatsappNotificationNumber: true,
      whatsappPendingNumber: true,
      notifyOnNewMessage: true,
      quietHoursStart: true,
      quietHoursEnd: true,
      quietHoursTimeZone: true,
      organization: { select: { notifyNewMessage: true, slackWebhookUrl: true } },
      preferences: { select: { type: true, channel: true, enabled: true } },
    },
  });
  if (!user) throw notFound("User");
  const context = {
    newMessageFlagsOn: newMessageFlagsOn(newMessageEnabledGlobally, user.organization, user),
    orgHasSlack: !!user.organization.slackWebhookUrl,
  };
  return {
    whatsappNumber: user.whatsappNotificationNumber,
    pendingWhatsappNumber: user.whatsappPendingNumber,
    notifyOnNewMessage: user.notifyOnNewMessage,
    quietHours:
      user.quietHoursStart && user.quietHoursEnd && user.quietHoursTimeZone
        ? { start: user.quietHoursStart, end: user.quietHoursEnd, timeZone: user.quietHoursTimeZone }
        : null,
    channels: preferenceMatrix(user.role, user.preferences, context),
  };
}
