import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { openConversation, receiveMessage } from "../notifications/fixtures.js";

// Hot query documents run compiled (src/server/compiled-execution.ts): a document's first
// two executions go through graphql-js, later ones through graphql-jit. Every answer —
// data, nulls, errors with their codes, paths and locations — must be the same either way.

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
  // Three conversations: three notifications (messages of one conversation coalesce).
  for (let i = 0; i < 3; i++) await receiveMessage(server, await openConversation(server.app.runtime.prisma, { org: "demo", assignee: "agent@demo.test" }));
});
afterAll(() => server?.stop());

/** The same request five times: two interpreted, then compiled. */
async function fiveTimes(query: string, variables: Record<string, unknown> | undefined, token: string | undefined) {
  const answers = [];
  for (let i = 0; i < 5; i++) answers.push(await server.gql(query, variables, token));
  return answers;
}

describe("compiled queries", () => {
  it("answer as the interpreter does: pages, nested relations, enums and dates", async () => {
    const token = await server.token("agent@demo.test");
    const query = `query Inbox($first: Int!, $unread: Boolean) {
      unreadNotificationCount
      notifications(first: $first, unreadOnly: $unread) {
        edges { cursor node { id type title body count createdAt readAt conversation { id number status contact { name } } } }
        pageInfo { hasNextPage endCursor }
      }
      me { email role }
    }`;
    const answers = await fiveTimes(query, { first: 2, unread: true }, token);
    expect(answers[0]!.errors).toBeUndefined();
    expect((answers[0]!.data as { notifications: { edges: unknown[] } }).notifications.edges).toHaveLength(2);
    for (const answer of answers.slice(1)) expect(answer).toEqual(answers[0]);
  });

  it("answer errors as the interpreter does: codes, paths, partial data", async () => {
    const agent = await server.token("agent@demo.test");
    const cases: Array<[string, Record<string, unknown> | undefined, string | undefined, string]> = [
      // A resolver's error on a non-null field: the error, located, and data null.
      [`query { me { email } alert(id: "not-an-alert-id") { id title } }`, undefined, agent, "BAD_USER_INPUT"],
      // A role check: an agent may not list API keys.
      [`query { me { email } apiKeys(first: 5) { edges { node { id } } } }`, undefined, agent, "FORBIDDEN"],
      // Signed out.
      [`query { unreadNotificationCount }`, undefined, undefined, "UNAUTHENTICATED"],
      // A variable of the wrong type, and a negative page size.
      [`query Page($first: Int!) { notifications(first: $first) { edges { node { id } } } }`, { first: "twenty" }, agent, "BAD_USER_INPUT"],
      [`query Page2($first: Int!) { notifications(first: $first) { edges { node { id } } } }`, { first: -1 }, agent, "BAD_USER_INPUT"],
    ];
    for (const [query, variables, token, code] of cases) {
      const answers = await fiveTimes(query, variables, token);
      expect(answers[0]!.errors?.map((e) => e.extensions?.code)).toContain(code);
      for (const answer of answers.slice(1)) expect(answer).toEqual(answers[0]);
    }
  });
});
