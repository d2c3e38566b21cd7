import { encodeGlobalID } from "@pothos/plugin-relay";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signToken } from "../../src/auth/jwt.js";
import type { ConversationStatus, Prisma } from "../../src/db/client.js";
import { conversationSearchSql } from "../../src/conversations/search.js";
import { ConversationIdsPageDocument as LIST, type ConversationIdsPageQuery as Page } from "../generated/operations.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { createInboxOrganization, fold, type SeededConversation } from "./fixtures.js";

// 200 conversations with every mix of status, queue and assignee; names, phones and
// message texts chosen so a few searches hit known rows. Each filter and combination is
// checked against the set computed here, in JavaScript, from what was seeded.

let server: TestServer;
let org: Awaited<ReturnType<typeof createInboxOrganization>>;
let token: string;
const seeded: SeededConversation[] = [];

const STATUSES: ConversationStatus[] = ["OPEN", "PENDING", "RESOLVED"];
const NAMES = ["João Pereira", "Maria Conceição", "JOAO Lima", "Joana Prado", "Pedro Álvares", "Luíza Souza", "Ana Júlia"];

beforeAll(async () => {
  server = await startTestServer();
  const { prisma } = server.app.runtime;
  org = await createInboxOrganization(prisma, "filters");
  token = await signToken(server.config, org.agentA, "1h");
  const queues = [org.support.id, org.sales.id, null];
  const assignees = [org.agentA.id, org.agentB.id, org.admin.id, null];
  const base = Date.parse("2026-11-01T12:00:00Z");
  const contacts: Prisma.ContactCreateManyInput[] = [];
  const conversations: Prisma.ConversationCreateManyInput[] = [];
  const messages: Prisma.MessageCreateManyInput[] = [];
  for (let i = 0; i < 200; i++) {
    const contactId = crypto.randomUUID();
    const id = crypto.randomUUID();
    // The one contact whose number the phone searches look for; the others differ in every 9-digit window.
    const phone = i === 17 ? "5511987654321" : `55219${String(10_000_000 + i * 7919).padStart(8, "0")}`;
    const name = `${NAMES[i % NAMES.length]} ${i}`;
    const texts = [`Olá, mensagem número ${i}`, i % 23 === 5 ? "Não recebi a promoção da geladeira" : `Obrigado pelo atendimento ${i}`];
    // Spread so that no two conversations share a time (a stable expected order).
    // A few never had activity (lastMessageAt null): they sort last, by id.
    const lastMessageAt = i % 50 === 49 ? null : new Date(base + ((i * 7_919) % 200) * 60_000 + i);
    const row: SeededConversation = {
      id,
      status: STATUSES[i % 3]!,
      queueId: queues[Math.floor(i / 3) % 3]!,
      assigneeId: assignees[Math.floor(i / 9) % 4]!,
      lastMessageAt,
      contactName: name,
      contactPhone: phone,
      texts,
    };
    seeded.push(row);
    contacts.push({ id: contactId, organizationId: org.organizationId, waId: phone, phone, name, lastMessageAt });
    conversations.push({
      id,
      organizationId: org.organizationId,
      number: i + 1,
      contactId,
      status: row.status,
      queueId: row.queueId,
      assigneeId: row.assigneeId,
      lastMessageAt,
    });
    texts.forEach((text, k) => {
      messages.push({
        organizationId: org.organizationId,
        conversationId: id,
        direction: "INBOUND" as const,
        type: "TEXT" as const,
        text,
        createdAt: new Date((lastMessageAt ?? new Date(base)).getTime() - (1 - k) * 1000),
      });
    });
  }
  await prisma.contact.createMany({ data: contacts });
  await prisma.conversation.createMany({ data: conversations });
  await prisma.message.createMany({ data: messages });
}, 60_000);
afterAll(() => server?.stop());

interface Filter {
  status?: ConversationStatus;
  queueId?: string;
  assigneeId?: string;
  unassigned?: boolean;
  search?: string;
}

/** Every id the API lists for the filter, following the pages. */
async function listAll(filter: Filter): Promise<string[]> {
  const variables = {
    ...filter,
    ...(filter.queueId ? { queueId: encodeGlobalID("Queue", filter.queueId) } : {}),
    ...(filter.assigneeId ? { assigneeId: encodeGlobalID("User", filter.assigneeId) } : {}),
  };
  const ids: string[] = [];
  let after: string | null = null;
  for (let page = 0; page < 20; page++) {
    const result: { data?: Page | null; errors?: unknown[] } = await server.gql(LIST, { ...variables, first: 40, after }, token);
    expect(result.errors, JSON.stringify(filter)).toBeUndefined();
    const connection: Page["conversations"] = result.data!.conversations;
    ids.push(...connection.edges.map((e) => Buffer.from(e.node.id, "base64").toString("utf8").split(":")[1]!));
    if (!connection.pageInfo.hasNextPage) return ids;
    after = connection.pageInfo.endCursor;
  }
  throw new Error("more pages than conversations");
}

/** Words of a text as the search tokenizes them (folded). */
const words = (text: string) =>
  fold(text)
    .split(/[^a-z0-9]+/)
    .filter(Boolean);

function matchesSearch(row: SeededConversation, search: string): boolean {
  const digits = /^[\d\s()+\-./]+$/.test(search) ? search.replace(/\D/g, "") : "";
  if (fold(row.contactName).includes(fold(search.trim()))) return true;
  if (digits.length >= 4 && row.contactPhone.includes(digits)) return true;
  const wanted = words(search);
  // Words are matched per conversation: each word in some message of it.
  return wanted.length > 0 && wanted.every((w) => row.texts.some((text) => words(text).includes(w)));
}

