import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { readInboxPage } from "../../src/notifications/inbox-page.js";
import { createUser, openConversation, orgId, raise, receiveMessage } from "./fixtures.js";

// A page that selects no relation is read with one SQL statement (src/notifications/inbox-page.ts);
// one that selects `conversation` goes through Prisma. Both must give the same page.

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.stop());

const SCALARS = "id type title body count createdAt updatedAt readAt archivedAt";
const page = (withRelation: boolean) => `query Page($first: Int, $after: String, $last: Int, $before: String, $unreadOnly: Boolean, $type: NotificationType) {
  notifications(first: $first, after: $after, last: $last, before: $before, unreadOnly: $unreadOnly, type: $type) {
    edges { cursor node { ${SCALARS} ${withRelation ? "conversation { id }" : ""} } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}`;

interface Page {
  notifications: {
    edges: Array<{ cursor: string; node: Record<string, unknown> }>;
    pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  };
}

describe("a page of the inbox read with SQL", () => {
  it("equals the page Prisma reads, for every way of paging and filtering", async () => {
    const { prisma } = server.app.runtime;
    const agent = await createUser(prisma, "demo", "AGENT");
    const token = await server.token(agent.email);
    const demoId = await orgId(prisma, "demo");
    for (let i = 0; i < 7; i++) {
      const conversation = await openConversation(prisma, { org: "demo", assignee: agent.email });
      await receiveMessage(server, conversation, `mensagem ${i}`);
      if (i % 2 === 0) await raise(server, { type: "CONVERSATION_ASSIGNED", organizationId: demoId, conversationId: conversation.id, assigneeId: agent.id });
    }
    const rows = await prisma.notification.findMany({ where: { userId: agent.id }, orderBy: { seq: "asc" } });
    await prisma.notification.updateMany({ where: { id: { in: [rows[1]!.id, rows[4]!.id, rows[8]!.id] } }, data: { readAt: new Date() } });
    await prisma.notification.update({ where: { id: rows[6]!.id }, data: { archivedAt: new Date() } });

    const both = async (variables: Record<string, unknown>) => {
      const plain = await server.gql<Page>(page(false), variables, token);
      const related = await server.gql<Page>(page(true), variables, token);
      expect(plain.errors).toBeUndefined();
      expect(related.errors).toBeUndefined();
      const withoutRelation = related.data!.notifications.edges.map(({ cursor, node: { conversation: _c, ...node } }) => ({ cursor, node }));
      expect(plain.data!.notifications.edges).toEqual(withoutRelation);
      expect(plain.data!.notifications.pageInfo).toEqual(related.data!.notifications.pageInfo);
      return plain.data!.notifications;
    };

    const all = await both({ first: 50 });
    expect(all.edges).toHaveLength(rows.length - 1);
    const cursors = all.edges.map((e) => e.cursor);
    await both({ first: 3 });
    await both({ first: 3, after: cursors[2] });
    await both({ first: 3, after: cursors.at(-2) });
    await both({ last: 4 });
    await both({ last: 2, before: cursors[5] });
    await both({ first: 5, unreadOnly: true });
    await both({ first: 2, unreadOnly: true, after: cursors[0] });
    await both({ first: 5, type: "CONVERSATION_ASSIGNED" });
    await both({ first: 5, type: "NEW_MESSAGE", unreadOnly: true, after: cursors[1] });
    await both({ first: 0 });
    // A cursor of no row gives an empty page on both paths.
    const gone = Buffer.from("GPC:S:0196f6d2-0000-7000-8000-000000000000").toString("base64");
    expect((await both({ first: 3, after: gone })).edges).toEqual([]);
  });

  it("reads first pages asked for together in one statement, each owner getting only its own page", async () => {
    const { prisma } = server.app.runtime;
    const owners = [await createUser(prisma, "demo", "AGENT"), await createUser(prisma, "demo", "AGENT"), await createUser(prisma, "acme", "AGENT")];
    for (const [i, owner] of owners.entries()) {
      for (let m = 0; m <= i + 1; m++) {
        const conversation = await openConversation(prisma, { org: owner.email.endsWith("@acme.test") ? "acme" : "demo", assignee: owner.email });
        await receiveMessage(server, conversation, `para ${i}, ${m}`);
      }
    }
    const filters = await Promise.all(
      owners.map(async (owner) => ({ userId: owner.id, organizationId: (await prisma.user.findUniqueOrThrow({ where: { id: owner.id } })).organizationId })),
    );
    const pageOf = (filter: (typeof filters)[number]) => readInboxPage(server.app.runtime, filter, { take: 2 });
    const alone = [];
    for (const filter of filters) alone.push(await pageOf(filter));
    // Asked for in one turn: one batch, three owners (and one asking twice).
    const together = await Promise.all([...filters, filters[0]!].map(pageOf));
    expect(together.slice(0, 3)).toEqual(alone);
    expect(together[3]).toEqual(alone[0]);
    for (const [i, page] of alone.entries()) {
      expect(page).toHaveLength(2);
      expect(page.every((n) => n.userId === owners[i]!.id)).toBe(true);
      expect(page[0]!.seq > page[1]!.seq).toBe(true);
    }
    // The same through HTTP, concurrently.
    const tokens = await Promise.all(owners.map((o) => server.token(o.email)));
    const answers = await Promise.all(tokens.map((token) => server.gql<Page>(page(false), { first: 2 }, token)));
    for (const [i, answer] of answers.entries()) expect(answer.data!.notifications.edges.map((e) => e.node.title)).toEqual(alone[i]!.map((n) => n.title));
  });
});
