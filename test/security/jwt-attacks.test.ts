import { createHmac, randomUUID } from "node:crypto";
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHttpFake, type HttpFake } from "../helpers/http-fake.js";
import { startTestServer, TEST_JWT_SECRET, type TestServer } from "../helpers/server.js";
import { UnreadNotificationCountChangedDocument } from "../../src/client/index.js";
import { MyEmailDocument } from "../generated/operations.js";
import { connect, subscribe } from "../helpers/ws.js";

// Every token here must be refused: UNAUTHENTICATED with HTTP 401 on /graphql, and a
// socket closed at connection_init (4403, as src/server/ws.ts refuses) with no
// subscription result. Two servers over one database: one verifying HS256 with
// JWT_SECRET, one verifying RS256 against a local JWKS (JWT_JWKS_URL).

const ISSUER = "aviso-test";
const AUDIENCE = "aviso-api";
const KID = "aviso-signing-key-1";
// Every attack opens a socket from 127.0.0.1: lift the per-IP connection limit for this file.
const LIMITS = { RATE_LIMIT_WS_CONNECTS_PER_MINUTE: "100000" };

interface Attack {
  name: string;
  /** The Authorization header value (HTTP) and connectionParams.authorization (WebSocket). */
  header: string;
}

interface Agent {
  id: string;
  organizationId: string;
  role: string;
}

let hmacServer: TestServer;
let jwksServer: TestServer;
let jwks: HttpFake;
let attackerJwks: HttpFake;
let ourKey: { privateKey: CryptoKey; publicKey: CryptoKey; publicJwk: JWK };
let agent: Agent;
let acmeOrgId: string;
let inactiveUser: Agent;
const tried = { http: 0, ws: 0, hmacCorpus: 0, jwksCorpus: 0 };

beforeAll(async () => {
  hmacServer = await startTestServer({ env: { ...LIMITS, JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE } });
  const { prisma } = hmacServer.app.runtime;
  agent = await prisma.user.findUniqueOrThrow({ where: { email: "agent@demo.test" } });
  acmeOrgId = (await prisma.organization.findUniqueOrThrow({ where: { slug: "acme" } })).id;
  inactiveUser = await prisma.user.create({
    data: { organizationId: agent.organizationId, email: "gone@demo.test", name: "Gone Agent", role: "AGENT", active: false },
  });

  const pair = await generateKeyPair("RS256", { extractable: true });
  ourKey = { ...pair, publicJwk: { ...(await exportJWK(pair.publicKey)), kid: KID, alg: "RS256", use: "sig" } };
  jwks = await startHttpFake({ status: 200, body: { keys: [ourKey.publicJwk] } });
  attackerJwks = await startHttpFake({ status: 200, body: { keys: [] } });
  jwksServer = await startTestServer({
    database: hmacServer.database,
    role: "serve",
    env: { ...LIMITS, JWT_SECRET: "", JWT_JWKS_URL: `${jwks.url}/.well-known/jwks.json`, JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE },
  });
});

afterAll(async () => {
  await jwksServer?.stop();
  await hmacServer?.stop();
  await jwks?.close();
  await attackerJwks?.close();
  console.info(
    `jwt-attacks: corpus of ${tried.hmacCorpus} (HS256) + ${tried.jwksCorpus} (JWKS) tokens; ${tried.http} refused over HTTP, ${tried.ws} over WebSocket`,
  );
});

const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
const bytes = (text: string) => new TextEncoder().encode(text);
const now = () => Math.floor(Date.now() / 1000);

function claims(overrides: JWTPayload & Record<string, unknown> = {}): JWTPayload {
  return { sub: agent.id, org: agent.organizationId, role: agent.role, iss: ISSUER, aud: AUDIENCE, iat: now(), exp: now() + 3600, ...overrides };
}

