import type { PrismaClient } from "./client.js";
import { Role } from "./client.js";

/**
 * The demo data the README lists, written once into an empty database. The demo
 * organization has new-message notifications on, so a newcomer sees them work.
 */
export async function seedDemoData(prisma: PrismaClient): Promise<boolean> {
  if ((await prisma.organization.count()) > 0) return false;
  await prisma.$transaction(async (tx) => {
    const platform = await tx.organization.create({ data: { slug: "aviso", name: "Aviso" } });
    await tx.user.create({ data: { organizationId: platform.id, email: "root@aviso.test", name: "Root", role: Role.SUPER_ADMIN } });

    const demo = await tx.organization.create({ data: { slug: "demo", name: "Demo", notifyNewMessage: true } });
    const support = await tx.queue.create({ data: { organizationId: demo.id, name: "Atendimento" } });
    await tx.whatsAppNumber.create({
      data: {
        organizationId: demo.id,
        phoneNumberId: "100000000000001",
        displayPhoneNumber: "+55 11 4000-0001",
        accessToken: "demo-access-token",
        defaultQueueId: support.id,
      },
    });
    const demoUsers = [
      { email: "admin@demo.test", name: "Ana Admin", role: Role.ORG_ADMIN },
      { email: "agent@demo.test", name: "Bruno Agente", role: Role.AGENT, whatsappNotificationNumber: "+5511988880001", whatsappNumberVerifiedAt: new Date(), notifyOnNewMessage: true },
      { email: "agent2@demo.test", name: "Carla Agente", role: Role.AGENT, whatsappNotificationNumber: "+5511988880002", whatsappNumberVerifiedAt: new Date(), notifyOnNewMessage: true },
      { email: "viewer@demo.test", name: "Vera Viewer", role: Role.VIEWER },
    ];
    for (const user of demoUsers) {
      const created = await tx.user.create({ data: { organizationId: demo.id, ...user } });
      if (user.role === Role.AGENT) {
        await tx.queueMember.create({ data: { organizationId: demo.id, queueId: support.id, userId: created.id } });
      }
    }

    const acme = await tx.organization.create({ data: { slug: "acme", name: "Acme", locale: "en", timeZone: "America/New_York" } });
    const acmeQueue = await tx.queue.create({ data: { organizationId: acme.id, name: "Support" } });
    await tx.whatsAppNumber.create({
      data: {
        organizationId: acme.id,
        phoneNumberId: "100000000000002",
        displayPhoneNumber: "+1 212 555 0002",
        accessToken: "acme-access-token",
        defaultQueueId: acmeQueue.id,
      },
    });
    await tx.user.create({ data: { organizationId: acme.id, email: "admin@acme.test", name: "Alice Admin", role: Role.ORG_ADMIN } });
    const acmeAgent = await tx.user.create({ data: { organizationId: acme.id, email: "agent@acme.test", name: "Andy Agent", role: Role.AGENT } });
    await tx.queueMember.create({ data: { organizationId: acme.id, queueId: acmeQueue.id, userId: acmeAgent.id } });
  });
  return true;
}
