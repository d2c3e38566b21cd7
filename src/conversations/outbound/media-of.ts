import { z } from "zod";
import { MessageDirection, type Message } from "../../db/client.js";
import { outboundSchema, type MediaKind } from "./content.js";

/** A message's file, as the API shows it. */
export interface MediaView {
  messageId: string;
  kind: MediaKind;
  mediaId: string | null;
  link: string | null;
  mimeType: string | null;
  sha256: string | null;
  fileSize: number | null;
  fileName: string | null;
  caption: string | null;
}

const INBOUND_MEDIA: Record<string, MediaKind> = { image: "IMAGE", document: "DOCUMENT", audio: "AUDIO", voice: "AUDIO", video: "VIDEO", sticker: "STICKER" };
const mediaPayload = z
  .object({ id: z.string().optional(), mime_type: z.string().optional(), sha256: z.string().optional(), file_size: z.coerce.number().optional(), filename: z.string().optional(), caption: z.string().optional() })
  .passthrough();

/** The media of a message: Meta's object in the inbound payload, or what the agent sent. */
export function mediaOf(message: Pick<Message, "id" | "direction" | "payload" | "outbound">): MediaView | null {
  if (message.direction === MessageDirection.OUTBOUND) {
    const outbound = outboundSchema.safeParse(message.outbound);
    if (!outbound.success || outbound.data.kind !== "media") return null;
    const m = outbound.data;
    return { messageId: message.id, kind: m.mediaKind, mediaId: m.mediaId ?? null, link: m.link ?? null, mimeType: m.mimeType ?? null, sha256: null, fileSize: m.fileSize ?? null, fileName: m.fileName ?? null, caption: m.caption ?? null };
  }
  const payload = message.payload as { type?: string } & Record<string, unknown> | null;
  const kind = payload?.type ? INBOUND_MEDIA[payload.type] : undefined;
  if (!payload || !kind) return null;
  const parsed = mediaPayload.safeParse(payload[payload.type!]);
  if (!parsed.success || !parsed.data.id) return null;
  const m = parsed.data;
  return { messageId: message.id, kind, mediaId: m.id!, link: null, mimeType: m.mime_type ?? null, sha256: m.sha256 ?? null, fileSize: m.file_size ?? null, fileName: m.filename ?? null, caption: m.caption ?? null };
}

