import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { provisionedRole } from "../../src/auth/auto-provision.js";
import { loadConfig } from "../../src/config/index.js";
import { startHttpFake, type HttpFake } from "../helpers/http-fake.js";
import { startTestServer, type TestServer } from "../helpers/server.js";

// Single sign-on: an identity provider's verified token names an organization and an
// email; Aviso creates the person on first sight, with a role it does not simply trust.

const ISSUER = "https://idp.test/";
const AUDIENCE = "aviso";
let server: TestServer;
let jwks: HttpFake;
let key: { privateKey: CryptoKey };

beforeAll(async () => {
  const pair = await generateKeyPair("RS256", { extractable: true });
  key = pair;
  jwks = await startHttpFake({ status: 200, body: { keys: [{ ...(await exportJWK(pair.publicKey)), kid: "idp-1", alg: "RS256", use: "sig" }] } });
  server = await startTestServer({
    env: {
      JWT_SECRET: "",
      JWT_JWKS_URL: `${jwks.url}/.well-known/jwks.json`,
      JWT_ISSUER: ISSUER,
      JWT_AUDIENCE: AUDIENCE,
      JWT_AUTO_PROVISION: "true",
      JWT_ORG_CLAIM: "https://aviso/org",
      JWT_EMAIL_CLAIM: "email",
      JWT_ROLE_CLAIM: "https://aviso/role",
      JWT_TRUSTED_ROLES: "ORG_ADMIN",
    },
  });
}, 60_000);

afterAll(async () => {
  await server?.stop();
  await jwks?.close();
});

async function idpToken(claims: JWTPayload, signer: CryptoKey = key.privateKey): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: "RS256", kid: "idp-1" }).setIssuer(ISSUER).setAudience(AUDIENCE).setSubject("idp|123").setIssuedAt().setExpirationTime("10m").sign(signer);
}

const ME = "{ me { email name role organization { slug } } }";

describe("JWT_AUTO_PROVISION", () => {
  it("creates a person on first sight from verified claims, role capped at AGENT unless trusted", async () => {
    const asAdmin = await idpToken({ email: "Nova@Demo.test", name: "Nova", "https://aviso/org": "demo", "https://aviso/role": "ORG_ADMIN" });
    expect((await server.gql(ME, {}, asAdmin)).data).toEqual({ me: { email: "nova@demo.test", name: "Nova", role: "ORG_ADMIN", organization: { slug: "demo" } } });
    const demo = await server.app.runtime.prisma.organization.findUniqueOrThrow({ where: { slug: "demo" } });
    const asSuper = await idpToken({ email: "ambicioso@demo.test", "https://aviso/org": demo.id, "https://aviso/role": "SUPER_ADMIN" });
    expect((await server.gql(ME, {}, asSuper)).data).toMatchObject({ me: { email: "ambicioso@demo.test", role: "AGENT" } });
    const noRole = await idpToken({ email: "semrole@demo.test", "https://aviso/org": "demo" });
    expect((await server.gql(ME, {}, noRole)).data).toMatchObject({ me: { role: "AGENT" } });
    const audit = await server.app.runtime.prisma.auditLog.findMany({ where: { action: "user.provisioned" } });
    expect(audit).toHaveLength(3);
  });

  it("signs in an existing person of that organization as they are in Aviso", async () => {
    const token = await idpToken({ email: "agent@demo.test", "https://aviso/org": "demo", "https://aviso/role": "ORG_ADMIN" });
    expect((await server.gql(ME, {}, token)).data).toMatchObject({ me: { email: "agent@demo.test", role: "AGENT" } });
  });

  it("refuses another organization's person, an unknown organization and a foreign signature, creating nobody", async () => {
    const before = await server.app.runtime.prisma.user.count();
    const foreign = await generateKeyPair("RS256");
    for (const token of [
      await idpToken({ email: "admin@acme.test", "https://aviso/org": "demo" }),
      await idpToken({ email: "ninguem@nowhere.test", "https://aviso/org": "no-such-org" }),
      await idpToken({ email: "intruso@demo.test", "https://aviso/org": "demo" }, foreign.privateKey),
      await idpToken({ email: "not an email", "https://aviso/org": "demo" }),
    ]) {
      expect((await server.gql(ME, {}, token)).errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    }
    expect(await server.app.runtime.prisma.user.count()).toBe(before);
  });

  it("is refused at start-up without JWT_JWKS_URL, naming the variable", () => {
    expect(() => loadConfig({ JWT_SECRET: "x".repeat(32), JWT_AUTO_PROVISION: "true" })).toThrow(/JWT_AUTO_PROVISION/);
  });

  it("caps untrusted roles at AGENT, keeps lower ones", () => {
    expect(provisionedRole("SUPER_ADMIN", [])).toBe("AGENT");
    expect(provisionedRole("ORG_ADMIN", [])).toBe("AGENT");
    expect(provisionedRole("ORG_ADMIN", ["ORG_ADMIN"])).toBe("ORG_ADMIN");
    expect(provisionedRole("VIEWER", [])).toBe("VIEWER");
    expect(provisionedRole("root", [])).toBe("AGENT");
    expect(provisionedRole(undefined, ["ORG_ADMIN"])).toBe("AGENT");
  });
});
