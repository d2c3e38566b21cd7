/**
 * What each value of the contract's enums means, for the Docs panel and
 * schema.graphql. Spread into the enum's options in src/schema/enums.ts.
 */

export const roleDocs = {
  description: "What a user may do. Each role includes the ones below it: SUPER_ADMIN ⊃ ORG_ADMIN ⊃ AGENT ⊃ VIEWER.",
  values: {
    SUPER_ADMIN: { description: "Operates Aviso itself: everything an org admin may do, and receives level-2 alert escalations of every organization." },
    ORG_ADMIN: { description: "Administers one organization: settings, WhatsApp numbers, queues, alerts, deliveries and their retries." },
    AGENT: { description: "Serves customers: assigns, reads and resolves conversations; acknowledges, escalates and resolves alerts." },
    VIEWER: { description: "Reads the organization's conversations and alerts and their own notifications; changes nothing shared." },
  },
} as const;

export const conversationStatusDocs = {
  description: "Where a conversation stands.",
  values: {
    OPEN: {
      description: "Active: the customer wrote and the conversation is not resolved. A resolved conversation reopens as OPEN on the customer's next message.",
    },
    PENDING: { description: "Waiting (on the customer or a third party). Reserved: Aviso itself does not set it yet." },
    RESOLVED: { description: "Closed by an agent (`resolveConversation`)." },
  },
} as const;

export const messageDirectionDocs = {
  description: "Who wrote a message.",
  values: {
    INBOUND: { description: "From the customer to the organization's WhatsApp number." },
    OUTBOUND: { description: "From the organization (an agent or the system) to the customer." },
  },
} as const;

export const messageStatusDocs = {
  description: "A WhatsApp message's lifecycle as Meta reports it; it only moves forward.",
  values: {
    RECEIVED: { description: "An inbound message Aviso received (inbound messages stay here)." },
    PENDING: { description: "An outbound message accepted by Aviso, not yet confirmed sent by Meta." },
    SENT: { description: "Meta accepted the outbound message." },
    DELIVERED: { description: "The outbound message reached the customer's phone." },
    READ: { description: "The customer read the outbound message (when their read receipts are on)." },
    FAILED: { description: "Meta could not deliver the outbound message." },
  },
} as const;

export const messageTypeDocs = {
  description: "The kind of WhatsApp message, as Meta names it.",
  values: {
    TEXT: { description: "Plain text; `text` holds it." },
    IMAGE: { description: "A photo or image, with an optional caption in `text`." },
    AUDIO: { description: "A voice note or audio file." },
    VIDEO: { description: "A video, with an optional caption in `text`." },
    DOCUMENT: { description: "A file (PDF, spreadsheet…), with an optional caption in `text`." },
    STICKER: { description: "A WhatsApp sticker." },
    LOCATION: { description: "A shared location." },
    CONTACTS: { description: "One or more shared contact cards." },
    INTERACTIVE: { description: "The customer's answer to an interactive message (a list or reply button)." },
    BUTTON: { description: "The customer pressed a quick-reply button of a template message." },
    REACTION: { description: "An emoji reaction to an earlier message." },
    UNSUPPORTED: { description: "A kind WhatsApp's Cloud API does not deliver to businesses, or one Aviso does not know; no content." },
  },
} as const;

export const notificationTypeDocs = {
  description: "What a notification is about. Preferences are chosen per type × channel.",
  values: {
    NEW_MESSAGE: {
      description: "A customer wrote in a conversation the user is responsible for (its assignee, else its queue's agents, else the organization's).",
    },
    CONVERSATION_ASSIGNED: { description: "A conversation was assigned to the user by someone else." },
    SLA_WARNING: { description: "A customer has waited longer than the organization's first-reply time for an answer." },
    ALERT_CREATED: { description: "An operations alert was opened in the organization (sent to its admins)." },
    ALERT_ESCALATED: { description: "An alert was escalated, by hand or because nobody acknowledged it in time." },
    ALERT_RESOLVED: { description: "An alert was resolved." },
    ALERT_STALE: { description: "An unresolved alert had no activity for ALERT_STALE_SECONDS (default 7 days); raised once per alert." },
    CAMPAIGN_FAILED: { description: "A bulk campaign of the organization failed." },
    CUSTOM: {
      description: "Raised by another system through `triggerNotification` (an admin or an API key with NOTIFICATIONS_TRIGGER); its title and body are theirs.",
    },
  },
} as const;

export const notificationChannelDocs = {
  description: "Where a notification reaches its user.",
  values: {
    IN_APP: { description: "The in-app inbox (`notifications`, `notificationAdded`). Always on: it cannot be turned off." },
    EMAIL: { description: "Email through SMTP to the user's address; over the hourly limit, or by the user's choice, folded into a digest." },
    WHATSAPP: {
      description: "A WhatsApp message to the user's own number (`NotificationPreferences.whatsappNumber`), from the organization's connected business number.",
    },
    SLACK: { description: "A post to the organization's Slack incoming webhook (`updateOrganizationSettings(slackWebhookUrl)`)." },
    WEB_PUSH: { description: "Browser push (Push API, VAPID) to each browser the user registered with `registerWebPushSubscription`." },
    SMS: { description: "An SMS to the user's notification number through the SMS provider (Twilio's Messages API); off by default." },
  },
} as const;

export const deliveryStatusDocs = {
  description: "Where one delivery (one notification through one channel) stands.",
  values: {
    PENDING: { description: "Queued, to be sent now (or retried after a transient failure)." },
    SCHEDULED: { description: "Held until `scheduledFor` (the end of the user's quiet hours), then sent." },
    SENT: { description: "The provider accepted it (SMTP server, Graph API, Slack). In-app deliveries are SENT at once." },
    DELIVERED: { description: "WhatsApp only: Meta reports it reached the user's phone." },
    READ: { description: "WhatsApp only: Meta reports the user read it." },
    FAILED: {
      description:
        "A permanent error (a refused address, a rejected number), or Meta reported the WhatsApp message failed; `lastError` says which. Admins may `retryDelivery` it.",
    },
    SKIPPED: {
      description: "Not sent, deliberately: the channel is not set up (no WhatsApp number, no Slack webhook) or a limit applied; `lastError` says why.",
    },
    DEAD: {
      description: "Transient failures exhausted DELIVERY_RETRY_LIMIT retries; in the dead-letter queue. Admins may `retryDelivery` or `retryDeadDeliveries`.",
    },
  },
} as const;

export const alertSeverityDocs = {
  description: "How urgent an alert is; sets how soon an unacknowledged one escalates (ALERT_ESCALATION_SECONDS).",
  values: {
    CRITICAL: { description: "Service down or data at risk: escalates after 5 minutes unacknowledged by default." },
    HIGH: { description: "Serious degradation: escalates after 15 minutes by default." },
    MEDIUM: { description: "Needs attention today: escalates after 1 hour by default. The default severity." },
    LOW: { description: "Informational: never escalates automatically by default." },
  },
} as const;

export const alertStatusDocs = {
  description: "An alert's lifecycle: OPEN → ACKNOWLEDGED and/or ESCALATED → RESOLVED.",
  values: {
    OPEN: { description: "Opened, nobody on it yet: escalates automatically per its severity." },
    ACKNOWLEDGED: { description: "Someone is on it (`acknowledgeAlert`): automatic escalation stopped." },
    ESCALATED: { description: "Escalated (by hand or on schedule) to the organization's admins (level 1) or Aviso's super admins (level 2)." },
    RESOLVED: { description: "Closed (`resolveAlert`); final. Its `dedupeKey` is free again." },
  },
} as const;
