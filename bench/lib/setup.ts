import { createPrisma } from "../../src/db/client.js";

export const BENCH_PHONE_NUMBER_ID = "900000000000001";
export const contactWaId = (i: number) => `55119${String(i).padStart(8, "0")}`;

export interface BenchData {
  agents: Array<{ id: string; organizationId: string; role: string }>;
  fanoutAdmins: Array<{ id: string; organizationId: string; role: string }>;
  idleUsers: Array<{ id: string; organizationId: string; role: string }>;
  benchOrgId: string;
}

/** Organizations and users the scenarios need, written straight into the migrated database. */
export async function seedBenchData(databaseUrl: string, sizes: { agents: number; fanoutAdmins: number; idleUsers: number }): Promise<BenchData> {
  const prisma = createPrisma(databaseUrl, 4);
  const org = await prisma.organization.create({ data: { slug: "bench", name: "Bench", coalesceWindowSeconds: 0, conversationSeq: sizes.agents } });
  const queue = await prisma.queue.create({ data: { organizationId: org.id, name: "Bench" } });
  await prisma.whatsAppNumber.create({
    data: {
      organizationId: org.id,
      phoneNumberId: BENCH_PHONE_NUMBER_ID,
      displayPhoneNumber: "+55 11 4000-9999",
      accessToken: "bench",
      defaultQueueId: queue.id,
    },
  });
  await prisma.user.createMany({
    data: Array.from({ length: sizes.agents }, (_, i) => ({
      organizationId: org.id,
      email: `agent${i}@bench.test`,
      name: `Agent ${i}`,
      role: "AGENT" as const,
    })),
  });
  const agents = await prisma.user.findMany({ where: { organizationId: org.id }, orderBy: { email: "asc" } });
  agents.sort((a, b) => Number(a.email.match(/\d+/)![0]) - Number(b.email.match(/\d+/)![0]));
  for (const [i, agent] of agents.entries()) {
    const contact = await prisma.contact.create({ data: { organizationId: org.id, waId: contactWaId(i), phone: contactWaId(i), name: `Cliente ${i}` } });
    await prisma.conversation.create({ data: { organizationId: org.id, number: i + 1, contactId: contact.id, queueId: queue.id, assigneeId: agent.id } });
  }

  const fanout = await prisma.organization.create({ data: { slug: "fanout", name: "Fanout" } });
  await prisma.user.createMany({
    data: Array.from({ length: sizes.fanoutAdmins }, (_, i) => ({
      organizationId: fanout.id,
      email: `admin${i}@fanout.test`,
      name: `Admin ${i}`,
      role: "ORG_ADMIN" as const,
    })),
  });
  const idle = await prisma.organization.create({ data: { slug: "idle", name: "Idle" } });
  await prisma.user.createMany({
    data: Array.from({ length: sizes.idleUsers }, (_, i) => ({
      organizationId: idle.id,
      email: `idle${i}@idle.test`,
      name: `Idle ${i}`,
      role: "AGENT" as const,
    })),
  });
  const result = {
    benchOrgId: org.id,
    agents,
    fanoutAdmins: await prisma.user.findMany({ where: { organizationId: fanout.id } }),
    idleUsers: await prisma.user.findMany({ where: { organizationId: idle.id } }),
  };
  // After a bulk load: fresh statistics and a checkpoint now, so autovacuum and the
  // checkpointer do not wake up in the middle of a measurement.
  await prisma.$executeRawUnsafe("VACUUM ANALYZE");
  await prisma.$executeRawUnsafe("CHECKPOINT");
  await prisma.$disconnect();
  return result;
}
