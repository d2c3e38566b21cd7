import type { MessageType } from "../db/client.js";
import type { Locale } from "./locale.js";

export const PREVIEW_LENGTH = 140;

// Media never travels in a notification: a marker says what it was (seed 003).
const MARKERS: Record<Locale, Partial<Record<MessageType, string>>> = {
  "pt-BR": {
    IMAGE: "[Imagem]",
    AUDIO: "[Áudio]",
    VIDEO: "[Vídeo]",
    DOCUMENT: "[Documento]",
    STICKER: "[Figurinha]",
    LOCATION: "[Localização]",
    CONTACTS: "[Contato]",
    REACTION: "[Reação]",
    UNSUPPORTED: "[Mensagem não suportada]",
  },
  en: {
    IMAGE: "[Image]",
    AUDIO: "[Audio]",
    VIDEO: "[Video]",
    DOCUMENT: "[Document]",
    STICKER: "[Sticker]",
    LOCATION: "[Location]",
    CONTACTS: "[Contact]",
    REACTION: "[Reaction]",
    UNSUPPORTED: "[Unsupported message]",
  },
};

/** One line, at most `max` characters, cut on a code point (never inside an emoji) with "…". */
export function truncate(text: string, max = PREVIEW_LENGTH): string {
  const line = text.replace(/\s+/g, " ").trim();
  const chars = Array.from(line);
  return chars.length <= max
    ? line
    : `${chars
        .slice(0, max - 1)
        .join("")
        .trimEnd()}…`;
}

/**
 * A message as one short line: its media marker, then its text (caption, file
 * name…) with line breaks flattened, cut at 140 characters. Notifications and every
 * channel quote messages through this one function.
 */
export function messagePreview(message: { type: MessageType; text: string | null }, locale: Locale): string {
  const marker = MARKERS[locale][message.type];
  const text = (message.text ?? "").trim();
  return truncate([marker, text].filter(Boolean).join(" "));
}
