import { WebhookEventStatus, type Prisma, type PrismaClient } from "../db/client.js";

/**
 * A suspended organization's webhooks are kept, not applied (src/organizations/suspension.ts
 * releases them on reactivation). These are the two halves the webhook processor needs.
 */

/**
 * Thrown inside a webhook's transaction when recording a message finds its organization
 * suspended (nothing was written for it): the webhook processor rolls back and holds the event.
 */
export class OrganizationSuspended extends Error {
  constructor(readonly organizationId: string) {
    super("organization suspended");
    this.name = "OrganizationSuspended";
  }
}

/** The first of these organizations that is suspended, if any: one indexed read. */
export async function suspendedAmong(prisma: PrismaClient, organizationIds: string[]): Promise<string | undefined> {
  if (organizationIds.length === 0) return undefined;
  const row = await prisma.organization.findFirst({ where: { id: { in: organizationIds }, suspendedAt: { not: null } }, select: { id: true } });
  return row?.id;
}

export interface EventToHold {
  id: string;
  receivedAt: Date;
  phoneNumberId: string | null;
  /** Set when the raw event is not stored yet (the inline path). */
  unstoredPayload?: Prisma.InputJsonValue;
}

/**
 * Stores (or marks) the event HELD for `organizationId` — unless the organization was
 * reactivated meanwhile: the organization row is read FOR SHARE, so a reactivation
 * (which takes it FOR UPDATE and releases HELD events) either sees this event or
 * happened before, and then false is returned and the caller processes it.
 */
export async function holdWebhookEvent(prisma: PrismaClient, event: EventToHold, organizationId: string): Promise<boolean> {
  return prisma.$transaction(async (tx) => {
    const [organization] = await tx.$queryRaw<Array<{ suspended: boolean }>>`
      SELECT "suspendedAt" IS NOT NULL AS suspended FROM "Organization" WHERE id = ${organizationId}::uuid FOR SHARE`;
    if (!organization?.suspended) return false;
    const held = { status: WebhookEventStatus.HELD, organizationId, phoneNumberId: event.phoneNumberId, error: "organization suspended" };
    if (event.unstoredPayload === undefined) {
      await tx.webhookEvent.update({ where: { id: event.id }, data: held });
    } else {
      await tx.webhookEvent.create({ data: { id: event.id, payload: event.unstoredPayload, receivedAt: event.receivedAt, ...held } });
    }
    return true;
  });
}
