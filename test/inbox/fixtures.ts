import { randomUUID } from "node:crypto";
import type { ConversationStatus, PrismaClient } from "../../src/db/client.js";

/** A fresh organization with its own admin, agents and queues, so a test's expectations count only its rows. */
export async function createInboxOrganization(prisma: PrismaClient, label: string) {
  const suffix = randomUUID().slice(0, 8);
  const organization = await prisma.organization.create({ data: { slug: `${label}-${suffix}`, name: `Inbox ${label}` } });
  const organizationId = organization.id;
  const user = (name: string, role: "ORG_ADMIN" | "AGENT" | "VIEWER", extra: { whatsappNotificationNumber?: string; active?: boolean } = {}) =>
    prisma.user.create({ data: { organizationId, email: `${name.toLowerCase().replace(/\W/g, "")}-${suffix}@${label}.test`, name, role, ...extra } });
  const admin = await user("Ana Admin", "ORG_ADMIN", { whatsappNotificationNumber: "+5511900000001" });
  const agentA = await user("Bruno Agente", "AGENT", { whatsappNotificationNumber: "+5511900000002" });
  const agentB = await user("Célia Agente", "AGENT");
  const agentC = await user("Davi Vendas", "AGENT");
  const viewer = await user("Eva Leitora", "VIEWER");
  const retired = await user("Fábio Antigo", "AGENT", { active: false });
  const support = await prisma.queue.create({ data: { organizationId, name: "Atendimento" } });
  const sales = await prisma.queue.create({ data: { organizationId, name: "Vendas" } });
  await prisma.queueMember.createMany({
    data: [
      { organizationId, queueId: support.id, userId: agentA.id },
      { organizationId, queueId: support.id, userId: agentB.id },
      { organizationId, queueId: sales.id, userId: agentC.id },
    ],
  });
  return { organizationId, admin, agentA, agentB, agentC, viewer, retired, support, sales };
}

export interface SeededConversation {
  id: string;
  status: ConversationStatus;
  queueId: string | null;
  assigneeId: string | null;
  lastMessageAt: Date | null;
  contactName: string;
  contactPhone: string;
  texts: string[];
}

/** Accent- and case-folded, as the search compares. */
export const fold = (text: string) => text.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
