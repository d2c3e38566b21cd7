import { MessageType } from "../../db/client.js";
import type { InboundMessage } from "./payload.js";

const TYPES: Record<string, MessageType> = {
  text: MessageType.TEXT,
  image: MessageType.IMAGE,
  video: MessageType.VIDEO,
  audio: MessageType.AUDIO,
  voice: MessageType.AUDIO,
  document: MessageType.DOCUMENT,
  sticker: MessageType.STICKER,
  location: MessageType.LOCATION,
  contacts: MessageType.CONTACTS,
  interactive: MessageType.INTERACTIVE,
  button: MessageType.BUTTON,
  // Reactions are stored as REACTION messages of the conversation (text = the emoji,
  // the target wamid kept in payload.reaction.message_id), not folded into their
  // target: a 👍 is often a customer's whole answer, so agents see it in order, it
  // counts as unread and it notifies like any message. An empty emoji (reaction
  // removed) is stored too, with no text.
  reaction: MessageType.REACTION,
};

/** Meta's `type` → ours; `unsupported`, `unknown`, `system`, `order` and anything new are UNSUPPORTED. */
export function messageTypeOf(message: InboundMessage): MessageType {
  return TYPES[message.type] ?? MessageType.UNSUPPORTED;
}

/**
 * What an agent reads in the inbox for this message: the body, a caption, a file
 * name, a place, the contacts shared, the option chosen, the emoji. Null when the
 * message carries nothing readable (a bare photo, a voice note).
 */
export function readableText(message: InboundMessage): string | null {
  const text = (() => {
    switch (message.type) {
      case "text":
        return message.text?.body;
      case "image":
      case "video":
      case "sticker":
      case "audio":
        return message[message.type]?.caption;
      case "document":
        return message.document?.caption ?? message.document?.filename;
      case "location": {
        const place = [message.location?.name, message.location?.address].filter(Boolean).join(" — ");
        return place || undefined;
      }
      case "contacts":
        return (message.contacts ?? [])
          .map((c) => c.name?.formatted_name ?? [c.name?.first_name, c.name?.last_name].filter(Boolean).join(" "))
          .filter(Boolean)
          .join(", ");
      case "interactive":
        return message.interactive?.button_reply?.title ?? message.interactive?.list_reply?.title;
      case "button":
        return message.button?.text ?? message.button?.payload;
      case "reaction":
        // An empty emoji means the customer removed their reaction.
        return message.reaction?.emoji;
      case "order":
        return message.order?.text;
      case "system":
        return message.system?.body;
      default:
        return undefined;
    }
  })();
  return text ? text : null;
}