/** Drops the claims whose value is undefined, so a case can leave one out. */
function without(payload: JWTPayload, ...names: string[]): JWTPayload {
  return Object.fromEntries(Object.entries(payload).filter(([key]) => !names.includes(key)));
}

function hs(payload: JWTPayload, key: Uint8Array = bytes(TEST_JWT_SECRET), alg = "HS256", extraHeader: Record<string, unknown> = {}) {
  return new SignJWT(payload).setProtectedHeader({ alg, ...extraHeader }).sign(key);
}

function rs(payload: JWTPayload, key: CryptoKey = ourKey.privateKey, header: Record<string, unknown> = { kid: KID }, alg = "RS256") {
  return new SignJWT(payload).setProtectedHeader({ alg, ...header }).sign(key);
}

/** header.payload.signature with the payload swapped for `payload`, the signature kept. */
function tamper(token: string, payload: JWTPayload): string {
  const [header, , signature] = token.split(".");
  return `${header}.${encode(payload)}.${signature}`;
}

/** An HS256 token built by hand, for headers jose refuses to sign (e.g. an unknown `crit`). */
function handSignedHs256(header: Record<string, unknown>, payload: JWTPayload, secret = TEST_JWT_SECRET) {
  const input = `${encode({ alg: "HS256", ...header })}.${encode(payload)}`;
  return `${input}.${createHmac("sha256", secret).update(input).digest("base64url")}`;
}

function unsigned(payload: JWTPayload, alg: string, extraHeader: Record<string, unknown> = {}) {
  return `${encode({ alg, typ: "JWT", ...extraHeader })}.${encode(payload)}.`;
}

/** Bad input that is not a token at all, or a token cut short: refused by any verifier. */
function malformed(valid: string): Attack[] {
  const [header, payload] = valid.split(".");
  return [
    { name: "Bearer with nothing after it", header: "Bearer" },
    { name: "a Basic scheme", header: `Basic ${Buffer.from("agent:secret").toString("base64")}` },
    { name: "two tokens", header: `Bearer ${valid} ${valid}` },
    { name: "the token without a scheme", header: valid },
    { name: "garbage", header: "Bearer not.a.jwt" },
    { name: "one segment", header: "Bearer abcdef" },
    { name: "empty segments", header: "Bearer .." },
    { name: "four segments", header: `Bearer ${valid}.extra` },
    { name: "truncated by one character", header: `Bearer ${valid.slice(0, -1)}` },
    { name: "truncated in half", header: `Bearer ${valid.slice(0, Math.floor(valid.length / 2))}` },
    { name: "signature removed", header: `Bearer ${header}.${payload}.` },
    { name: "signature segment missing", header: `Bearer ${header}.${payload}` },
    { name: "header that is not JSON", header: `Bearer ${Buffer.from("{nope").toString("base64url")}.${payload}.sig` },
    { name: "payload that is not JSON", header: `Bearer ${header}.${Buffer.from("[1,2").toString("base64url")}.sig` },
    { name: "payload that is a JSON array", header: `Bearer ${header}.${encode([1, 2])}.sig` },
    { name: "non-base64url characters", header: `Bearer ${header}.${payload}!.$$$` },
    { name: "an 8 kB token", header: `Bearer ${"a".repeat(8_192)}.${"b".repeat(16)}.${"c".repeat(16)}` },
  ];
}

