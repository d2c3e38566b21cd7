import { Prisma } from "../db/client.js";
import type { ServiceContext } from "../service-context.js";
import { recordAudit } from "../audit/record.js";
import { withTransactionRetry } from "../db/transaction-retry.js";
import { notFound } from "../errors.js";
import { contactIdentifiers, mediaReferencesOf, webhookEventIdsNaming } from "./contact-data.js";

export interface ContactErasure {
  contactId: string;
  erasedAt: Date;
  /** False when the contact had been erased before (nothing more to do). */
  erasedNow: boolean;
  messagesAnonymized: number;
  mediaReferencesDeleted: number;
  webhookEventsDeleted: number;
  notificationsAnonymized: number;
}

/** What an erased notification says instead of the customer's name and words. */
const ERASED_TITLE = "Mensagem apagada (LGPD)";

/**
 * The right to be forgotten (LGPD art. 18 VI / GDPR art. 17), in one transaction:
 * the contact loses its number, user id and name; every message of its conversations
 * loses its text, WhatsApp payload (media references included), errors and WhatsApp id
 * (a wamid encodes the phone number); notifications about those conversations lose
 * their title, preview and data; the raw webhook events naming the contact are deleted.
 * Rows and counts stay (conversation numbers, message counts, statistics). Audited
 * with counts only. Idempotent: erasing again changes nothing and says so. A new
 * message from the same number afterwards starts a fresh contact (the old one no
 * longer has the number to be found by).
 *
 * Its notifications are those of every agent who heard about the conversations, locked in
 * the order PostgreSQL finds them, while a webhook coalescing into the same conversation
 * locks them agent by agent: the two can deadlock. PostgreSQL then refuses one of them,
 * and the erasure is run again from the start (withTransactionRetry), as the webhook is.
 */
export async function eraseContact({ db, actor }: ServiceContext, contactId: string): Promise<ContactErasure> {
  return withTransactionRetry(db, async (tx) => {
    // Locks the contact: a webhook from this customer waits, then finds no contact and makes a new one.
    const locked = await tx.$queryRaw<
      Array<{ id: string }>
    >`SELECT id::text AS id FROM "Contact" WHERE id = ${contactId}::uuid AND "organizationId" = ${actor.organizationId}::uuid FOR UPDATE`;
    const contact = locked.length ? await tx.contact.findFirst({ where: { id: contactId } }) : null;
    if (!contact) throw notFound("Contact");
    if (contact.erasedAt) {
      await recordAudit(tx, {
        organizationId: actor.organizationId,
        actorId: actor.userId,
        action: "contact.erased",
        entityType: "Contact",
        entityId: contactId,
        data: { alreadyErased: true },
      });
      return {
        contactId,
        erasedAt: contact.erasedAt,
        erasedNow: false,
        messagesAnonymized: 0,
        mediaReferencesDeleted: 0,
        webhookEventsDeleted: 0,
        notificationsAnonymized: 0,
      };
    }
    const conversationIds = (await tx.conversation.findMany({ where: { contactId }, select: { id: true } })).map((c) => c.id);
    const messages = await tx.message.findMany({ where: { conversationId: { in: conversationIds } }, select: { id: true, payload: true } });
    const mediaReferencesDeleted = messages.reduce((n, m) => n + mediaReferencesOf(m).length, 0);
    const eventIds = await webhookEventIdsNaming(tx, actor.organizationId, contactIdentifiers(contact));

    const anonymized = await tx.message.updateMany({
      where: { conversationId: { in: conversationIds } },
      data: { text: null, payload: Prisma.DbNull, errors: Prisma.DbNull, externalId: null },
    });
    const notifications = await tx.notification.updateMany({
      where: { conversationId: { in: conversationIds } },
      data: { title: ERASED_TITLE, body: "", data: Prisma.DbNull },
    });
    const events = await tx.webhookEvent.deleteMany({ where: { id: { in: eventIds } } });
    const erasedAt = new Date();
    await tx.contact.update({ where: { id: contactId }, data: { waId: null, bsuid: null, phone: null, name: null, erasedAt } });
    // Earlier audit rows about this contact may quote what it was called (e.g. a rename): keep the row, drop the data.
    await tx.auditLog.updateMany({ where: { entityType: "Contact", entityId: contactId }, data: { data: Prisma.DbNull } });
    const result = {
      contactId,
      erasedAt,
      erasedNow: true,
      messagesAnonymized: anonymized.count,
      mediaReferencesDeleted,
      webhookEventsDeleted: events.count,
      notificationsAnonymized: notifications.count,
    };
    const { contactId: _id, erasedAt: _at, erasedNow: _now, ...counts } = result;
    await recordAudit(tx, {
      organizationId: actor.organizationId,
      actorId: actor.userId,
      action: "contact.erased",
      entityType: "Contact",
      entityId: contactId,
      data: counts,
    });
    return result;
  });
}
