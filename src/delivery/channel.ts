import type { Alert, Contact, Conversation, Delivery, Message, Notification, Organization, User } from "../db/client.js";
import type { Runtime } from "../runtime.js";
import type { ExternalChannel } from "./channel-types.js";
import type { Locale } from "../text/templates.js";

/** Everything a channel needs to render and send one delivery, read once by `loadDelivery`. */
export interface DeliveryContext {
  delivery: Delivery;
  notification: Notification;
  user: User;
  organization: Organization;
  conversation: (Conversation & { contact: Contact }) | null;
  alert: Alert | null;
  /** For NEW_MESSAGE: the customer message the preview is made of. */
  message: Message | null;
  locale: Locale;
  /** Set when this delivery carries a digest (src/digests/): the channel sends the summary instead. */
  digest?: DigestSummary;
}

/** What a digest message on SMS or web push says: how many, grouped by conversation and alert. */
export interface DigestSummary {
  total: number;
  groupCount: number;
  groups: Array<{ conversation: { number: number; contactName: string } | null; alert: { title: string; severity: string } | null; count: number }>;
  /** Where the message links: the inbox. */
  url: string;
}

/** What the provider said when it accepted the message. */
export interface SentMessage {
  /** wamid, SMTP Message-ID…; status webhooks find the delivery by it. */
  providerMessageId: string | null;
  /** Channel-specific facts recorded on the delivery row with the outcome (SMS segments). */
  record?: { smsSegments?: number; smsEncoding?: string };
}

/**
 * One way out of Aviso. A channel renders and sends; it never touches the delivery
 * row — `deliver()` records whatever it returns or throws.
 */
export interface Channel {
  readonly name: ExternalChannel;
  /** Why this delivery cannot go out here (recorded as SKIPPED), or null when it can. */
  skipReason(context: DeliveryContext, runtime: Runtime): Promise<string | null> | string | null;
  /** Resolves once the provider accepted the message; throws a DeliveryError otherwise. */
  send(context: DeliveryContext, runtime: Runtime): Promise<SentMessage>;
}

/** The provider may accept it later (4xx SMTP, 5xx HTTP, throttling, network): retry. */
export class TransientDeliveryError extends Error {
  constructor(
    message: string,
    /** The provider named when to come back (Slack's Retry-After): never sooner. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = "TransientDeliveryError";
  }
}

/** Retrying cannot help (5xx SMTP for this recipient, bad payload, undeliverable number). */
export class PermanentDeliveryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PermanentDeliveryError";
  }
}