/** Claims a correctly signed token must still not get through with. */
async function badClaims(sign: (payload: JWTPayload) => Promise<string>): Promise<Attack[]> {
  const cases: Array<[string, JWTPayload]> = [
    ["a wrong issuer", claims({ iss: "evil" })],
    ["no issuer", without(claims(), "iss")],
    ["a wrong audience", claims({ aud: "someone-else" })],
    ["an audience list without ours", claims({ aud: ["a", "b"] })],
    ["no audience", without(claims(), "aud")],
    ["expired a minute ago", claims({ exp: now() - 60 })],
    ["expired a year ago", claims({ iat: now() - 400 * 86_400, exp: now() - 365 * 86_400 })],
    ["not valid yet (nbf in an hour)", claims({ nbf: now() + 3600 })],
    ["no exp", without(claims(), "exp")],
    ["exp as a string", claims({ exp: String(now() + 3600) as unknown as number })],
    ["no sub", without(claims(), "sub")],
    ["sub that is not a uuid", claims({ sub: "root" })],
    ["org that is not a uuid", claims({ org: "demo" })],
    ["no org", without(claims(), "org")],
    ["an unknown role", claims({ role: "GOD" })],
    ["no role", without(claims(), "role")],
    ["a user id that does not exist", claims({ sub: randomUUID() })],
    ["an organization that does not exist", claims({ org: randomUUID() })],
    ["a user of another organization (org claim swapped)", claims({ org: acmeOrgId })],
    ["a role the user does not have", claims({ role: "SUPER_ADMIN" })],
    ["a deactivated user", claims({ sub: inactiveUser.id })],
  ];
  return Promise.all(cases.map(async ([name, payload]) => ({ name, header: `Bearer ${await sign(payload)}` })));
}

async function hmacCorpus(): Promise<Attack[]> {
  const valid = await hs(claims());
  const foreign = await generateKeyPair("RS256");
  const ec = await generateKeyPair("ES256");
  const attacks: Attack[] = [
    ...malformed(valid),
    ...(await badClaims((payload) => hs(payload))),
    ...["none", "None", "NONE", "nOnE"].map((alg) => ({ name: `alg ${alg}`, header: `Bearer ${unsigned(claims(), alg)}` })),
    { name: "alg none keeping the real signature", header: `Bearer ${unsigned(claims(), "none").slice(0, -1)}.${valid.split(".")[2]}` },
    { name: "another secret", header: `Bearer ${await hs(claims(), bytes("some-other-secret-of-sufficient-length"))}` },
    { name: "our secret minus its last character", header: `Bearer ${await hs(claims(), bytes(TEST_JWT_SECRET.slice(0, -1)))}` },
    { name: "HS384 with our secret (algorithm not allowed)", header: `Bearer ${await hs(claims(), bytes(TEST_JWT_SECRET), "HS384")}` },
    { name: "HS512 with our secret (algorithm not allowed)", header: `Bearer ${await hs(claims(), bytes(TEST_JWT_SECRET), "HS512")}` },
    { name: "RS256 by a foreign key", header: `Bearer ${await rs(claims(), foreign.privateKey, {})}` },
    { name: "ES256 by a foreign key", header: `Bearer ${await rs(claims(), ec.privateKey, {}, "ES256")}` },
    {
      name: "RS256 with the signing key embedded in the header (jwk injection)",
      header: `Bearer ${await rs(claims(), foreign.privateKey, { jwk: await exportJWK(foreign.publicKey) })}`,
    },
    { name: "an unknown critical header", header: `Bearer ${handSignedHs256({ crit: ["exp-extension"], "exp-extension": true }, claims())}` },
    { name: "an empty crit list", header: `Bearer ${handSignedHs256({ crit: [] }, claims())}` },
    { name: "tampered role (SUPER_ADMIN)", header: `Bearer ${tamper(valid, claims({ role: "SUPER_ADMIN" }))}` },
    { name: "tampered organization", header: `Bearer ${tamper(valid, claims({ org: acmeOrgId }))}` },
    { name: "tampered expiry (a year more)", header: `Bearer ${tamper(valid, claims({ exp: now() + 365 * 86_400 }))}` },
    { name: "tampered header (alg none, signature kept)", header: `Bearer ${encode({ alg: "none" })}.${valid.split(".").slice(1).join(".")}` },
  ];
  return attacks;
}

