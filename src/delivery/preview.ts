import type { Message, MessageType } from "../db/client.js";
import type { Locale } from "./render.js";

/** The longest preview a WhatsApp or Slack notification quotes, in characters. */
export const PREVIEW_MAX_CHARS = 140;

const MEDIA_MARKERS: Record<Locale, Partial<Record<MessageType, string>>> = {
  "pt-BR": {
    IMAGE: "[Imagem]",
    AUDIO: "[Áudio]",
    VIDEO: "[Vídeo]",
    DOCUMENT: "[Documento]",
    STICKER: "[Figurinha]",
    LOCATION: "[Localização]",
    CONTACTS: "[Contato]",
  },
  en: {
    IMAGE: "[Image]",
    AUDIO: "[Audio]",
    VIDEO: "[Video]",
    DOCUMENT: "[Document]",
    STICKER: "[Sticker]",
    LOCATION: "[Location]",
    CONTACTS: "[Contact]",
  },
};

/** One line, at most `max` characters, cut on a code point (never inside an emoji) with "…". */
export function truncate(text: string, max = PREVIEW_MAX_CHARS): string {
  const line = text.replace(/\s*[\r\n\u2028\u2029]+\s*/g, " ").replace(/\s{2,}/g, " ").trim();
  const chars = Array.from(line);
  return chars.length <= max ? line : `${chars.slice(0, max - 1).join("").trimEnd()}…`;
}

/**
 * What a notification quotes of a customer message: media become markers
 * ("[Imagem] caption"), line breaks go, and the whole is cut to 140 characters.
 */
export function messagePreview(message: Pick<Message, "type" | "text"> | null, fallback: string, locale: Locale): string {
  if (!message) return truncate(fallback);
  const marker = MEDIA_MARKERS[locale][message.type];
  const text = message.text?.trim() ?? "";
  return truncate(marker ? (text ? `${marker} ${text}` : marker) : text || fallback);
}
