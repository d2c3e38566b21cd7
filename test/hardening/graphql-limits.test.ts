import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { connect, subscribe } from "../helpers/ws.js";

let server: TestServer;
let token: string;

beforeAll(async () => {
  server = await startTestServer({ env: { RATE_LIMIT_MUTATIONS_PER_MINUTE: "3" } });
  token = await server.token("admin@demo.test");
});
afterAll(() => server?.stop());

const nest = (levels: number) => {
  let selection = "id";
  for (let i = 0; i < levels; i++) selection = `conversation { messages { edges { node { ${selection} } } } }`;
  return `{ node(id: "x") { ... on Message { ${selection} } } }`;
};

const hostile: Record<string, string> = {
  "too deep": nest(4),
  "too many aliases": `{ ${Array.from({ length: 40 }, (_, i) => `a${i}: me { email }`).join(" ")} }`,
  "too many tokens": `{ me { ${Array.from({ length: 1200 }, () => "email").join(" ")} } }`,
};

describe("GraphQL limits", () => {
  it("refuses deep, alias-heavy and token-heavy queries over HTTP", async () => {
    for (const [name, query] of Object.entries(hostile)) {
      const result = await server.gql(query, {}, token);
      expect(result.errors?.length, name).toBeGreaterThan(0);
      expect(result.data ?? null, name).toBeNull();
    }
  });

  it("refuses the same queries over WebSocket", async () => {
    const socket = connect(server.wsUrl, `Bearer ${token}`);
    await socket.connected;
    for (const [name, query] of Object.entries(hostile)) {
      const result = await subscribe(socket, query).next();
      expect(result.errors?.length, name).toBeGreaterThan(0);
      expect(result.data ?? null, name).toBeNull();
    }
    await socket.dispose();
  });

  it("does not suggest field names", async () => {
    const result = await server.gql("{ me { emial } }", {}, token);
    expect(result.errors?.[0]?.message).not.toMatch(/did you mean/i);
  });

  it("still answers a normal query", async () => {
    const result = await server.gql("{ me { email } }", {}, token);
    expect(result.errors).toBeUndefined();
  });

  it("limits mutations per user with RATE_LIMITED", async () => {
    const mutation = "mutation { updateOrganizationSettings(input: { coalesceWindowSeconds: 45 }) { slug } }";
    const codes: Array<string | undefined> = [];
    for (let i = 0; i < 5; i++) codes.push((await server.gql(mutation, {}, token)).errors?.[0]?.extensions?.code);
    expect(codes.slice(0, 3)).toEqual([undefined, undefined, undefined]);
    expect(codes.slice(3)).toEqual(["RATE_LIMITED", "RATE_LIMITED"]);
    // Another user has their own budget.
    const other = await server.gql(mutation, {}, await server.token("admin@acme.test"));
    expect(other.errors).toBeUndefined();
  });
});

describe("connection limits and production mode", () => {
  it("refuses WebSocket connection attempts over the per-IP limit", async () => {
    const limited = await startTestServer({ env: { RATE_LIMIT_WS_CONNECTS_PER_MINUTE: "2" } });
    try {
      const auth = `Bearer ${await limited.token("agent@demo.test")}`;
      const first = connect(limited.wsUrl, auth);
      const second = connect(limited.wsUrl, auth);
      await Promise.all([first.connected, second.connected]);
      const third = connect(limited.wsUrl, auth);
      await expect(third.connected).rejects.toThrow();
      await Promise.all([first.dispose(), second.dispose()]);
    } finally {
      await limited.stop();
    }
  });

  it("turns off introspection and GraphiQL and masks error details in production", async () => {
    const production = await startTestServer({ env: { NODE_ENV: "production", GRAPHIQL_ENABLED: "false" } });
    try {
      const introspection = await production.gql("{ __schema { types { name } } }", {}, await production.token("agent@demo.test"));
      expect(introspection.errors?.length).toBeGreaterThan(0);
      const page = await fetch(`${production.url}/graphql`, { headers: { accept: "text/html" } });
      expect(await page.text()).not.toContain("<title>Aviso</title>");
      const syntax = await production.gql("{ me { ", {}, await production.token("agent@demo.test"));
      expect(JSON.stringify(syntax)).not.toMatch(/stack|at .*\.js/);
    } finally {
      await production.stop();
    }
  });
});
