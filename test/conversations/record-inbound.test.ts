import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordInboundMessage } from "../../src/conversations/record-inbound.js";
import { createPrisma, type PrismaClient } from "../../src/db/client.js";
import { loadSubject } from "../../src/notifications/subject.js";
import { createTestDatabase, type TestDatabase } from "../helpers/db.js";

// A webhook's message is recorded and its notification subject read in one statement
// (aviso_record_inbound_with_subject); the engine then skips its own read. That subject must
// be exactly what the engine's read (loadSubject) gives in the same transaction — for a new
// conversation, one reopened, one muted by an agent and a contact known only by its number.

let database: TestDatabase;
let prisma: PrismaClient;
let organizationId: string;
let queueId: string;

beforeAll(async () => {
  database = await createTestDatabase();
  prisma = createPrisma(database.url, 2);
  organizationId = (await prisma.organization.findUniqueOrThrow({ where: { slug: "demo" } })).id;
  queueId = (await prisma.queue.findFirstOrThrow({ where: { organizationId } })).id;
});
afterAll(async () => {
  await prisma?.$disconnect();
  await database?.drop();
});

let sequence = 0;
const message = (text: string) => ({ externalId: `wamid.subject-${++sequence}`, type: "TEXT" as const, text, payload: { text }, sentAt: new Date() });

/** Records one message and returns both subjects, read in the same transaction. */
async function bothSubjects(sender: { waId?: string; bsuid?: string; profileName?: string }, text: string) {
  return prisma.$transaction(async (tx) => {
    const recorded = await recordInboundMessage(tx, { organizationId, queueId, sender, message: message(text) });
    if (!recorded.stored) throw new Error("not stored");
    const read = await loadSubject(tx, { type: "NEW_MESSAGE", organizationId, conversationId: recorded.conversationId, messageId: recorded.messageId });
    return { recorded, read };
  });
}

describe("the subject recorded with an inbound message", () => {
  it("is the engine's own read: new conversation, the next message, reopened, muted, nameless", async () => {
    const first = await bothSubjects({ waId: "5511966660001", profileName: "Joana" }, "primeira");
    expect(first.recorded.subject).toEqual(first.read);
    expect(first.recorded.subject).toMatchObject({ conversation: { contactName: "Joana", queueId }, message: { text: "primeira", type: "TEXT" } });

    const next = await bothSubjects({ waId: "5511966660001" }, "segunda");
    expect(next.recorded.subject).toEqual(next.read);
    expect(next.recorded.subject.conversation?.awaitingReplySince).toEqual(first.recorded.subject.conversation?.awaitingReplySince);

    const conversationId = first.recorded.conversationId;
    const agent = await prisma.user.findUniqueOrThrow({ where: { email: "agent@demo.test" } });
    await prisma.conversationMute.create({ data: { organizationId, conversationId, userId: agent.id, until: new Date(Date.now() + 3_600_000) } });
    const muted = await bothSubjects({ waId: "5511966660001" }, "terceira");
    expect(muted.recorded.subject).toEqual(muted.read);
    expect(muted.recorded.subject.conversation?.mutedUserIds).toEqual([agent.id]);

    await prisma.conversation.update({ where: { id: conversationId }, data: { status: "RESOLVED", resolvedAt: new Date(), assigneeId: agent.id } });
    const reopened = await bothSubjects({ waId: "5511966660001" }, "voltei");
    expect(reopened.recorded.conversationId).toBe(conversationId);
    expect(reopened.recorded.subject).toEqual(reopened.read);
    expect(reopened.recorded.subject.conversation).toMatchObject({ assigneeId: agent.id, number: first.recorded.subject.conversation?.number });

    const nameless = await bothSubjects({ waId: "5511966660002" }, "sem nome");
    expect(nameless.recorded.subject).toEqual(nameless.read);
    expect(nameless.recorded.subject.conversation?.contactName).toBe("+5511966660002");
  });

  it("is not read for a redelivered message: nothing was stored", async () => {
    const again = message("duas vezes");
    const sender = { waId: "5511966660003" };
    await prisma.$transaction((tx) => recordInboundMessage(tx, { organizationId, queueId, sender, message: again }));
    const redelivered = await prisma.$transaction((tx) => recordInboundMessage(tx, { organizationId, queueId, sender, message: again }));
    expect(redelivered).toEqual({ stored: false, membersVersion: expect.any(Number) });
  });
});
