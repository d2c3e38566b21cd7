import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signToken } from "../../src/auth/jwt.js";
import { loadConfig } from "../../src/config/index.js";
import {
  ApiKeysDocument,
  AuditLogDocument,
  ConnectWhatsAppNumberDocument,
  CreateApiKeyDocument,
  CreateUserDocument,
  DeactivateUserDocument,
  ReactivateUserDocument,
  RevokeApiKeyDocument,
  UpdateUserDocument,
  UnreadNotificationCountChangedDocument,
} from "../../src/client/index.js";
import { createPrisma, type PrismaClient } from "../../src/db/client.js";
import {
  MessageAddedTextDocument,
  NotificationAddedTextDocument,
  OpenAlertDocument,
  TriggerNotificationDocument,
  WhoAmIDocument as ME,
} from "../generated/operations.js";
import { eventually } from "../helpers/eventually.js";
import { inboundWebhook, postWebhook, TEST_META_APP_SECRET } from "../helpers/meta.js";
import { processEnv, spawnTopology, type AvisoProcess } from "../helpers/process.js";
import { TEST_JWT_SECRET } from "../helpers/server.js";
import { connect, subscribe, type SocketClient } from "../helpers/ws.js";
import { createEmptyDatabase, gql, runAdmin } from "./helpers.js";
import type { TestDatabase } from "../helpers/db.js";

// A company onboarded on a fresh production deployment without a line of SQL: the
// admin CLI creates it, its admin builds the team and an integrator's key over the
// API, the key raises alerts and notifies the team, and revoking it locks it out of
// every instance at once. Two API instances and a worker share one database and Redis.

const REDIS_URL = process.env.REDIS_URL_FOR_TESTS ?? "redis://127.0.0.1:6379";
const PHONE_NUMBER_ID = "177000000000017";

let database: TestDatabase;
let prisma: PrismaClient;
let env: Record<string, string>;
const processes: AvisoProcess[] = [];
let apiA: AvisoProcess;
let apiB: AvisoProcess;
const sockets: SocketClient[] = [];

let adminToken: string;
let agentId: string;
let agentToken: string;
let apiKeyId: string;
let secret: string;

const config = loadConfig({ NODE_ENV: "test", JWT_SECRET: TEST_JWT_SECRET });

beforeAll(async () => {
  database = await createEmptyDatabase();
  env = { ...processEnv(database.url, "onboarding", { REDIS_URL }), NODE_ENV: "production", META_APP_SECRET: TEST_META_APP_SECRET };
  prisma = createPrisma(database.url, 2);
}, 60_000);

afterAll(async () => {
  await Promise.allSettled(sockets.map((s) => s.dispose()));
  if (process.env.SHOW_PROCESS_LOGS) for (const p of processes) console.log(`--- ${p.role}\n${p.output()}`);
  await Promise.allSettled(processes.map((p) => p.kill()));
  await prisma?.$disconnect();
  await database?.drop();
});

