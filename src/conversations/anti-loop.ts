import type { Prisma } from "../db/client.js";
import type { MemberDirectory } from "../organizations/member-directory.js";
import { sameWhatsAppNumber } from "./phone.js";

export interface NotificationNumberOwner {
  id: string;
  whatsappNotificationNumber: string | null;
}

/**
 * The organization's users who receive notifications on their own WhatsApp. A message
 * from one of those numbers is an agent answering (or echoing) a notification, not a
 * customer: it must not open a conversation, or every notification could loop.
 */
export function notificationNumberOwners(directory: MemberDirectory): NotificationNumberOwner[] {
  // Only a verified number (or one an ORG_ADMIN set) counts: claiming a customer's number is not enough.
  return directory.members.filter((u) => u.whatsappNotificationNumber !== null && u.whatsappNumberVerified);
}

export function ownerOfNumber(owners: NotificationNumberOwner[], waId: string | undefined): NotificationNumberOwner | undefined {
  if (!waId) return undefined;
  return owners.find((u) => u.whatsappNotificationNumber && sameWhatsAppNumber(u.whatsappNotificationNumber, waId));
}

/**
 * Records that the agent's number wrote to the organization: Meta lets a business send
 * free text for 24 hours after that, so the WhatsApp channel reads this to choose
 * between a plain message and a template. Never moves the time backwards.
 */
export async function noteAgentInbound(tx: Prisma.TransactionClient, userId: string, at: Date): Promise<void> {
  await tx.user.updateMany({
    where: { id: userId, OR: [{ whatsappLastInboundAt: null }, { whatsappLastInboundAt: { lt: at } }] },
    data: { whatsappLastInboundAt: at },
  });
}
