import { createECDH } from "node:crypto";
import { encodeGlobalID } from "@pothos/plugin-relay";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CreateApiKeyDocument, MarkNotificationReadDocument } from "../../src/client/index.js";
import {
  ConversationDetailDocument,
  EscalateAlertDocument,
  NodeByIdDocument,
  NotificationTitlesPageDocument,
  ResolveAlertDocument,
  UpdateOrganizationSettingsDocument,
} from "../generated/operations.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { argumentValues, operationFor, rootFields, type RootField } from "./schema-walk.js";
import { leaksIn, populateOrganization, snapshotOrganization, type Entity, type SeededOrganization } from "./tenant-fixtures.js";

// Who may call what, as src/schema/builder.ts's scopes say: SUPER_ADMIN ⊃ ORG_ADMIN ⊃
// AGENT ⊃ VIEWER. Every root query and mutation is in the table below, checked against
// the executable schema; each role below a field's scope gets FORBIDDEN (anonymous
// callers UNAUTHENTICATED) and changes nothing; each role at or above it gets past the check.

/** public: no scope (node/nodes answer null to anyone who cannot see the row). */
type Scope = "public" | "loggedIn" | "agent" | "orgAdmin" | "superAdmin";

type ApiKeyScope = "ALERTS_WRITE" | "NOTIFICATIONS_TRIGGER" | "CONVERSATIONS_READ" | "MESSAGES_SEND";

interface Rule {
  scope: Scope;
  /** The API key scope that also opens this field to an integrator's key (never a person's fields). */
  apiKey?: ApiKeyScope;
  /** Which of the organization's own rows each id argument gets. */
  ids?: Record<string, Entity | Entity[]>;
  values?: Record<string, unknown>;
}

/**
 * Viewers may only read and look after their own inbox and preferences: the
 * `loggedIn` mutations below are the personal ones (their own notifications, their
 * own preferences, a test notification to themselves). Every other mutation changes
 * the organization's data and needs `agent` or `orgAdmin`.
 */
const VIEWER_MUTATIONS = [
  "archiveNotification",
  "confirmWhatsAppNumber",
  "markAllNotificationsRead",
  "markNotificationRead",
  "muteConversation",
  "registerWebPushSubscription",
  "sendTestNotification",
  "unregisterWebPushSubscription",
  "updateDigestPreference",
  "updateNotificationPreferences",
];

/** A browser subscription's keys (a real P-256 point and a 16-byte secret). */
const PUSH_KEYS = (() => {
  const ecdh = createECDH("prime256v1");
  ecdh.generateKeys();
  return { p256dh: ecdh.getPublicKey().toString("base64url"), auth: Buffer.alloc(16, 7).toString("base64url") };
})();

const QUERIES: Record<string, Rule> = {
  alert: { scope: "loggedIn", ids: { id: "alert" } },
  alertSummary: { scope: "loggedIn" },
  alerts: { scope: "loggedIn" },
  contact: { scope: "loggedIn", ids: { id: "contact" } },
  contacts: { scope: "loggedIn" },
  apiKeys: { scope: "orgAdmin" },
  auditLog: { scope: "orgAdmin", ids: { actorId: "admin" } },
  conversation: { scope: "loggedIn", apiKey: "CONVERSATIONS_READ", ids: { id: "conversation" } },
  conversations: { scope: "loggedIn", apiKey: "CONVERSATIONS_READ", ids: { queueId: "queue", assigneeId: "agent" } },
  // Agents do not see deliveries (other people's emails and phones) nor the business numbers.
  deliveries: { scope: "orgAdmin" },
  deliveryStats: { scope: "orgAdmin" },
  // The whole of a customer's data (LGPD): admins only.
  exportContactData: { scope: "orgAdmin", ids: { contactId: "contact" } },
  me: { scope: "loggedIn" },
  messageTemplates: { scope: "loggedIn" },
  node: { scope: "public", ids: { id: "conversation" } },
  nodes: { scope: "public", ids: { ids: ["conversation", "alert"] } },
  notificationPreferences: { scope: "loggedIn" },
  notifications: { scope: "loggedIn" },
  organization: { scope: "loggedIn" },
  organizations: { scope: "superAdmin" },
  queues: { scope: "agent" },
  unreadNotificationCount: { scope: "loggedIn" },
  users: { scope: "loggedIn" },
  webPushPublicKey: { scope: "public" },
  webPushSubscriptions: { scope: "loggedIn" },
  whatsAppNumbers: { scope: "orgAdmin" },
};

