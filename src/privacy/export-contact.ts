import type { Prisma } from "../db/client.js";
import type { ServiceContext } from "../service-context.js";
import { recordAudit } from "../audit/record.js";
import { notFound } from "../errors.js";
import { contactIdentifiers, mediaReferencesOf, webhookEventIdsNaming, type MediaReference } from "./contact-data.js";

export interface ContactExport {
  exportedAt: Date;
  contact: { id: string; waId: string | null; bsuid: string | null; phone: string | null; name: string | null; messageCount: number; lastMessageAt: Date | null; createdAt: Date; erasedAt: Date | null };
  conversations: Array<{ id: string; number: number; status: string; createdAt: Date; lastMessageAt: Date | null; resolvedAt: Date | null }>;
  messages: Array<{ id: string; conversationId: string; direction: string; type: string; text: string | null; status: string; externalId: string | null; createdAt: Date; payload: Prisma.JsonValue }>;
  mediaReferences: MediaReference[];
  webhookEvents: Array<{ id: string; receivedAt: Date; status: string; payload: Prisma.JsonValue }>;
}

/**
 * Everything Aviso stores about one customer (LGPD art. 18 II / GDPR art. 15): the
 * contact, its conversations and messages (with their WhatsApp payloads), the media
 * those point at, and the raw webhook events that name the contact. `db` is the
 * caller's tenant-scoped client; the raw-event search is filtered by the same
 * organization. The read itself is audited.
 */
export async function exportContactData({ db, runtime, actor }: ServiceContext, contactId: string): Promise<ContactExport> {
  const contact = await db.contact.findFirst({ where: { id: contactId } });
  if (!contact) throw notFound("Contact");
  const conversations = await db.conversation.findMany({ where: { contactId }, orderBy: { number: "asc" } });
  const messages = await db.message.findMany({ where: { conversationId: { in: conversations.map((c) => c.id) } }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
  const eventIds = await webhookEventIdsNaming(runtime.prisma, actor.organizationId, contactIdentifiers(contact));
  const events = eventIds.length ? await db.webhookEvent.findMany({ where: { id: { in: eventIds } }, orderBy: { receivedAt: "asc" } }) : [];
  await recordAudit(db, {
    organizationId: actor.organizationId,
    actorId: actor.userId,
    action: "contact.data_exported",
    entityType: "Contact",
    entityId: contactId,
    data: { conversations: conversations.length, messages: messages.length, webhookEvents: events.length },
  });
  return {
    exportedAt: new Date(),
    contact: {
      id: contact.id,
      waId: contact.waId,
      bsuid: contact.bsuid,
      phone: contact.phone,
      name: contact.name,
      messageCount: contact.messageCount,
      lastMessageAt: contact.lastMessageAt,
      createdAt: contact.createdAt,
      erasedAt: contact.erasedAt,
    },
    conversations: conversations.map((c) => ({ id: c.id, number: c.number, status: c.status, createdAt: c.createdAt, lastMessageAt: c.lastMessageAt, resolvedAt: c.resolvedAt })),
    messages: messages.map((m) => ({
      id: m.id,
      conversationId: m.conversationId,
      direction: m.direction,
      type: m.type,
      text: m.text,
      status: m.status,
      externalId: m.externalId,
      createdAt: m.createdAt,
      payload: m.payload,
    })),
    mediaReferences: messages.flatMap(mediaReferencesOf),
    webhookEvents: events.map((e) => ({ id: e.id, receivedAt: e.receivedAt, status: e.status, payload: e.payload })),
  };
}