function expected(filter: Filter): string[] {
  return seeded
    .filter((row) => !filter.status || row.status === filter.status)
    .filter((row) => !filter.queueId || row.queueId === filter.queueId)
    .filter((row) => !filter.assigneeId || row.assigneeId === filter.assigneeId)
    .filter((row) => filter.unassigned === undefined || (filter.unassigned ? row.assigneeId === null : row.assigneeId !== null))
    .filter((row) => filter.search === undefined || matchesSearch(row, filter.search))
    .sort((a, b) => (b.lastMessageAt?.getTime() ?? -Infinity) - (a.lastMessageAt?.getTime() ?? -Infinity) || (a.id < b.id ? 1 : -1))
    .map((row) => row.id);
}

describe("conversations(...) over a seeded organization of 200 conversations", () => {
  it("returns exactly the expected set, in order of last activity, for every filter and combination", async () => {
    const statuses = [undefined, ...STATUSES];
    const queues = [undefined, org.support.id, org.sales.id];
    const assignment: Array<Pick<Filter, "assigneeId" | "unassigned">> = [
      {},
      { assigneeId: org.agentA.id },
      { assigneeId: org.admin.id },
      { unassigned: true },
      { unassigned: false },
      { assigneeId: org.agentB.id, unassigned: true },
    ];
    let checked = 0;
    let nonEmpty = 0;
    for (const status of statuses) {
      for (const queueId of queues) {
        for (const who of assignment) {
          const filter: Filter = { ...(status ? { status } : {}), ...(queueId ? { queueId } : {}), ...who };
          const want = expected(filter);
          expect(await listAll(filter), JSON.stringify(filter)).toEqual(want);
          checked += 1;
          if (want.length > 0) nonEmpty += 1;
        }
      }
    }
    expect(checked).toBe(72);
    // The seeding spreads rows over the combinations: most of them hold some.
    expect(nonEmpty).toBeGreaterThan(50);
  }, 120_000);

  it("finds João from “joao”, a phone from any spelling of its digits, and a word inside a message", async () => {
    const joao = await listAll({ search: "joao" });
    expect(joao).toEqual(expected({ search: "joao" }));
    expect(joao.length).toBeGreaterThan(30);
    const names = joao.map((id) => seeded.find((row) => row.id === id)!.contactName);
    expect(names.some((name) => name.startsWith("João"))).toBe(true);
    expect(names.every((name) => fold(name).includes("joao"))).toBe(true);

    const phone = seeded[17]!.id;
    expect(await listAll({ search: "987654321" })).toEqual([phone]);
    expect(await listAll({ search: "+55 (11) 98765-4321" })).toEqual([phone]);

    const promo = await listAll({ search: "geladeira" });
    expect(promo).toEqual(expected({ search: "geladeira" }));
    expect(promo.length).toBeGreaterThan(5);
    // Accents folded on both sides: "promocao" finds "promoção".
    expect(await listAll({ search: "promocao" })).toEqual(promo);
  }, 60_000);

  it("combines search with every other filter", async () => {
    for (const search of ["joao", "geladeira", "Conceição"]) {
      for (const filter of [
        { status: "OPEN" as const },
        { queueId: org.sales.id },
        { assigneeId: org.agentB.id },
        { unassigned: true },
        { status: "PENDING" as const, queueId: org.support.id, unassigned: false },
      ]) {
        const combined = { ...filter, search };
        expect(await listAll(combined), JSON.stringify(combined)).toEqual(expected(combined));
      }
    }
  }, 60_000);

  it("finds the same conversations when a word counts as common (walking the inbox order) as when its matches are sorted", async () => {
    const { prisma } = server.app.runtime;
    // Threshold 1: any word with a match takes the walk that frequent words take in a large inbox.
    const walked = async (filter: Filter & { search: string }) => {
      const ids: string[] = [];
      for (let afterId: string | undefined; ; ) {
        const sql = conversationSearchSql(org.organizationId, filter, { take: 7, ...(afterId ? { afterId } : {}) }, 1);
        const page = (await prisma.$queryRaw<Array<{ id: string }>>(sql)).map((r) => r.id);
        ids.push(...page);
        if (page.length < 7) return ids;
        afterId = page.at(-1);
      }
    };
    for (const search of ["geladeira", "promocao", "joao"]) {
      for (const filter of [{}, { status: "OPEN" as const }, { unassigned: true }, { queueId: org.support.id, unassigned: false }]) {
        const combined = { ...filter, search };
        expect(await walked(combined), JSON.stringify(combined)).toEqual(expected(combined));
      }
    }
  }, 60_000);

  it("refuses an empty or overlong search and foreign ids as input errors", async () => {
    for (const search of ["   ", "x".repeat(101)]) {
      const result = await server.gql(LIST, { search }, token);
      expect(result.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "search" });
    }
    const wrongType = await server.gql(LIST, { queueId: encodeGlobalID("User", org.agentA.id) }, token);
    expect(wrongType.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  });

  it("never lists another organization's conversations, whatever the filter", async () => {
    const demoAgent = await server.token("agent@demo.test");
    for (const filter of [{ search: "joao" }, { queueId: encodeGlobalID("Queue", org.support.id) }, { assigneeId: encodeGlobalID("User", org.agentA.id) }]) {
      const result: { data?: Page | null; errors?: unknown[] } = await server.gql(LIST, filter, demoAgent);
      expect(result.errors).toBeUndefined();
      const ids = result.data!.conversations.edges.map((e) => Buffer.from(e.node.id, "base64").toString("utf8").split(":")[1]);
      expect(ids.filter((id) => seeded.some((row) => row.id === id))).toEqual([]);
    }
  });
});
