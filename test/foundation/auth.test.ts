import { generateKeyPair, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UnreadNotificationCountChangedDocument } from "../../src/client/index.js";
import { MeDocument, MyEmailDocument } from "../generated/operations.js";
import { eventually } from "../helpers/eventually.js";
import { startTestServer, TEST_JWT_SECRET, type TestServer } from "../helpers/server.js";
import { connect, subscribe } from "../helpers/ws.js";

const ISSUER = "aviso-test";
const AUDIENCE = "aviso-api";

let server: TestServer;
let agent: { id: string; organizationId: string; role: string };

beforeAll(async () => {
  server = await startTestServer({ env: { JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE } });
  agent = await server.app.runtime.prisma.user.findUniqueOrThrow({ where: { email: "agent@demo.test" } });
});
afterAll(() => server?.stop());

const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
const secret = (s: string) => new TextEncoder().encode(s);

function claims(overrides: Record<string, unknown> = {}) {
  return { sub: agent.id, org: agent.organizationId, role: agent.role, iss: ISSUER, aud: AUDIENCE, ...overrides };
}

async function hs256(payload: Record<string, unknown>, key = TEST_JWT_SECRET, exp: number | string = "1h") {
  return new SignJWT(payload).setProtectedHeader({ alg: "HS256" }).setIssuedAt().setExpirationTime(exp).sign(secret(key));
}

/** Each bad credential, as the Authorization header value it is sent with. */
async function attackCorpus(): Promise<Record<string, string>> {
  const valid = await hs256(claims());
  const [header, , signature] = valid.split(".");
  const { privateKey } = await generateKeyPair("RS256");
  const now = Math.floor(Date.now() / 1000);
  return {
    "a malformed header": "Bearer",
    "a non-bearer scheme": `Basic ${Buffer.from("agent:secret").toString("base64")}`,
    "garbage instead of a JWT": "Bearer not.a.jwt",
    "alg none": `Bearer ${encode({ alg: "none", typ: "JWT" })}.${encode({ ...claims(), exp: now + 3600 })}.`,
    "another key's signature": `Bearer ${await hs256(claims(), "some-other-secret-of-sufficient-length")}`,
    "tampered claims": `Bearer ${header}.${encode({ ...claims({ role: "SUPER_ADMIN" }), exp: now + 3600 })}.${signature}`,
    "an expired token": `Bearer ${await hs256(claims(), TEST_JWT_SECRET, now - 60)}`,
    "a wrong audience": `Bearer ${await hs256(claims({ aud: "someone-else" }))}`,
    "a wrong issuer": `Bearer ${await hs256(claims({ iss: "evil" }))}`,
    "an RS256 token (algorithm confusion)": `Bearer ${await new SignJWT(claims()).setProtectedHeader({ alg: "RS256" }).setExpirationTime("1h").sign(privateKey)}`,
    "a token without exp": `Bearer ${await new SignJWT(claims()).setProtectedHeader({ alg: "HS256" }).sign(secret(TEST_JWT_SECRET))}`,
    "claims that are not ours": `Bearer ${await hs256({ sub: "root", iss: ISSUER, aud: AUDIENCE })}`,
  };
}

describe("HTTP", () => {
  it("answers `me` for a valid token", async () => {
    const result = await server.gql(MeDocument, {}, await server.token("agent@demo.test"));
    expect(result.errors).toBeUndefined();
    expect(result.data?.me).toMatchObject({ email: "agent@demo.test", role: "AGENT", organization: { slug: "demo" } });
  });

  it("refuses a request with no token with UNAUTHENTICATED", async () => {
    const result = await server.gql("{ me { email } }");
    expect(result.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    expect(result.data?.me ?? null).toBeNull();
  });

  it("refuses every token of the attack corpus with UNAUTHENTICATED", async () => {
    for (const [name, header] of Object.entries(await attackCorpus())) {
      const result = await server.gql("{ me { email } }", {}, { header });
      expect(result.errors?.[0]?.extensions?.code, name).toBe("UNAUTHENTICATED");
      expect(JSON.stringify(result.data ?? null), name).not.toContain("agent@demo.test");
    }
  });

  it("says FORBIDDEN when the role is too low", async () => {
    const result = await server.gql(
      "mutation { updateOrganizationSettings(input: { coalesceWindowSeconds: 30 }) { coalesceWindowSeconds } }",
      {},
      await server.token("viewer@demo.test"),
    );
    expect(result.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });
});

describe("WebSocket", () => {
  it("runs operations for a valid token in connectionParams", async () => {
    const socket = connect(server.wsUrl, `Bearer ${await server.token("agent@demo.test")}`);
    await socket.connected;
    const me = subscribe(socket, MyEmailDocument);
    expect((await me.next()).data?.me.email).toBe("agent@demo.test");
    const count = subscribe(socket, UnreadNotificationCountChangedDocument);
    expect((await count.next()).data?.unreadNotificationCountChanged).toBe(0);
    await socket.dispose();
  });

  it("closes a socket that brings no token", async () => {
    const socket = connect(server.wsUrl);
    await expect(socket.connected).rejects.toThrow();
    expect(await socket.closed).toBe(4403);
  });

  it("closes the socket for every token of the attack corpus", async () => {
    for (const [name, header] of Object.entries(await attackCorpus())) {
      const socket = connect(server.wsUrl, header);
      await expect(socket.connected, name).rejects.toThrow();
      expect(await socket.closed, name).toBe(4403);
    }
  });

  it("closes the socket of a user deactivated since it connected, at their next operation", async () => {
    const prisma = server.app.runtime.prisma;
    const socket = connect(server.wsUrl, `Bearer ${await server.token("agent2@demo.test")}`);
    await socket.connected;
    expect((await subscribe(socket, MyEmailDocument).next()).data?.me.email).toBe("agent2@demo.test");
    await prisma.user.update({ where: { email: "agent2@demo.test" }, data: { active: false } });
    try {
      // A user's standing is kept 5 s per process: operations keep coming until one is refused.
      const code = await eventually(
        async () => {
          subscribe(socket, "{ me { email } }");
          return Promise.race([socket.closed, new Promise<undefined>((resolve) => setTimeout(resolve, 250))]);
        },
        { what: "the server to close the socket", timeoutMs: 15_000 },
      );
      expect(code).toBe(4403);
    } finally {
      await prisma.user.update({ where: { email: "agent2@demo.test" }, data: { active: true } });
    }
  });

  it("closes a socket when its token expires", async () => {
    const socket = connect(server.wsUrl, `Bearer ${await hs256(claims(), TEST_JWT_SECRET, Math.floor(Date.now() / 1000) + 2)}`);
    await socket.connected;
    expect(await socket.closed).toBe(4401);
  });
});