const MUTATIONS: Record<string, Rule> = {
  acknowledgeAlert: { scope: "agent", ids: { id: "alert" } },
  addQueueMember: { scope: "orgAdmin", ids: { queueId: "queue", userId: "agent" } },
  archiveNotification: { scope: "loggedIn", ids: { id: "notification" } },
  assignConversation: { scope: "agent", ids: { conversationId: "conversation", userId: "agent" } },
  connectWhatsAppNumber: {
    scope: "orgAdmin",
    values: { input: { phoneNumberId: "100000000009999", displayPhoneNumber: "+55 11 4000-9999", accessToken: "role-test-access-token" } },
  },
  createAlert: { scope: "orgAdmin", apiKey: "ALERTS_WRITE", values: { input: { title: "role test alert" } } },
  createApiKey: { scope: "orgAdmin", values: { input: { name: "role test key", scopes: ["ALERTS_WRITE"] } } },
  createOrganization: { scope: "superAdmin", values: { input: { name: "Role Test Org", admin: { email: "role-test-org@example.test" } } } },
  createQueue: { scope: "orgAdmin" },
  createUser: { scope: "orgAdmin", values: { input: { email: "role-test@demo.test", name: "Role Test" } } },
  deactivateUser: { scope: "orgAdmin", ids: { id: "agent" } },
  confirmWhatsAppNumber: { scope: "loggedIn", values: { code: "123456" } },
  // A contact that does not exist: admins get past the scope (NOT_FOUND) without erasing the fixture's.
  eraseContact: { scope: "orgAdmin", values: { contactId: encodeGlobalID("Contact", "01900000-0000-7000-8000-00000000dead") } },
  escalateAlert: { scope: "agent", ids: { id: "alert" } },
  markAllNotificationsRead: { scope: "loggedIn" },
  markConversationRead: { scope: "agent", ids: { id: "conversation" } },
  markNotificationRead: { scope: "loggedIn", ids: { id: "notification" } },
  // Agents too, into a queue they belong to (the seeded agent is in the seeded queue).
  moveConversationToQueue: { scope: "agent", ids: { conversationId: "conversation", queueId: "queue", assigneeId: "agent" } },
  muteConversation: { scope: "loggedIn", ids: { id: "conversation" }, values: { until: "2026-12-31T00:00:00Z" } },
  reactivateOrganization: { scope: "superAdmin", ids: { id: "organization" } },
  reactivateUser: { scope: "orgAdmin", ids: { id: "agent" } },
  revokeApiKey: { scope: "orgAdmin", ids: { id: "apiKey" } },
  removeQueueMember: { scope: "orgAdmin", ids: { queueId: "queue", userId: "agent" } },
  resolveAlert: { scope: "agent", ids: { id: "alert" } },
  resolveConversation: { scope: "agent", ids: { id: "conversation" } },
  retryDeadDeliveries: { scope: "orgAdmin", values: { channel: "EMAIL" } },
  retryDelivery: { scope: "orgAdmin", ids: { id: "delivery" } },
  // A conversation nobody has: past the scope check it is NOT_FOUND, and nothing is sent.
  sendMessage: {
    scope: "agent",
    apiKey: "MESSAGES_SEND",
    values: {
      input: { conversationId: encodeGlobalID("Conversation", "0190c0de-0000-7000-8000-000000000000"), template: { name: "role_test", language: "pt_BR" } },
    },
  },
  sendTestNotification: { scope: "loggedIn", values: { channel: "IN_APP" } },
  syncMessageTemplates: { scope: "orgAdmin" },
  registerWebPushSubscription: {
    scope: "loggedIn",
    values: { input: { endpoint: "https://fcm.googleapis.com/fcm/send/role-test", keys: PUSH_KEYS, userAgent: "role test" } },
  },
  unregisterWebPushSubscription: { scope: "loggedIn", values: { endpoint: "https://fcm.googleapis.com/fcm/send/none" } },
  updateDigestPreference: { scope: "loggedIn", values: { input: { channel: "EMAIL", frequency: "IMMEDIATE" } } },
  // Filled in beforeAll: acme's id, so suspending it leaves demo (which the other calls use) alone.
  suspendOrganization: { scope: "superAdmin", values: {} },
  triggerNotification: {
    scope: "orgAdmin",
    apiKey: "NOTIFICATIONS_TRIGGER",
    values: { input: { type: "CUSTOM", recipients: { roles: ["AGENT"] }, title: "role test" } },
  },
  setUserWhatsAppNumber: { scope: "orgAdmin", ids: { userId: "agent" }, values: { whatsappNumber: "+5511977779999" } },
  updateNotificationPreferences: { scope: "loggedIn", values: { input: { notifyOnNewMessage: false } } },
  updateContact: { scope: "agent", ids: { id: "contact" }, values: { input: { notes: "role test" } } },
  updateOrganizationSettings: { scope: "orgAdmin", values: { input: { coalesceWindowSeconds: 30 } } },
  updateUser: { scope: "orgAdmin", ids: { id: "agent" }, values: { input: { name: "Bruno Renomeado" } } },
};

