import { encodeGlobalID } from "@pothos/plugin-relay";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { argumentValues, operationFor, rootFields, type RootField } from "./schema-walk.js";
import { leaksIn, populateOrganization, snapshotOrganization, type Entity, type SeededOrganization } from "./tenant-fixtures.js";

// Who may call what, as src/schema/builder.ts's scopes say: SUPER_ADMIN ⊃ ORG_ADMIN ⊃
// AGENT ⊃ VIEWER. Every root query and mutation is in the table below, checked against
// the executable schema; each role below a field's scope gets FORBIDDEN (anonymous
// callers UNAUTHENTICATED) and changes nothing; each role at or above it gets past the check.

/** public: no scope (node/nodes answer null to anyone who cannot see the row). */
type Scope = "public" | "loggedIn" | "agent" | "orgAdmin";

interface Rule {
  scope: Scope;
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
const VIEWER_MUTATIONS = ["archiveNotification", "markAllNotificationsRead", "markNotificationRead", "muteConversation", "sendTestNotification", "updateNotificationPreferences"];

const QUERIES: Record<string, Rule> = {
  alert: { scope: "loggedIn", ids: { id: "alert" } },
  alertSummary: { scope: "loggedIn" },
  alerts: { scope: "loggedIn" },
  contact: { scope: "loggedIn", ids: { id: "contact" } },
  contacts: { scope: "loggedIn" },
  conversation: { scope: "loggedIn", ids: { id: "conversation" } },
  conversations: { scope: "loggedIn", ids: { queueId: "queue", assigneeId: "agent" } },
  // Agents do not see deliveries (other people's emails and phones) nor the business numbers.
  deliveries: { scope: "orgAdmin" },
  deliveryStats: { scope: "orgAdmin" },
  me: { scope: "loggedIn" },
  node: { scope: "public", ids: { id: "conversation" } },
  nodes: { scope: "public", ids: { ids: ["conversation", "alert"] } },
  notificationPreferences: { scope: "loggedIn" },
  notifications: { scope: "loggedIn" },
  organization: { scope: "loggedIn" },
  queues: { scope: "agent" },
  unreadNotificationCount: { scope: "loggedIn" },
  users: { scope: "loggedIn" },
  whatsAppNumbers: { scope: "orgAdmin" },
};

const MUTATIONS: Record<string, Rule> = {
  acknowledgeAlert: { scope: "agent", ids: { id: "alert" } },
  addQueueMember: { scope: "orgAdmin", ids: { queueId: "queue", userId: "agent" } },
  archiveNotification: { scope: "loggedIn", ids: { id: "notification" } },
  assignConversation: { scope: "agent", ids: { conversationId: "conversation", userId: "agent" } },
  connectWhatsAppNumber: { scope: "orgAdmin", values: { input: { phoneNumberId: "100000000009999", displayPhoneNumber: "+55 11 4000-9999", accessToken: "role-test-access-token" } } },
  createAlert: { scope: "orgAdmin", values: { input: { title: "role test alert" } } },
  createQueue: { scope: "orgAdmin" },
  escalateAlert: { scope: "agent", ids: { id: "alert" } },
  markAllNotificationsRead: { scope: "loggedIn" },
  markConversationRead: { scope: "agent", ids: { id: "conversation" } },
  markNotificationRead: { scope: "loggedIn", ids: { id: "notification" } },
  // Agents too, into a queue they belong to (the seeded agent is in the seeded queue).
  moveConversationToQueue: { scope: "agent", ids: { conversationId: "conversation", queueId: "queue", assigneeId: "agent" } },
  muteConversation: { scope: "loggedIn", ids: { id: "conversation" }, values: { until: "2026-12-31T00:00:00Z" } },
  removeQueueMember: { scope: "orgAdmin", ids: { queueId: "queue", userId: "agent" } },
  resolveAlert: { scope: "agent", ids: { id: "alert" } },
  resolveConversation: { scope: "agent", ids: { id: "conversation" } },
  retryDeadDeliveries: { scope: "orgAdmin", values: { channel: "EMAIL" } },
  retryDelivery: { scope: "orgAdmin", ids: { id: "delivery" } },
  sendTestNotification: { scope: "loggedIn", values: { channel: "IN_APP" } },
  updateNotificationPreferences: { scope: "loggedIn", values: { input: { notifyOnNewMessage: false } } },
  updateContact: { scope: "agent", ids: { id: "contact" }, values: { input: { notes: "role test" } } },
  updateOrganizationSettings: { scope: "orgAdmin", values: { input: { coalesceWindowSeconds: 30 } } },
};

type Caller = "anonymous" | "VIEWER" | "AGENT" | "ORG_ADMIN" | "SUPER_ADMIN";

const RANK: Record<Caller, number> = { anonymous: 0, VIEWER: 1, AGENT: 2, ORG_ADMIN: 3, SUPER_ADMIN: 4 };
const NEEDS: Record<Scope, number> = { public: 0, loggedIn: 1, agent: 2, orgAdmin: 3 };

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
});
afterAll(async () => {
  await server?.stop();
  console.info(`roles: ${counts.refused} calls refused, ${counts.allowed} calls let through`);
});

