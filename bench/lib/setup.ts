import { createPrisma } from "../../src/db/client.js";

export const BENCH_PHONE_NUMBER_ID = "900000000000001";
export const contactWaId = (i: number) => `55119${String(i).padStart(8, "0")}`;
/** The broadcast organization's number: its conversations are unassigned, in a queue all its agents belong to. */
export const BROADCAST_PHONE_NUMBER_ID = "900000000000002";
export const broadcastContactWaId = (i: number) => `55219${String(i).padStart(8, "0")}`;

export interface BenchData {
  agents: Array<{ id: string; organizationId: string; role: string }>;
  fanoutAdmins: Array<{ id: string; organizationId: string; role: string }>;
  idleUsers: Array<{ id: string; organizationId: string; role: string }>;
  /** Agents of the broadcast organization: every message there notifies all of them. */
  broadcastAgents: Array<{ id: string; organizationId: string; role: string }>;
  benchOrgId: string;
}

/** Organizations and users the scenarios need, written straight into the migrated database. */
export async function seedBenchData(
  databaseUrl: string,
  sizes: { agents: number; fanoutAdmins: number; idleUsers: number; broadcastAgents?: number },
): Promise<BenchData> {
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
  const broadcastAgents = await seedBroadcast(prisma, sizes.broadcastAgents ?? 0);
  const result = {
    benchOrgId: org.id,
    broadcastAgents,
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

/**
 * The broadcast organization: `agents` agents, all members of one queue; the number's
 * conversations land in that queue and nobody is assigned, so a customer message
 * notifies every agent. One seeded contact and conversation per agent (the webhooks
 * rotate over them), no coalescing: one notification per message per agent
 * (BENCH_BROADCAST_COALESCE_SECONDS=60 instead folds each conversation's next messages
 * into every agent's notification, as the default window does). The agents
 * are online, so they hear new messages in the app only (the organization's
 * notifyNewMessage is off): the scenario measures frames; email is the email scenario's.
 */
async function seedBroadcast(prisma: ReturnType<typeof createPrisma>, agents: number) {
  if (agents === 0) return [];
  const org = await prisma.organization.create({
    data: {
      slug: "broadcast",
      name: "Broadcast",
      coalesceWindowSeconds: Number(process.env.BENCH_BROADCAST_COALESCE_SECONDS ?? 0),
      notifyNewMessage: false,
      conversationSeq: agents,
    },
  });
  const queue = await prisma.queue.create({ data: { organizationId: org.id, name: "Everyone" } });
  await prisma.whatsAppNumber.create({
    data: {
      organizationId: org.id,
      phoneNumberId: BROADCAST_PHONE_NUMBER_ID,
      displayPhoneNumber: "+55 21 4000-9999",
      accessToken: "bench",
      defaultQueueId: queue.id,
    },
  });
  await prisma.user.createMany({
    data: Array.from({ length: agents }, (_, i) => ({
      organizationId: org.id,
      email: `agent${i}@broadcast.test`,
      name: `Broadcast agent ${i}`,
      role: "AGENT" as const,
    })),
  });
  const users = await prisma.user.findMany({ where: { organizationId: org.id }, orderBy: { email: "asc" } });
  await prisma.queueMember.createMany({ data: users.map((u) => ({ queueId: queue.id, userId: u.id, organizationId: org.id })) });
  for (let i = 0; i < agents; i++) {
    const contact = await prisma.contact.create({
      data: { organizationId: org.id, waId: broadcastContactWaId(i), phone: broadcastContactWaId(i), name: `Cliente ${i}` },
    });
    await prisma.conversation.create({ data: { organizationId: org.id, number: i + 1, contactId: contact.id, queueId: queue.id } });
  }
  return users;
}
