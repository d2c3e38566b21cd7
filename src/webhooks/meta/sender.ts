import type { SenderIdentity } from "../../conversations/record-inbound.js";
import type { InboundMessage, WebhookContact } from "./payload.js";

/**
 * Who sent `message`, joining it with the change's `contacts[]` (profile name, BSUID).
 * Meta pairs them by wa_id, or by user_id for customers whose number is hidden.
 */
export function senderOf(message: InboundMessage, contacts: WebhookContact[] = []): SenderIdentity {
  const contact =
    contacts.find((c) => (message.from && c.wa_id === message.from) || (message.from_user_id && c.user_id === message.from_user_id)) ??
    (contacts.length === 1 ? contacts[0] : undefined);
  const waId = message.from ?? contact?.wa_id;
  const bsuid = message.from_user_id ?? contact?.user_id;
  const profileName = contact?.profile?.name ?? contact?.profile?.username;
  return {
    ...(waId ? { waId: waId.replace(/\D/g, "") } : {}),
    ...(bsuid ? { bsuid } : {}),
    ...(profileName ? { profileName } : {}),
  };
}