type Caller = "anonymous" | "VIEWER" | "AGENT" | "ORG_ADMIN" | "SUPER_ADMIN" | "API_KEY";

// An API key is no person: it holds no rank (only public fields and its scopes' fields).
const RANK: Record<Caller, number> = { anonymous: 0, API_KEY: 0, VIEWER: 1, AGENT: 2, ORG_ADMIN: 3, SUPER_ADMIN: 4 };
const NEEDS: Record<Scope, number> = { public: 0, loggedIn: 1, agent: 2, orgAdmin: 3, superAdmin: 4 };

let server: TestServer;
let demo: SeededOrganization;
const tokens = {} as Record<Exclude<Caller, "anonymous">, string>;
const counts = { refused: 0, allowed: 0 };

beforeAll(async () => {
  // Selections span every Node type (aliased per type): above a client's alias limit.
  server = await startTestServer({ env: { GRAPHQL_MAX_ALIASES: "1000" } });
  demo = await populateOrganization(server.app.runtime.prisma, "demo", "A", "5511955550002");
  tokens.VIEWER = await server.token("viewer@demo.test");
  tokens.AGENT = await server.token("agent@demo.test");
  tokens.ORG_ADMIN = await server.token("admin@demo.test");
  tokens.SUPER_ADMIN = await server.token("root@aviso.test");
  const acme = await server.app.runtime.prisma.organization.findUniqueOrThrow({ where: { slug: "acme" } });
  MUTATIONS.suspendOrganization!.values = { id: encodeGlobalID("Organization", acme.id) };
  keys.all = await createKey(ALL_SCOPES);
  for (const scope of ALL_SCOPES) keysWithout[scope] = await createKey(ALL_SCOPES.filter((s) => s !== scope));
});

const ALL_SCOPES: ApiKeyScope[] = ["ALERTS_WRITE", "NOTIFICATIONS_TRIGGER", "CONVERSATIONS_READ", "MESSAGES_SEND"];
/** Integrator keys of demo's: one with every scope, and for each scope one with every other. */
const keys = {} as Record<"all", string>;
const keysWithout = {} as Record<ApiKeyScope, string>;
async function createKey(scopes: ApiKeyScope[]): Promise<string> {
  const created = await server.gql(CreateApiKeyDocument, { input: { name: `role test ${scopes.join(" ")}`, scopes } }, tokens.ORG_ADMIN);
  return created.data!.createApiKey.secret;
}
afterAll(async () => {
  await server?.stop();
  console.info(`roles: ${counts.refused} calls refused, ${counts.allowed} calls let through`);
});

function call(kind: "query" | "mutation", field: RootField, rule: Rule, caller: Caller | { key: string }) {
  const variables = argumentValues(
    field,
    (argument) => {
      const entity = rule.ids?.[argument];
      if (!entity) throw new Error(`the role table gives ${field.name}(${argument}) no id`);
      return Array.isArray(entity) ? entity.map((e) => demo.globalIds[e]) : demo.globalIds[entity];
    },
    rule.values ?? {},
  );
  const credential = typeof caller === "object" ? caller.key : caller === "anonymous" ? undefined : tokens[caller as Exclude<Caller, "anonymous" | "API_KEY">];
  return server.gql(operationFor(kind, field, variables, 1), variables, credential);
}

const TABLES = { query: QUERIES, mutation: MUTATIONS } as const;