function call(kind: "query" | "mutation", field: RootField, rule: Rule, caller: Caller) {
  const variables = argumentValues(
    field,
    (argument) => {
      const entity = rule.ids?.[argument];
      if (!entity) throw new Error(`the role table gives ${field.name}(${argument}) no id`);
      return Array.isArray(entity) ? entity.map((e) => demo.globalIds[e]) : demo.globalIds[entity];
    },
    rule.values ?? {},
  );
  return server.gql(operationFor(kind, field, variables, 1), variables, caller === "anonymous" ? undefined : tokens[caller]);
}

const TABLES = { query: QUERIES, mutation: MUTATIONS } as const;

describe("the role table", () => {
  it.each(["query", "mutation"] as const)("names every %s root field of the schema", (kind) => {
    expect(Object.keys(TABLES[kind]).sort()).toEqual(rootFields(kind).map((f) => f.name).sort());
  });

  it("keeps agents out of deliveries, queues, numbers, organization settings and hand-made alerts", () => {
    const adminOnly = [...Object.entries(QUERIES), ...Object.entries(MUTATIONS)].filter(([, rule]) => rule.scope === "orgAdmin").map(([name]) => name);
    expect(adminOnly.sort()).toEqual(
      [
        "addQueueMember",
        "connectWhatsAppNumber",
        "createAlert",
        "createQueue",
        "deliveries",
        "deliveryStats",
        "removeQueueMember",
        "retryDeadDeliveries",
        "retryDelivery",
        "updateOrganizationSettings",
        "whatsAppNumbers",
      ].sort(),
    );
  });

  it("lets viewers run only the personal mutations", () => {
    const forViewers = Object.entries(MUTATIONS).filter(([, rule]) => NEEDS[rule.scope] <= RANK.VIEWER).map(([name]) => name);
    expect(forViewers.sort()).toEqual(VIEWER_MUTATIONS);
  });
});

describe("callers below a field's scope", () => {
  it.each(["anonymous", "VIEWER", "AGENT"] as const)("%s: refused on every field above their role, with nothing changed", async (caller) => {
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
    const conversation = await server.gql("query($id: ID!) { conversation(id: $id) { id } }", { id: demo.globalIds.conversation }, root);
    expect(conversation.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
    const node = await server.gql<{ node: unknown }>("query($id: ID!) { node(id: $id) { id } }", { id: demo.globalIds.alert }, root);
    expect(node.data?.node).toBeNull();
    const resolve = await server.gql("mutation($id: ID!) { resolveAlert(id: $id) { id } }", { id: demo.globalIds.alert }, root);
    expect(resolve.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
    // Their inbox spans organizations (escalations reach them), yet holds only their own rows.
    const read = await server.gql("mutation($id: ID!) { markNotificationRead(id: $id) { id } }", { id: demo.globalIds.notification }, root);
    expect(read.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
    const settings = await server.gql<{ updateOrganizationSettings: { slug: string } }>(
      "mutation { updateOrganizationSettings(input: { coalesceWindowSeconds: 90 }) { slug } }",
      {},
      root,
    );
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
      const escalated = await server.gql("mutation($id: ID!) { escalateAlert(id: $id, reason: \"no answer\") { escalationLevel } }", { id: alertId }, tokens.ORG_ADMIN);
      expect(escalated.errors).toBeUndefined();
    }
    const inbox = await server.gql<{ notifications: { edges: Array<{ node: { id: string; type: string; title: string } }> } }>(
      "{ notifications(first: 50) { edges { node { id type title } } } }",
      {},
      tokens.SUPER_ADMIN,
    );
    const escalations = inbox.data!.notifications.edges.map((e) => e.node).filter((n) => n.type === "ALERT_ESCALATED");
    expect(escalations.length).toBeGreaterThanOrEqual(1);
    const read = await server.gql("mutation($id: ID!) { markNotificationRead(id: $id) { readAt } }", { id: escalations[0]!.id }, tokens.SUPER_ADMIN);
    expect(read.errors).toBeUndefined();
    // Nothing of the organization's own inbox (A's admin's notification) shows in root's.
    expect(leaksIn(inbox, demo).filter((marker) => marker.includes("secret"))).toEqual([]);
  });
});
