import type { MessageType } from "../db/client.js";
import { localeStrings, type Locale } from "./locale.js";

export const PREVIEW_LENGTH = 140;

// Media never travels in a notification: a marker says what it was (templates/locales/<locale>.json, "media").

/** One line, at most `max` characters, cut on a code point (never inside an emoji) with "…". */
export function truncate(text: string, max = PREVIEW_LENGTH): string {
  const line = text.replace(/\s+/g, " ").trim();
  const chars = Array.from(line);
  return chars.length <= max ? line : `${chars.slice(0, max - 1).join("").trimEnd()}…`;
}

/**
 * A message as one short line: its media marker, then its text (caption, file
 * name…) with line breaks flattened, cut at 140 characters. Notifications and every
 * channel quote messages through this one function.
 */
export function messagePreview(message: { type: MessageType; text: string | null }, locale: Locale): string {
  const marker = localeStrings(locale).media[message.type];
  const text = (message.text ?? "").trim();
  return truncate([marker, text].filter(Boolean).join(" "));
}