describe("a company onboarded in a fresh production database", () => {
  it("the bootstrap command creates the organization and its admin, prints the admin's token last, and is idempotent by slug", async () => {
    const help = await runAdmin(["--help"], env);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("create-organization");
    expect(help.stdout).toContain("create-super-admin");

    const first = await runAdmin(["create-organization", "--name", "Padaria São João", "--admin-email", "Ana@Padaria.test", "--admin-name", "Ana"], env);
    expect(first.code, first.stderr).toBe(0);
    adminToken = first.lastLine;
    const again = await runAdmin(["create-organization", "--name", "Padaria São João", "--admin-email", "ana@padaria.test"], env);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain("already there");

    const organizations = await prisma.organization.findMany();
    expect(organizations.map((o) => o.slug)).toEqual(["padaria-sao-joao"]);
    const users = await prisma.user.findMany();
    expect(users.map((u) => [u.email, u.role])).toEqual([["ana@padaria.test", "ORG_ADMIN"]]);
    // Production: no demo data.
    expect(await prisma.user.count({ where: { email: { endsWith: "@demo.test" } } })).toBe(0);

    [apiA, apiB] = await spawnTopology(processes, env);
    const me = await gql(apiA.url, ME, {}, adminToken);
    expect(me.data).toEqual({ me: { email: "ana@padaria.test", role: "ORG_ADMIN", organization: { slug: "padaria-sao-joao" } } });
  }, 180_000);

  it("its admin creates an agent (whose own token works), connects a number and creates an API key whose secret is stored only as a hash", async () => {
    const created = await gql(
      apiA.url,
      CreateUserDocument,
      { input: { email: "bruno@padaria.test", name: "Bruno", role: "AGENT", whatsappNumber: "11988887777" } },
      adminToken,
    );
    expect(created.errors).toBeUndefined();
    expect(created.data!.createUser).toMatchObject({ email: "bruno@padaria.test", role: "AGENT", active: true });
    const duplicate = await gql(apiA.url, CreateUserDocument, { input: { email: "BRUNO@padaria.test", name: "B2" } }, adminToken);
    expect(duplicate.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "email" });
    expect(duplicate.errors?.[0]?.message).toContain("bruno@padaria.test");

    const agent = await prisma.user.findUniqueOrThrow({ where: { email: "bruno@padaria.test" } });
    agentId = agent.id;
    expect(agent.whatsappNotificationNumber).toBe("+5511988887777");
    agentToken = await signToken(config, agent, "1h");
    expect((await gql(apiB.url, ME, {}, agentToken)).data).toEqual({
      me: { email: "bruno@padaria.test", role: "AGENT", organization: { slug: "padaria-sao-joao" } },
    });

    const number = await gql(
      apiA.url,
      ConnectWhatsAppNumberDocument,
      { input: { phoneNumberId: PHONE_NUMBER_ID, displayPhoneNumber: "+55 11 4000-1717", accessToken: "padaria-access-token" } },
      adminToken,
    );
    expect(number.errors).toBeUndefined();

    const key = await gql(
      apiA.url,
      CreateApiKeyDocument,
      { input: { name: "billing", scopes: ["ALERTS_WRITE", "NOTIFICATIONS_TRIGGER", "CONVERSATIONS_READ"] } },
      adminToken,
    );
    expect(key.errors).toBeUndefined();
    secret = key.data!.createApiKey.secret;
    apiKeyId = key.data!.createApiKey.apiKey.id;
    expect(secret).toMatch(/^aviso_[\w-]{43}$/);
    expect(key.data!.createApiKey.apiKey).toMatchObject({
      name: "billing",
      scopes: ["ALERTS_WRITE", "NOTIFICATIONS_TRIGGER", "CONVERSATIONS_READ"],
      lastUsedAt: null,
    });
    expect(secret.startsWith(key.data!.createApiKey.apiKey.prefix)).toBe(true);
    const row = await prisma.apiKey.findFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain(secret);
    expect(row.secretHash).toMatch(/^[0-9a-f]{64}$/);
  }, 60_000);

  it("the key creates an alert and triggers a CUSTOM notification that the agent receives over graphql-ws", async () => {
    const socket = connect(apiB.wsUrl, `Bearer ${agentToken}`);
    sockets.push(socket);
    await socket.connected;
    const added = subscribe(socket, NotificationAddedTextDocument);
    // The unread count answers at once: its first frame means the subscription above is live.
    const count = subscribe(socket, UnreadNotificationCountChangedDocument);
    await count.next();

    const alert = await gql(apiA.url, OpenAlertDocument, { input: { title: "Faturas atrasadas", severity: "HIGH" } }, secret);
    expect(alert.errors).toBeUndefined();
    expect(alert.data!.createAlert).toEqual({ title: "Faturas atrasadas", status: "OPEN" });
    expect(await prisma.alert.findFirstOrThrow()).toMatchObject({ title: "Faturas atrasadas", createdById: null });

    const triggered = await gql(
      apiA.url,
      TriggerNotificationDocument,
      {
        input: {
          type: "CUSTOM",
          recipients: { roles: ["AGENT"] },
          title: "Boleto vencido",
          body: "Cliente 42 está em atraso",
          url: "https://billing.test/42",
          dedupeKey: "invoice-42",
        },
      },
      secret,
    );
    expect(triggered.errors).toBeUndefined();
    expect(triggered.data!.triggerNotification.recipientCount).toBe(1);
    const frame = await added.next(15_000);
    expect(frame.data!.notificationAdded).toEqual({ type: "CUSTOM", title: "Boleto vencido", body: "Cliente 42 está em atraso" });

    // Same dedupe key within the window: one notification, counted twice.
    await gql(
      apiB.url,
      TriggerNotificationDocument,
      {
        input: { type: "CUSTOM", recipients: { userIds: [], roles: ["AGENT"] }, title: "Boleto vencido", dedupeKey: "invoice-42" },
      },
      secret,
    );
    const notifications = await prisma.notification.findMany({ where: { userId: agentId, type: "CUSTOM" } });
    expect(notifications.map((n) => n.count)).toEqual([2]);
    added.unsubscribe();
    count.unsubscribe();
  }, 60_000);

  it("the key acts for its organization only, never as a person: FORBIDDEN outside its scopes", async () => {
    const createUser = await gql(apiA.url, CreateUserDocument, { input: { email: "mallory@padaria.test", name: "M", role: "ORG_ADMIN" } }, secret);
    expect(createUser.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect(createUser.data?.createUser ?? null).toBeNull();
    // Person-only fields, probed by their text: each is refused before it resolves.
    for (const query of [
      "{ me { email role organization { slug } } }",
      "{ notifications(first: 1) { edges { node { id } } } }",
      "{ apiKeys(first: 5) { edges { node { id } } } }",
      'mutation { createApiKey(input: { name: "x", scopes: [ALERTS_WRITE] }) { secret } }',
    ]) {
      const result = await gql(apiB.url, query, {}, secret);
      expect(result.errors?.[0]?.extensions?.code, query).toBe("FORBIDDEN");
    }
    // Its scope CONVERSATIONS_READ reads the organization's conversations.
    const conversations = await gql(apiB.url, "{ conversations(first: 5) { edges { node { id } } } }", {}, secret);
    expect(conversations.errors).toBeUndefined();
    // Subscriptions are a person's.
    const socket = connect(apiA.wsUrl, `Bearer ${secret}`);
    sockets.push(socket);
    await expect(socket.connected).rejects.toThrow();
    expect(await prisma.user.count({ where: { email: "mallory@padaria.test" } })).toBe(0);

    const keys = await gql(apiA.url, ApiKeysDocument, { first: 5 }, adminToken);
    expect(keys.data!.apiKeys.edges[0]!.node.lastUsedAt).not.toBeNull();
  }, 30_000);

  it("revoked, the key is refused at once on every instance", async () => {
    const revoked = await gql(apiA.url, RevokeApiKeyDocument, { id: apiKeyId }, adminToken);
    expect(revoked.data!.revokeApiKey.revokedAt).not.toBeNull();
    for (const api of [apiA, apiB]) {
      for (const query of ['mutation { createAlert(input: { title: "after revocation" }) { id } }', "{ conversations(first: 1) { edges { node { id } } } }"]) {
        const result = await gql(api.url, query, {}, secret);
        expect(result.errors?.[0]?.extensions?.code, `${api.url} ${query}`).toBe("UNAUTHENTICATED");
      }
    }
    expect(await prisma.alert.count({ where: { title: "after revocation" } })).toBe(0);
  }, 30_000);

  it("every change above is in the audit log, by the person or the key that made it", async () => {
    const log = await gql(apiB.url, AuditLogDocument, { first: 50 }, adminToken);
    expect(log.errors).toBeUndefined();
    const entries = log.data!.auditLog.edges.map((e) => [e.node.action, e.node.actor?.email ?? e.node.apiKey?.name ?? null]);
    expect(entries).toEqual(
      expect.arrayContaining([
        ["organization.created", null],
        ["user.created", "ana@padaria.test"],
        ["apiKey.created", "ana@padaria.test"],
        ["alert.created", "billing"],
        ["notification.triggered", "billing"],
        ["apiKey.revoked", "ana@padaria.test"],
      ]),
    );
    const byAction = await gql(apiA.url, AuditLogDocument, { first: 50, action: "apiKey.revoked" }, adminToken);
    expect(byAction.data!.auditLog.edges).toHaveLength(1);
    const byKey = await gql(apiA.url, AuditLogDocument, { first: 50, actorId: apiKeyId }, adminToken);
    expect(byKey.data!.auditLog.edges.map((e) => e.node.action)).toEqual(["notification.triggered", "notification.triggered", "alert.created"]);
  }, 30_000);

  it("deactivating the agent on instance B closes their messageAdded socket on instance A at once (pushed through Redis), and it receives no further customer message", async () => {
    const agentSocket = connect(apiA.wsUrl, `Bearer ${agentToken}`);
    const adminSocket = connect(apiA.wsUrl, `Bearer ${adminToken}`);
    sockets.push(agentSocket, adminSocket);
    await Promise.all([agentSocket.connected, adminSocket.connected]);
    const agentMessages = subscribe(agentSocket, MessageAddedTextDocument);
    const adminMessages = subscribe(adminSocket, MessageAddedTextDocument);
    for (const socket of [agentSocket, adminSocket]) await subscribe(socket, UnreadNotificationCountChangedDocument).next();

    // Live before the deactivation.
    expect((await postWebhook(apiA.url, inboundWebhook({ text: "antes", from: "5511911110001" }, PHONE_NUMBER_ID).body)).status).toBe(200);
    expect((await agentMessages.next(10_000)).data!.messageAdded.text).toBe("antes");
    expect((await adminMessages.next(10_000)).data!.messageAdded.text).toBe("antes");

    const deactivated = await gql(apiB.url, DeactivateUserDocument, { id: globalUserId(agentId) }, adminToken);
    expect(deactivated.data!.deactivateUser.active).toBe(false);
    // The close is pushed (standingChanged over Redis), not polled: it follows the mutation at once.
    // The bound below only guards against a hang; a busy machine must not turn it into a timed assertion.
    const closed = await Promise.race([agentSocket.closed, new Promise<string>((resolve) => setTimeout(() => resolve("still open after 15 s"), 15_000))]);
    expect(closed).toBe(4403);

    expect((await postWebhook(apiB.url, inboundWebhook({ text: "depois", from: "5511911110001" }, PHONE_NUMBER_ID).body)).status).toBe(200);
    expect((await adminMessages.next(10_000)).data!.messageAdded.text).toBe("depois");
    expect(agentMessages.pending().filter((frame) => frame.data)).toEqual([]);
    // Their token is refused everywhere, and a new socket with it too.
    for (const api of [apiA, apiB]) expect((await gql(api.url, ME, {}, agentToken)).errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    const retry = connect(apiB.wsUrl, `Bearer ${agentToken}`);
    sockets.push(retry);
    await expect(retry.connected).rejects.toThrow();
  }, 60_000);

  it("the last active admin cannot be deactivated or demoted", async () => {
    const adminId = (await prisma.user.findUniqueOrThrow({ where: { email: "ana@padaria.test" } })).id;
    const deactivate = await gql(apiA.url, DeactivateUserDocument, { id: globalUserId(adminId) }, adminToken);
    expect(deactivate.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    const demote = await gql(apiA.url, UpdateUserDocument, { id: globalUserId(adminId), input: { role: "AGENT" } }, adminToken);
    expect(demote.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(await prisma.user.findUniqueOrThrow({ where: { id: adminId } })).toMatchObject({ active: true, role: "ORG_ADMIN" });
    // Reactivated, the agent's (new) token works again.
    const back = await gql(apiA.url, ReactivateUserDocument, { id: globalUserId(agentId) }, adminToken);
    expect(back.data!.reactivateUser.active).toBe(true);
    await eventually(async () => (await gql(apiB.url, ME, {}, agentToken)).data?.me, {
      what: "the reactivated agent's token to work on instance B",
      timeoutMs: 10_000,
    });
  }, 30_000);
});

function globalUserId(id: string): string {
  return Buffer.from(`User:${id}`).toString("base64");
}
