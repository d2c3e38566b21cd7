import type { Prisma, PrismaClient } from "../db/client.js";

/** The identifiers a raw webhook body names a contact by (wa_id digits, business-scoped user id). */
export function contactIdentifiers(contact: { waId: string | null; bsuid: string | null }): string[] {
  return [contact.waId, contact.bsuid].filter((v): v is string => !!v && v.length >= 5);
}

/**
 * Raw webhook events of the organization whose payload names one of `identifiers`
 * (as a whole JSON string value: `"5511999990000"`), oldest first. PostgreSQL scans
 * the organization's events; LGPD requests are rare and run by an admin.
 */
export async function webhookEventIdsNaming(prisma: PrismaClient | Prisma.TransactionClient, organizationId: string, identifiers: string[]): Promise<string[]> {
  if (identifiers.length === 0) return [];
  const patterns = identifiers.map((id) => `%${JSON.stringify(id).replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  const rows = await prisma.$queryRaw<Array<{ id: string }>>`
    SELECT id::text AS id FROM "WebhookEvent"
    WHERE "organizationId" = ${organizationId}::uuid AND payload::text LIKE ANY (${patterns})
    ORDER BY "receivedAt"`;
  return rows.map((r) => r.id);
}

const MEDIA_KINDS = ["image", "audio", "video", "document", "sticker"] as const;

export interface MediaReference {
  messageId: string;
  kind: string;
  mediaId: string | null;
  mimeType: string | null;
  filename: string | null;
}

/** The media a message's stored WhatsApp payload points at (Meta media ids), if any. */
export function mediaReferencesOf(message: { id: string; payload: Prisma.JsonValue }): MediaReference[] {
  const payload = message.payload;
  if (!payload || typeof payload !== "object" || Array.isArray(payload)) return [];
  const refs: MediaReference[] = [];
  for (const kind of MEDIA_KINDS) {
    const media = (payload as Record<string, unknown>)[kind];
    if (!media || typeof media !== "object") continue;
    const m = media as Record<string, unknown>;
    refs.push({
      messageId: message.id,
      kind,
      mediaId: typeof m.id === "string" ? m.id : null,
      mimeType: typeof m.mime_type === "string" ? m.mime_type : null,
      filename: typeof m.filename === "string" ? m.filename : null,
    });
  }
  return refs;
}
