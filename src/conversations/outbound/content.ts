import { z } from "zod";

/** WhatsApp's media kinds an agent can send. */
export const MEDIA_KINDS = ["IMAGE", "DOCUMENT", "AUDIO", "VIDEO", "STICKER"] as const;
export type MediaKind = (typeof MEDIA_KINDS)[number];

/**
 * What an OUTBOUND message's `outbound` column holds: enough to build Meta's body at
 * send time (the job reads the row, never a payload). Ids only point at rows of the
 * same organization, checked when the message was accepted.
 */
export const outboundSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("text"), whatsAppNumberId: z.string() }),
  z.object({
    kind: z.literal("media"),
    whatsAppNumberId: z.string(),
    mediaKind: z.enum(MEDIA_KINDS),
    mediaId: z.string().optional(),
    link: z.string().optional(),
    caption: z.string().optional(),
    fileName: z.string().optional(),
    mimeType: z.string().optional(),
    fileSize: z.number().optional(),
  }),
  z.object({
    kind: z.literal("template"),
    whatsAppNumberId: z.string(),
    name: z.string(),
    language: z.string(),
    parameters: z.array(z.string()),
  }),
]);
export type Outbound = z.output<typeof outboundSchema>;

/**
 * Meta's `POST /{phone_number_id}/messages` body for one outbound message, exactly as
 * the Cloud API documents it: text, media by id or link, or a template with its body
 * parameters; `context.message_id` when it answers a message.
 */
export function messageBody(input: { to: string; text: string | null; outbound: Outbound; replyToWamid?: string | null }): object {
  const { outbound } = input;
  const base = {
    messaging_product: "whatsapp",
    recipient_type: "individual",
    to: input.to,
    ...(input.replyToWamid ? { context: { message_id: input.replyToWamid } } : {}),
  };
  switch (outbound.kind) {
    case "text":
      return { ...base, type: "text", text: { preview_url: false, body: input.text ?? "" } };
    case "media": {
      const type = outbound.mediaKind.toLowerCase();
      const captioned = outbound.mediaKind === "IMAGE" || outbound.mediaKind === "VIDEO" || outbound.mediaKind === "DOCUMENT";
      const media = {
        ...(outbound.mediaId ? { id: outbound.mediaId } : { link: outbound.link }),
        ...(captioned && outbound.caption ? { caption: outbound.caption } : {}),
        ...(outbound.mediaKind === "DOCUMENT" && outbound.fileName ? { filename: outbound.fileName } : {}),
      };
      return { ...base, type, [type]: media };
    }
    case "template":
      return {
        ...base,
        type: "template",
        template: {
          name: outbound.name,
          language: { code: outbound.language },
          ...(outbound.parameters.length
            ? { components: [{ type: "body", parameters: outbound.parameters.map((text) => ({ type: "text", text })) }] }
            : {}),
        },
      };
  }
}

/** A template's body with its parameters filled in: what the agent sees in the conversation. */
export function renderTemplateText(bodyText: string | null, parameters: readonly string[]): string | null {
  if (!bodyText) return null;
  return bodyText.replace(/\{\{(\d+)\}\}/g, (match, n: string) => parameters[Number(n) - 1] ?? match);
}

/** How many distinct {{n}} placeholders a template body has. */
export function parameterCountOf(bodyText: string | null | undefined): number {
  if (!bodyText) return 0;
  return new Set([...bodyText.matchAll(/\{\{(\d+)\}\}/g)].map((m) => m[1])).size;
}