describe("the role table", () => {
  it.each(["query", "mutation"] as const)("names every %s root field of the schema", (kind) => {
    expect(Object.keys(TABLES[kind]).sort()).toEqual(
      rootFields(kind)
        .map((f) => f.name)
        .sort(),
    );
  });

  it("keeps agents out of deliveries, queues, numbers, organization settings and hand-made alerts", () => {
    const adminOnly = [...Object.entries(QUERIES), ...Object.entries(MUTATIONS)].filter(([, rule]) => rule.scope === "orgAdmin").map(([name]) => name);
    expect(adminOnly.sort()).toEqual(
      [
        "addQueueMember",
        "apiKeys",
        "auditLog",
        "connectWhatsAppNumber",
        "createAlert",
        "createApiKey",
        "createQueue",
        "createUser",
        "deactivateUser",
        "reactivateUser",
        "revokeApiKey",
        "triggerNotification",
        "updateUser",
        "deliveries",
        "deliveryStats",
        "eraseContact",
        "exportContactData",
        "removeQueueMember",
        "retryDeadDeliveries",
        "retryDelivery",
        "syncMessageTemplates",
        "setUserWhatsAppNumber",
        "updateOrganizationSettings",
        "whatsAppNumbers",
      ].sort(),
    );
  });

  it("lets viewers run only the personal mutations", () => {
    const forViewers = Object.entries(MUTATIONS)
      .filter(([, rule]) => NEEDS[rule.scope] <= RANK.VIEWER)
      .map(([name]) => name);
    expect(forViewers.sort()).toEqual(VIEWER_MUTATIONS);
  });
});

describe("callers below a field's scope", () => {
  it.each(["anonymous", "VIEWER", "AGENT", "ORG_ADMIN"] as const)("%s: refused on every field above their role, with nothing changed", async (caller) => {
    const { prisma } = server.app.runtime;
    const before = await snapshotOrganization(prisma, demo.rows.organization);
    const wrong: string[] = [];
    for (const kind of ["query", "mutation"] as const) {
      for (const field of rootFields(kind)) {
        const rule = TABLES[kind][field.name]!;
        if (NEEDS[rule.scope] <= RANK[caller]) continue;
        const result = await call(kind, field, rule, caller);
        const expected = caller === "anonymous" ? "UNAUTHENTICATED" : "FORBIDDEN";
        const code = result.errors?.[0]?.extensions?.code;
        if (code !== expected || (result.data?.[field.name] ?? null) !== null) wrong.push(`${kind} ${field.name}: ${JSON.stringify(result).slice(0, 200)}`);
        counts.refused += 1;
      }
    }
    expect(wrong).toEqual([]);
    expect(await snapshotOrganization(prisma, demo.rows.organization)).toBe(before);
  });

  it("anonymous callers get null from node and nodes", async () => {
    for (const kind of ["query"] as const) {
      for (const name of ["node", "nodes"]) {
        const field = rootFields(kind).find((f) => f.name === name)!;
        const result = await call(kind, field, QUERIES[name]!, "anonymous");
        const value = result.data?.[name];
        expect(result.errors, name).toBeUndefined();
        expect(Array.isArray(value) ? value.every((v) => v === null) : value === null, name).toBe(true);
        counts.refused += 1;
      }
    }
  });
});

describe("API keys", () => {
  it("a key with every scope is FORBIDDEN on every field but its scopes' ones, and changes nothing", async () => {
    const { prisma } = server.app.runtime;
    // A key's first use stamps its lastUsedAt (then once a minute at most): before the snapshot.
    await server.gql("{ me { id } }", {}, keys.all);
    const before = await snapshotOrganization(prisma, demo.rows.organization);
    const wrong: string[] = [];
    for (const kind of ["query", "mutation"] as const) {
      for (const field of rootFields(kind)) {
        const rule = TABLES[kind][field.name]!;
        if (rule.scope === "public" || rule.apiKey) continue;
        const result = await call(kind, field, rule, { key: keys.all });
        if (result.errors?.[0]?.extensions?.code !== "FORBIDDEN" || (result.data?.[field.name] ?? null) !== null)
          wrong.push(`${kind} ${field.name}: ${JSON.stringify(result).slice(0, 200)}`);
        counts.refused += 1;
      }
    }
    expect(wrong).toEqual([]);
    expect(await snapshotOrganization(prisma, demo.rows.organization)).toBe(before);
  });

  it("a key gets past the check on its scopes' fields, and is FORBIDDEN there without the scope", async () => {
    const withScope: string[] = [];
    const withoutScope: string[] = [];
    for (const kind of ["query", "mutation"] as const) {
      for (const field of rootFields(kind)) {
        const rule = TABLES[kind][field.name]!;
        if (!rule.apiKey) continue;
        const allowed = await call(kind, field, rule, { key: keys.all });
        const codes = (allowed.errors ?? []).map((e) => e.extensions?.code);
        if (codes.some((code) => code === undefined || code === "FORBIDDEN" || code === "UNAUTHENTICATED" || code === "INTERNAL_SERVER_ERROR"))
          withScope.push(`${field.name}: ${JSON.stringify(allowed).slice(0, 200)}`);
        const refused = await call(kind, field, rule, { key: keysWithout[rule.apiKey] });
        if (refused.errors?.[0]?.extensions?.code !== "FORBIDDEN") withoutScope.push(`${field.name}: ${JSON.stringify(refused).slice(0, 200)}`);
        counts.allowed += 1;
        counts.refused += 1;
      }
    }
    expect(withScope).toEqual([]);
    expect(withoutScope).toEqual([]);
  });
});