async function jwksCorpus(): Promise<Attack[]> {
  const valid = await rs(claims());
  const pem = await exportSPKI(ourKey.publicKey);
  const foreign = await generateKeyPair("RS256", { extractable: true });
  const foreignEc = await generateKeyPair("ES256");
  const foreignPss = await generateKeyPair("PS256");
  attackerJwks.setDefault({ status: 200, body: { keys: [{ ...(await exportJWK(foreign.publicKey)), kid: KID, alg: "RS256" }] } });
  return [
    ...malformed(valid),
    ...(await badClaims((payload) => rs(payload))),
    // HS/RS confusion: the public key material used as an HMAC secret.
    { name: "HS256 signed with our public key (PEM)", header: `Bearer ${await hs(claims(), bytes(pem), "HS256", { kid: KID })}` },
    {
      name: "HS256 signed with our public key (JWK JSON)",
      header: `Bearer ${await hs(claims(), bytes(JSON.stringify(ourKey.publicJwk)), "HS256", { kid: KID })}`,
    },
    {
      name: "HS256 signed with our JWKS document",
      header: `Bearer ${await hs(claims(), bytes(JSON.stringify({ keys: [ourKey.publicJwk] })), "HS256", { kid: KID })}`,
    },
    { name: "HS256 signed with our modulus n", header: `Bearer ${await hs(claims(), bytes(ourKey.publicJwk.n!), "HS256", { kid: KID })}` },
    { name: "HS256 signed with the JWT test secret", header: `Bearer ${await hs(claims(), bytes(TEST_JWT_SECRET), "HS256", { kid: KID })}` },
    ...["none", "None", "NONE"].map((alg) => ({ name: `alg ${alg} with our kid`, header: `Bearer ${unsigned(claims(), alg, { kid: KID })}` })),
    { name: "a foreign RSA key with our kid", header: `Bearer ${await rs(claims(), foreign.privateKey, { kid: KID })}` },
    { name: "a foreign RSA key without kid", header: `Bearer ${await rs(claims(), foreign.privateKey, {})}` },
    { name: "a foreign RSA key with an unknown kid", header: `Bearer ${await rs(claims(), foreign.privateKey, { kid: "attacker-key" })}` },
    { name: "a foreign EC key with our kid", header: `Bearer ${await rs(claims(), foreignEc.privateKey, { kid: KID }, "ES256")}` },
    { name: "PS256 by a foreign key with our kid", header: `Bearer ${await rs(claims(), foreignPss.privateKey, { kid: KID }, "PS256")}` },
    {
      name: "a foreign key embedded in the header with our kid (jwk injection)",
      header: `Bearer ${await rs(claims(), foreign.privateKey, { kid: KID, jwk: await exportJWK(foreign.publicKey) })}`,
    },
    {
      name: "a foreign key behind a jku header",
      header: `Bearer ${await rs(claims(), foreign.privateKey, { kid: KID, jku: `${attackerJwks.url}/jwks.json` })}`,
    },
    {
      name: "a foreign key behind an x5u header",
      header: `Bearer ${await rs(claims(), foreign.privateKey, { kid: KID, x5u: `${attackerJwks.url}/cert.pem` })}`,
    },
    { name: "tampered role (SUPER_ADMIN)", header: `Bearer ${tamper(valid, claims({ role: "SUPER_ADMIN" }))}` },
    { name: "tampered organization", header: `Bearer ${tamper(valid, claims({ org: acmeOrgId }))}` },
    { name: "tampered expiry (a year more)", header: `Bearer ${tamper(valid, claims({ exp: now() + 365 * 86_400 }))}` },
    { name: "tampered header (HS256, signature kept)", header: `Bearer ${encode({ alg: "HS256", kid: KID })}.${valid.split(".").slice(1).join(".")}` },
  ];
}

