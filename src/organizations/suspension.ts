import { z } from "zod";
import { announceStandingChange } from "../auth/standing-changes.js";
import { recordAudit } from "../audit/record.js";
import { WebhookEventStatus, type Organization } from "../db/client.js";
import { invalidInput, notFound } from "../errors.js";
import type { Runtime } from "../runtime.js";
import type { ServiceContext } from "../service-context.js";
import { reprocessWebhookEventJob } from "../webhooks/meta/jobs.js";

/**
 * A super admin suspends an organization (unpaid, abusive, leaving): from then on its
 * people's tokens and its API keys are refused, its open sockets closed, and its
 * webhooks kept HELD (src/organizations/held-webhooks.ts). Reactivating it releases
 * every held webhook to the reprocess job, once each: nothing Meta sent is lost.
 */
// Super admins act on other organizations: the unscoped client (runtime.prisma), on purpose.
export async function suspendOrganization({ runtime, actor }: ServiceContext, organizationId: string): Promise<Organization> {
  const organization = await runtime.prisma.$transaction(async (tx) => {
    const before = await existing(tx, organizationId);
    if (before.id === actor.organizationId) throw invalidInput("id", "you cannot suspend your own organization");
    if (before.suspendedAt) return before;
    const organization = await tx.organization.update({ where: { id: before.id }, data: { suspendedAt: new Date() } });
    await recordAudit(tx, { organizationId: before.id, actor, action: "organization.suspended", entityType: "Organization", entityId: before.id });
    return organization;
  });
  await announceStandingChange(runtime, { userIds: [], organizationId: organization.id });
  return organization;
}

// Held events are handed back in pages, inside the reactivation's transaction.
const RELEASE_PAGE = 1000;

export async function reactivateOrganization({ runtime, actor }: ServiceContext, organizationId: string): Promise<Organization> {
  if (!z.string().uuid().safeParse(organizationId).success) throw notFound("organization");
  const organization = await runtime.prisma.$transaction(
    async (tx) => {
      // FOR UPDATE: a webhook being held right now (FOR SHARE) is either seen below or processed by its sender.
      await tx.$queryRaw`SELECT 1 FROM "Organization" WHERE id = ${organizationId}::uuid FOR UPDATE`;
      const before = await existing(tx, organizationId);
      if (!before.suspendedAt) return before;
      const organization = await tx.organization.update({ where: { id: before.id }, data: { suspendedAt: null } });
      let released = 0;
      for (;;) {
        const held = await tx.webhookEvent.findMany({
          where: { organizationId: before.id, status: WebhookEventStatus.HELD },
          orderBy: { receivedAt: "asc" },
          select: { id: true },
          take: RELEASE_PAGE,
        });
        if (held.length === 0) break;
        const ids = held.map((e) => e.id);
        await tx.webhookEvent.updateMany({ where: { id: { in: ids } }, data: { status: WebhookEventStatus.RECEIVED, error: null } });
        for (const id of ids) await runtime.jobs.send(reprocessWebhookEventJob, { webhookEventId: id }, { tx, singletonKey: id });
        released += ids.length;
      }
      await recordAudit(tx, {
        organizationId: before.id,
        actor,
        action: "organization.reactivated",
        entityType: "Organization",
        entityId: before.id,
        data: { webhooksReleased: released },
      });
      return organization;
    },
    { timeout: 60_000 },
  );
  await announceStandingChange(runtime, { userIds: [], organizationId: organization.id });
  return organization;
}

async function existing(tx: Pick<Runtime["prisma"], "organization">, organizationId: string): Promise<Organization> {
  if (!z.string().uuid().safeParse(organizationId).success) throw notFound("organization");
  const organization = await tx.organization.findUnique({ where: { id: organizationId } });
  if (!organization) throw notFound("organization");
  return organization;
}