describe("callers at or above a field's scope", () => {
  // Queries first, then mutations in schema order: every call gets past the scope check
  // (it may still fail on input or state, e.g. resolving a resolved alert — never FORBIDDEN).
  it.each(["VIEWER", "AGENT", "ORG_ADMIN", "SUPER_ADMIN"] as const)("%s: never FORBIDDEN on a field its role allows", async (caller) => {
    const wrong: string[] = [];
    for (const kind of ["query", "mutation"] as const) {
      for (const field of rootFields(kind)) {
        const rule = TABLES[kind][field.name]!;
        if (NEEDS[rule.scope] > RANK[caller]) continue;
        const result = await call(kind, field, rule, caller);
        const codes = (result.errors ?? []).map((e) => e.extensions?.code);
        if (codes.some((code) => code === undefined || code === "FORBIDDEN" || code === "UNAUTHENTICATED" || code === "INTERNAL_SERVER_ERROR")) {
          wrong.push(`${kind} ${field.name}: ${JSON.stringify(result).slice(0, 200)}`);
        }
        counts.allowed += 1;
      }
    }
    expect(wrong).toEqual([]);
  });
});

describe("super admins", () => {
  it("act in their own organization only: another organization's rows are NOT_FOUND or null", async () => {
    const root = tokens.SUPER_ADMIN;
    const conversation = await server.gql(ConversationDetailDocument, { id: demo.globalIds.conversation }, root);
    expect(conversation.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
    const node = await server.gql(NodeByIdDocument, { id: demo.globalIds.alert }, root);
    expect(node.data?.node).toBeNull();
    const resolve = await server.gql(ResolveAlertDocument, { id: demo.globalIds.alert }, root);
    expect(resolve.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
    // Their inbox spans organizations (escalations reach them), yet holds only their own rows.
    const read = await server.gql(MarkNotificationReadDocument, { id: demo.globalIds.notification }, root);
    expect(read.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
    const settings = await server.gql(UpdateOrganizationSettingsDocument, { input: { coalesceWindowSeconds: 90 } }, root);
    expect(settings.data?.updateOrganizationSettings.slug).toBe("aviso");
    const demoRow = await server.app.runtime.prisma.organization.findUniqueOrThrow({ where: { id: demo.rows.organization } });
    expect(demoRow.coalesceWindowSeconds).not.toBe(90);
    counts.refused += 4;
  });

  it("receive a second-level escalation of another organization's alert in their own inbox, and nothing else of it", async () => {
    const { prisma } = server.app.runtime;
    const alert = await prisma.alert.create({ data: { organizationId: demo.rows.organization, title: "escalates to root", severity: "CRITICAL" } });
    const alertId = encodeGlobalID("Alert", alert.id);
    for (let level = 1; level <= 2; level++) {
      const escalated = await server.gql(EscalateAlertDocument, { id: alertId, reason: "no answer" }, tokens.ORG_ADMIN);
      expect(escalated.errors).toBeUndefined();
    }
    const inbox = await server.gql(NotificationTitlesPageDocument, { first: 50 }, tokens.SUPER_ADMIN);
    const escalations = inbox.data!.notifications.edges.map((e) => e.node).filter((n) => n.type === "ALERT_ESCALATED");
    expect(escalations.length).toBeGreaterThanOrEqual(1);
    const read = await server.gql(MarkNotificationReadDocument, { id: escalations[0]!.id }, tokens.SUPER_ADMIN);
    expect(read.errors).toBeUndefined();
    // Nothing of the organization's own inbox (A's admin's notification) shows in root's.
    expect(leaksIn(inbox, demo).filter((marker) => marker.includes("secret"))).toEqual([]);
  });
});
