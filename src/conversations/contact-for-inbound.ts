import type { Contact, Prisma } from "../db/client.js";

/** Who wrote, as the webhook names them: the phone's digits and/or the business-scoped user id. */
export interface SenderIdentity {
  waId?: string;
  bsuid?: string;
  profileName?: string;
}

/**
 * Finds or creates the organization's contact for a sender, keeping the latest
 * profile name and learning the BSUID when Meta starts sending it. The upsert locks
 * the contact's row until commit, so concurrent webhooks from one customer take
 * turns: the rest of the inbound path can read-then-write without races.
 */
export async function contactForInbound(tx: Prisma.TransactionClient, organizationId: string, sender: SenderIdentity): Promise<Contact> {
  const { waId, bsuid, profileName } = sender;
  const known = {
    ...(profileName ? { name: profileName } : {}),
    ...(waId ? { waId, phone: `+${waId}` } : {}),
    ...(bsuid ? { bsuid } : {}),
  };
  if (waId) {
    return tx.contact.upsert({
      where: { organizationId_waId: { organizationId, waId } },
      create: { organizationId, ...known },
      update: { ...(profileName ? { name: profileName } : {}), ...(bsuid ? { bsuid } : {}) },
    });
  }
  if (!bsuid) throw new Error("an inbound message needs a wa_id or a user_id");
  // Only the BSUID: the customer hid their number behind a username.
  return tx.contact.upsert({
    where: { organizationId_bsuid: { organizationId, bsuid } },
    create: { organizationId, ...known },
    update: profileName ? { name: profileName } : {},
  });
}