/** Sends each attack on /graphql; returns those not refused with 401 UNAUTHENTICATED and no data. */
async function acceptedOverHttp(server: TestServer, attacks: Attack[]): Promise<string[]> {
  const wrong: string[] = [];
  for (const attack of attacks) {
    const response = await fetch(`${server.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: attack.header },
      body: JSON.stringify({ query: "{ me { email } unreadNotificationCount }" }),
    });
    const text = await response.text();
    const body = JSON.parse(text) as { data?: unknown; errors?: Array<{ extensions?: { code?: string } }> };
    const refused = response.status === 401 && body.errors?.[0]?.extensions?.code === "UNAUTHENTICATED" && (body.data ?? null) === null;
    if (!refused) wrong.push(`${attack.name}: ${response.status} ${text.slice(0, 200)}`);
    tried.http += 1;
  }
  return wrong;
}

/** Opens a socket per attack; returns those not closed with 4403 or that got a subscription result. */
async function acceptedOverWebSocket(server: TestServer, attacks: Attack[]): Promise<string[]> {
  const wrong: string[] = [];
  for (const attack of attacks) {
    const socket = connect(server.wsUrl, attack.header);
    // Asked for before the server answers connection_init: it must never be served.
    const count = subscribe(socket, "subscription { unreadNotificationCountChanged }");
    const connected = await socket.connected.then(
      () => true,
      () => false,
    );
    if (connected) await socket.dispose();
    const code = await socket.closed;
    const served = count.pending().filter((result) => result.data !== undefined).length;
    if (connected || code !== 4403 || served > 0) wrong.push(`${attack.name}: connected=${connected} close=${code} results=${served}`);
    await socket.dispose();
    tried.ws += 1;
  }
  return wrong;
}

/** The control: the same request with a good token works, so refusals above are the token's doing. */
async function expectAccepted(server: TestServer, token: string) {
  const result = await server.gql(MyEmailDocument, {}, token);
  expect(result.errors).toBeUndefined();
  expect(result.data?.me.email).toBe("agent@demo.test");
  const socket = connect(server.wsUrl, `Bearer ${token}`);
  await socket.connected;
  const count = subscribe(socket, UnreadNotificationCountChangedDocument);
  expect(typeof (await count.next()).data?.unreadNotificationCountChanged).toBe("number");
  await socket.dispose();
}

describe("with JWT_SECRET (HS256)", () => {
  it("accepts a well-formed token of a real, active user", async () => {
    await expectAccepted(hmacServer, await hs(claims()));
  });

  it("refuses every token of the HS256 attack corpus over HTTP with 401 UNAUTHENTICATED", async () => {
    const attacks = await hmacCorpus();
    tried.hmacCorpus = attacks.length;
    expect(attacks.length).toBeGreaterThanOrEqual(50);
    expect(await acceptedOverHttp(hmacServer, attacks)).toEqual([]);
  });

  it("closes the socket at connection_init for every token of the HS256 attack corpus", async () => {
    expect(await acceptedOverWebSocket(hmacServer, await hmacCorpus())).toEqual([]);
  });
});

describe("with JWT_JWKS_URL (RS256 from a JWKS)", () => {
  it("accepts a token signed by the key the JWKS publishes", async () => {
    await expectAccepted(jwksServer, await rs(claims()));
  });

  it("refuses every token of the JWKS attack corpus over HTTP with 401 UNAUTHENTICATED", async () => {
    const attacks = await jwksCorpus();
    tried.jwksCorpus = attacks.length;
    expect(attacks.length).toBeGreaterThanOrEqual(50);
    expect(await acceptedOverHttp(jwksServer, attacks)).toEqual([]);
  });

  it("closes the socket at connection_init for every token of the JWKS attack corpus", async () => {
    expect(await acceptedOverWebSocket(jwksServer, await jwksCorpus())).toEqual([]);
  });

  it("never fetches keys from a URL a token names (jku, x5u)", () => {
    expect(attackerJwks.requests).toEqual([]);
    expect(jwks.requests.length).toBeGreaterThan(0);
    expect(jwks.requests.every((request) => request.path === "/.well-known/jwks.json")).toBe(true);
  });
});
