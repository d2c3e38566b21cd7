import type { MediaKind } from "../outbound/content.js";

const MB = 1024 * 1024;

/**
 * WhatsApp Cloud API's supported media: mime types and the largest file per kind
 * (Meta's "Supported media types" table). Stickers: 500 KB (animated; static 100 KB).
 */
export const WHATSAPP_MEDIA: Record<MediaKind, { mimeTypes: readonly string[]; maxBytes: number }> = {
  AUDIO: { mimeTypes: ["audio/aac", "audio/amr", "audio/mpeg", "audio/mp4", "audio/ogg"], maxBytes: 16 * MB },
  DOCUMENT: {
    mimeTypes: [
      "text/plain",
      "application/pdf",
      "application/msword",
      "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
      "application/vnd.ms-excel",
      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
      "application/vnd.ms-powerpoint",
      "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ],
    maxBytes: 100 * MB,
  },
  IMAGE: { mimeTypes: ["image/jpeg", "image/png"], maxBytes: 5 * MB },
  STICKER: { mimeTypes: ["image/webp"], maxBytes: 500 * 1024 },
  VIDEO: { mimeTypes: ["video/mp4", "video/3gpp"], maxBytes: 16 * MB },
};

/** "audio/ogg; codecs=opus" → "audio/ogg". */
export function baseMime(mime: string): string {
  return mime.split(";")[0]!.trim().toLowerCase();
}

/** The kind a file of this mime type is sent as, or null when WhatsApp does not take it. */
export function kindOfMime(mime: string): MediaKind | null {
  const base = baseMime(mime);
  for (const [kind, spec] of Object.entries(WHATSAPP_MEDIA) as Array<[MediaKind, (typeof WHATSAPP_MEDIA)[MediaKind]]>) {
    if (spec.mimeTypes.includes(base)) return kind;
  }
  return null;
}

/** Why an uploaded file cannot be sent as `kind` (wrong type, too large), or null when it can. */
export function checkUploadFits(kind: MediaKind, mime: string, size: number): string | null {
  const spec = WHATSAPP_MEDIA[kind];
  if (!spec.mimeTypes.includes(baseMime(mime))) return `a ${baseMime(mime)} file cannot be sent as ${kind} (WhatsApp takes ${spec.mimeTypes.join(", ")})`;
  if (size > spec.maxBytes) return `${kind} files may be at most ${spec.maxBytes} bytes`;
  return null;
}
