import { QueueRef } from "../queues/schema.js";
import { UserRef } from "../organizations/schema.js";
import { builder } from "../schema/builder.js";
import { actorContextOf } from "../schema/context.js";
import { databaseId } from "../schema/global-id.js";
import { AlertSeverityEnum, NotificationTypeEnum, RoleEnum } from "../schema/enums.js";
import { triggerNotification } from "./trigger.js";

const TriggerRecipientsInput = builder.inputType("TriggerRecipientsInput", {
  description: "Who hears of a triggered notification: the organization's active users matching any of these (at least one is required).",
  fields: (t) => ({
    userIds: t.globalIDList({ for: UserRef, description: "These users (up to 500)." }),
    roles: t.field({ type: [RoleEnum], description: "Everyone holding one of these roles." }),
    queueIds: t.globalIDList({ for: QueueRef, description: "The members of these queues (up to 100)." }),
  }),
});

const TriggerNotificationInput = builder.inputType("TriggerNotificationInput", {
  description: "A notification another system asks Aviso to send to the team.",
  fields: (t) => ({
    type: t.field({ type: NotificationTypeEnum, required: true, description: "CUSTOM or CAMPAIGN_FAILED; any other type is BAD_USER_INPUT." }),
    recipients: t.field({ type: TriggerRecipientsInput, required: true, description: "Who receives it." }),
    title: t.string({ required: true, description: "1–200 characters, shown as written (not translated)." }),
    body: t.string({ description: "Up to 2000 characters." }),
    url: t.string({ description: "An http(s) link the notification opens (emails' button)." }),
    severity: t.field({ type: AlertSeverityEnum, description: "CRITICAL may bypass quiet hours when the organization allows it." }),
    dedupeKey: t.string({ description: "Repeats with this key within the organization's coalescing window fold into one notification (its count grows)." }),
  }),
});

const TriggerResultRef = builder.objectRef<{ recipientCount: number }>("TriggerResult").implement({
  description: "What a triggered notification did.",
  fields: (t) => ({
    recipientCount: t.exposeInt("recipientCount", { description: "Users notified: a new notification, or one more occurrence folded into theirs." }),
  }),
});

builder.mutationField("triggerNotification", (t) =>
  t.field({
    type: TriggerResultRef,
    description:
      "Notifies the team on another system's behalf, through the engine like any event (preferences, quiet hours, channels, coalescing by `dedupeKey`). Admins, and API keys with NOTIFICATIONS_TRIGGER. BAD_USER_INPUT names the field at fault.",
    authScopes: { orgAdmin: true, apiKey: "NOTIFICATIONS_TRIGGER" },
    args: { input: t.arg({ type: TriggerNotificationInput, required: true, description: "What to send, and to whom." }) },
    resolve: async (_root, { input }, ctx) => {
      return triggerNotification(actorContextOf(ctx), {
        // Validated there: only CUSTOM and CAMPAIGN_FAILED pass.
        type: input.type as "CUSTOM",
        recipients: {
          userIds: (input.recipients.userIds ?? []).map((g) => databaseId(g, "recipients.userIds")),
          roles: input.recipients.roles ?? [],
          queueIds: (input.recipients.queueIds ?? []).map((g) => databaseId(g, "recipients.queueIds")),
        },
        title: input.title,
        body: input.body ?? undefined,
        url: input.url,
        severity: input.severity,
        dedupeKey: input.dedupeKey,
      });
    },
  }),
);
