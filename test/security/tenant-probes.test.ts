import { randomUUID } from "node:crypto";
import { encodeGlobalID } from "@pothos/plugin-relay";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ACME_PHONE_NUMBER_ID, DEMO_PHONE_NUMBER_ID, inboundWebhook, postWebhook, sampleChange, sampleStatus, sampleWebhook } from "../helpers/meta.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { connect, subscribe, type SocketClient, type Subscription } from "../helpers/ws.js";
import { argumentValues, idArguments, operationFor, rootFields, type RootField, type RootKind } from "./schema-walk.js";
import { leaksIn, populateOrganization, snapshotOrganization, TYPENAMES, type Entity, type SeededOrganization } from "./tenant-fixtures.js";

// An admin of organization B (acme) calls every root field of the schema with
// organization A's (demo) ids. Nothing of A may come back, nothing of A may change.

/** An id argument gets one of A's rows, or `own:` one of B's (to mix B's rows with A's). */
type Target = Entity | `own:${Entity}`;

type Outcome =
  /** errors[0] is NOT_FOUND and no data. */
  | "NOT_FOUND"
  /** errors[0] is BAD_USER_INPUT and no data. */
  | "BAD_USER_INPUT"
  /** errors[0] is FORBIDDEN and no data (the platform's own fields: super admins only). */
  | "FORBIDDEN"
  /** No error; the field is null (or a list of nulls). */
  | "NULL"
  /** No error: the caller's own data, none of A's. */
  | "ANSWERED"
  /** A subscription that stays open: frames until B's sentinel event carry nothing of A's. */
  | "LIVE";

interface Probe {
  ids?: Record<string, Target | Target[]>;
  values?: (a: SeededOrganization) => Record<string, unknown>;
  expect: Outcome;
}

const ALL_ENTITIES = Object.keys(TYPENAMES) as Entity[];

/** Ids that are not ids of anything: node/nodes must answer null, not fail. */
const MALFORMED_IDS = [
  "garbage",
  "",
  Buffer.from("no-colon-here").toString("base64"),
  encodeGlobalID("NoSuchType", randomUUID()),
  encodeGlobalID("Conversation", "not-a-uuid"),
  encodeGlobalID("Conversation", randomUUID()),
  encodeGlobalID("Query", "x"),
];

/**
 * Every root field, and how to probe it. The test fails when the schema has a root
 * field this table does not name (or names one the schema lost), and when a field
 * that takes ids has no probe passing A's ids.
 */
const PROBES: Record<RootKind, Record<string, Probe[]>> = {
  query: {
    alert: [{ ids: { id: "alert" }, expect: "NOT_FOUND" }],
    alertSummary: [{ expect: "ANSWERED" }],
    alerts: [{ expect: "ANSWERED" }],
    contact: [{ ids: { id: "contact" }, expect: "NOT_FOUND" }],
    contacts: [{ expect: "ANSWERED" }, { values: () => ({ search: "secreto" }), expect: "ANSWERED" }],
    apiKeys: [{ expect: "ANSWERED" }],
    // B's own log, filtered by A's admin: nothing.
    auditLog: [{ ids: { actorId: "admin" }, expect: "ANSWERED" }],
    organizations: [{ expect: "FORBIDDEN" }],
    conversation: [{ ids: { id: "conversation" }, expect: "NOT_FOUND" }],
    // A's queue and user as filters in B's organization: an empty answer, nothing of A's.
    conversations: [
      { ids: { queueId: "queue", assigneeId: "agent" }, expect: "ANSWERED" },
      { ids: { queueId: "own:queue", assigneeId: "own:agent" }, values: () => ({ search: "secreto" }), expect: "ANSWERED" },
    ],
    deliveries: [{ expect: "ANSWERED" }],
    deliveryStats: [{ expect: "ANSWERED" }],
    exportContactData: [{ ids: { contactId: "contact" }, expect: "NOT_FOUND" }],
    me: [{ expect: "ANSWERED" }],
    messageTemplates: [{ expect: "ANSWERED" }],
    node: [
      ...ALL_ENTITIES.map((entity): Probe => ({ ids: { id: entity }, expect: "NULL" })),
      ...MALFORMED_IDS.map((id): Probe => ({ values: () => ({ id }), expect: "NULL" })),
    ],
    nodes: [
      { ids: { ids: ALL_ENTITIES }, expect: "NULL" },
      { values: () => ({ ids: MALFORMED_IDS }), expect: "NULL" },
    ],
    notificationPreferences: [{ expect: "ANSWERED" }],
    notifications: [{ expect: "ANSWERED" }],
    organization: [{ expect: "ANSWERED" }],
    queues: [{ expect: "ANSWERED" }],
    unreadNotificationCount: [{ expect: "ANSWERED" }],
    users: [{ expect: "ANSWERED" }, { values: () => ({ search: "a" }), expect: "ANSWERED" }],
    webPushPublicKey: [{ expect: "ANSWERED" }],
    webPushSubscriptions: [{ expect: "ANSWERED" }],
    whatsAppNumbers: [{ expect: "ANSWERED" }],
  },
  mutation: {
    acknowledgeAlert: [{ ids: { id: "alert" }, expect: "NOT_FOUND" }],
    addQueueMember: [
      { ids: { queueId: "queue", userId: "agent" }, expect: "NOT_FOUND" },
      { ids: { queueId: "own:queue", userId: "agent" }, expect: "NOT_FOUND" },
      { ids: { queueId: "queue", userId: "own:agent" }, expect: "NOT_FOUND" },
    ],
    archiveNotification: [{ ids: { id: "notification" }, expect: "NOT_FOUND" }],
    assignConversation: [
      { ids: { conversationId: "conversation", userId: "agent" }, expect: "NOT_FOUND" },
      { ids: { conversationId: "conversation", userId: "own:agent" }, expect: "NOT_FOUND" },
      { ids: { conversationId: "own:conversation", userId: "agent" }, expect: "NOT_FOUND" },
    ],
    // A's business number: refused, and A's access token left alone.
    connectWhatsAppNumber: [
      {
        values: () => ({ input: { phoneNumberId: DEMO_PHONE_NUMBER_ID, displayPhoneNumber: "+1 555 0100", accessToken: "attacker-access-token-0001" } }),
        expect: "BAD_USER_INPUT",
      },
    ],
    // A's dedupe key: a new alert of B's, never an occurrence of A's.
    createAlert: [{ values: () => ({ input: { title: "probe alert", dedupeKey: "dedupe-A" } }), expect: "ANSWERED" }],
    createQueue: [{ values: () => ({ name: "Atendimento" }), expect: "ANSWERED" }],
    createApiKey: [{ values: () => ({ input: { name: "probe key of B", scopes: ["ALERTS_WRITE"] } }), expect: "ANSWERED" }],
    createOrganization: [{ values: () => ({ input: { name: "Probe Org", admin: { email: "probe-org@acme.test" } } }), expect: "FORBIDDEN" }],
    // A new user of B's may not join A's queue.
    createUser: [{ ids: {}, values: (a) => ({ input: { email: "probe-b@acme.test", name: "Probe", queueIds: [a.globalIds.queue] } }), expect: "NOT_FOUND" }],
    deactivateUser: [{ ids: { id: "agent" }, expect: "NOT_FOUND" }],
    reactivateOrganization: [{ ids: { id: "organization" }, expect: "FORBIDDEN" }],
    reactivateUser: [{ ids: { id: "agent" }, expect: "NOT_FOUND" }],
    revokeApiKey: [{ ids: { id: "apiKey" }, expect: "NOT_FOUND" }],
    suspendOrganization: [{ ids: { id: "organization" }, expect: "FORBIDDEN" }],
    // A's people named as recipients: nobody of A's hears of it (B's own, none here).
    triggerNotification: [
      {
        ids: {},
        values: (a) => ({
          input: { type: "CUSTOM", recipients: { userIds: [a.globalIds.agent, a.globalIds.admin], queueIds: [a.globalIds.queue] }, title: "probe" },
        }),
        expect: "ANSWERED",
      },
    ],
    updateUser: [
      { ids: { id: "agent" }, values: () => ({ input: { name: "sequestrado" } }), expect: "NOT_FOUND" },
      { ids: { id: "own:agent" }, values: (a) => ({ input: { queueIds: [a.globalIds.queue] } }), expect: "NOT_FOUND" },
    ],
    // B has no pending number: nothing of A's can be confirmed.
    confirmWhatsAppNumber: [{ values: () => ({ code: "123456" }), expect: "BAD_USER_INPUT" }],
    eraseContact: [{ ids: { contactId: "contact" }, expect: "NOT_FOUND" }],
    escalateAlert: [{ ids: { id: "alert" }, expect: "NOT_FOUND" }],
    markAllNotificationsRead: [{ expect: "ANSWERED" }],
    markConversationRead: [{ ids: { id: "conversation" }, expect: "NOT_FOUND" }],
    markNotificationRead: [{ ids: { id: "notification" }, expect: "NOT_FOUND" }],
    moveConversationToQueue: [
      { ids: { conversationId: "conversation", queueId: "own:queue", assigneeId: "own:agent" }, expect: "NOT_FOUND" },
      { ids: { conversationId: "own:conversation", queueId: "queue", assigneeId: "own:agent" }, expect: "NOT_FOUND" },
      { ids: { conversationId: "own:conversation", queueId: "own:queue", assigneeId: "agent" }, expect: "NOT_FOUND" },
    ],
    muteConversation: [{ ids: { id: "conversation" }, values: () => ({ until: "2026-12-31T00:00:00Z" }), expect: "NOT_FOUND" }],
    removeQueueMember: [
      { ids: { queueId: "queue", userId: "agent" }, expect: "NOT_FOUND" },
      // B's queue never had A's user: nothing to remove, nothing of A's said.
      { ids: { queueId: "own:queue", userId: "agent" }, expect: "ANSWERED" },
    ],
    resolveAlert: [{ ids: { id: "alert" }, expect: "NOT_FOUND" }],
    resolveConversation: [{ ids: { id: "conversation" }, expect: "NOT_FOUND" }],
    retryDeadDeliveries: [{ values: () => ({ channel: "EMAIL" }), expect: "ANSWERED" }],
    retryDelivery: [{ ids: { id: "delivery" }, expect: "NOT_FOUND" }],
    // Answering A's conversation: nothing is sent, nothing of A's said. A's ids travel inside
    // the input object (`values`), so `ids` names no top-level argument.
    sendMessage: [
      { ids: {}, values: (a) => ({ input: { conversationId: a.globalIds.conversation, template: { name: "x", language: "pt_BR" } } }), expect: "NOT_FOUND" },
      { values: (a) => ({ input: { conversationId: a.globalIds.conversation, text: "probe", clientMessageId: "probe-1" } }), expect: "NOT_FOUND" },
    ],
    // B has no WABA id: nothing to sync, A's templates untouched.
    syncMessageTemplates: [{ expect: "ANSWERED" }],
    // A's browser endpoint: refused, A's subscription left alone; a browser of B's own: registered.
    registerWebPushSubscription: [
      { values: (a) => ({ input: { endpoint: a.pushSubscription.endpoint, keys: a.pushSubscription.keys } }), expect: "BAD_USER_INPUT" },
      { values: (a) => ({ input: { endpoint: "https://fcm.googleapis.com/fcm/send/b-own-browser", keys: a.pushSubscription.keys } }), expect: "ANSWERED" },
    ],
    sendTestNotification: [{ values: () => ({ channel: "IN_APP" }), expect: "ANSWERED" }],
    // A's endpoint: nothing of B's to remove (false), A's row untouched.
    unregisterWebPushSubscription: [{ values: (a) => ({ endpoint: a.pushSubscription.endpoint }), expect: "ANSWERED" }],
    updateDigestPreference: [{ values: () => ({ input: { channel: "EMAIL", frequency: "HOURLY" } }), expect: "ANSWERED" }],
    setUserWhatsAppNumber: [{ ids: { userId: "agent" }, values: () => ({ whatsappNumber: "+5511977778888" }), expect: "NOT_FOUND" }],
    updateNotificationPreferences: [{ values: () => ({ input: { notifyOnNewMessage: false } }), expect: "ANSWERED" }],
    updateContact: [{ ids: { id: "contact" }, values: () => ({ input: { name: "probe" } }), expect: "NOT_FOUND" }],
    updateOrganizationSettings: [
      { values: () => ({ input: { coalesceWindowSeconds: 45 } }), expect: "ANSWERED" },
      // A's business number as B's notification sender: refused.
      { ids: {}, values: (a) => ({ input: { notificationSenderNumberId: a.globalIds.number } }), expect: "BAD_USER_INPUT" },
    ],
  },
  subscription: {
    alertChanged: [{ expect: "LIVE" }],
    conversationUpdated: [{ expect: "LIVE" }],
    messageAdded: [
      { ids: { conversationId: "conversation", after: "own:message" }, expect: "NOT_FOUND" },
      { ids: { conversationId: "own:conversation", after: "message" }, expect: "NOT_FOUND" },
      { ids: { after: "message" }, values: () => ({ conversationId: null }), expect: "NOT_FOUND" },
      { values: () => ({ conversationId: null, after: null }), expect: "LIVE" },
    ],
    messageUpdated: [
      { ids: { conversationId: "conversation" }, expect: "NOT_FOUND" },
      { values: () => ({ conversationId: null }), expect: "LIVE" },
    ],
    notificationAdded: [
      { ids: { after: "notification" }, expect: "NOT_FOUND" },
      { values: () => ({ after: null }), expect: "LIVE" },
    ],
    presenceChanged: [{ expect: "LIVE" }],
    unreadNotificationCountChanged: [{ expect: "LIVE" }],
  },
};

type Frame = Record<string, unknown>;

/** B's own events that end the watch on each live subscription: every frame before it must be clean. */
const SENTINELS: Record<string, (data: Frame, index: number) => boolean> = {
  alertChanged: (data) => (data.alertChanged as { title?: string }).title === SENTINEL_ALERT,
  conversationUpdated: (data) => (data.conversationUpdated as { id?: string }).id === b.globalIds.conversation,
  messageAdded: (data) => (data.messageAdded as { text?: string }).text === SENTINEL_TEXT,
  messageUpdated: (data) => (data.messageUpdated as { externalId?: string }).externalId === B_OUTBOUND_WAMID,
  notificationAdded: (data) => (data.notificationAdded as { type?: string }).type === "CONVERSATION_ASSIGNED",
  presenceChanged: (data) => (data.presenceChanged as { id?: string }).id === b.globalIds.agent,
  unreadNotificationCountChanged: (_data, index) => index >= 1,
};

const SENTINEL_TEXT = "sentinel message of B";
const SENTINEL_ALERT = "sentinel alert of B";
const A_LIVE_PHONE = "5511944440001";
const A_LIVE_TEXT = "mensagem secreta A ao vivo";
const B_LIVE_PHONE = "15550199001";
const A_OUTBOUND_WAMID = "wamid.A-outbound-secret";
const B_OUTBOUND_WAMID = "wamid.B-outbound-sentinel";

let server: TestServer;
let a: SeededOrganization;
let b: SeededOrganization;
let bAdmin: string;
const counts = { http: 0, subscriptions: 0, fields: 0 };

beforeAll(async () => {
  server = await startTestServer({
    // Probes select every reachable field a few levels down: more tokens and cost than a client's query.
    env: { GRAPHQL_MAX_TOKENS: "100000", GRAPHQL_MAX_COST: "100000000", GRAPHQL_MAX_DEPTH: "30", GRAPHQL_MAX_ALIASES: "1000" },
  });
  const { prisma } = server.app.runtime;
  a = await populateOrganization(prisma, "demo", "A", "5511955550001");
  b = await populateOrganization(prisma, "acme", "B", "15550188001");
  bAdmin = await server.token("admin@acme.test");
});
afterAll(async () => {
  await server?.stop();
  console.info(`tenant-probes: ${counts.fields} root fields enumerated, ${counts.http} HTTP probes, ${counts.subscriptions} subscription probes`);
});

function idOf(target: Target): string {
  return target.startsWith("own:") ? b.globalIds[target.slice(4) as Entity] : a.globalIds[target as Entity];
}

function variablesFor(field: RootField, probe: Probe): Record<string, unknown> {
  const overrides = probe.values?.(a) ?? {};
  return argumentValues(
    field,
    (argument) => {
      const target = probe.ids?.[argument];
      if (!target) throw new Error(`the probe table gives ${field.name}(${argument}) no id`);
      return Array.isArray(target) ? target.map(idOf) : idOf(target);
    },
    overrides,
  );
}

type Result = { data?: Frame | null; errors?: Array<{ message?: string; extensions?: { code?: string } }> };

/** What is wrong with a result, or undefined when it is as the probe expects. */
function problemWith(result: Result, field: string, expected: Outcome): string | undefined {
  const leaks = leaksIn(result, a, [A_LIVE_PHONE, A_LIVE_TEXT, A_OUTBOUND_WAMID]);
  if (leaks.length > 0) return `leaks ${leaks.join(", ")}`;
  const code = result.errors?.[0]?.extensions?.code;
  const value = result.data?.[field];
  switch (expected) {
    case "NOT_FOUND":
    case "BAD_USER_INPUT":
    case "FORBIDDEN":
      return code === expected && (value ?? null) === null ? undefined : `expected ${expected}, got ${JSON.stringify(result).slice(0, 300)}`;
    case "NULL": {
      const isNull = Array.isArray(value) ? value.every((v) => v === null) : value === null;
      return !result.errors && isNull ? undefined : `expected null, got ${JSON.stringify(result).slice(0, 300)}`;
    }
    case "ANSWERED":
    case "LIVE":
      return !result.errors && value !== undefined && value !== null ? undefined : `expected an answer, got ${JSON.stringify(result).slice(0, 300)}`;
  }
}

describe("the probe table", () => {
  it.each(["query", "mutation", "subscription"] as const)("covers every %s root field, and passes A's ids to every id argument", (kind) => {
    const fields = rootFields(kind);
    counts.fields += fields.length;
    expect(Object.keys(PROBES[kind]).sort()).toEqual(fields.map((f) => f.name).sort());
    for (const field of fields) {
      const takesIds = idArguments(field);
      const probes = PROBES[kind][field.name]!;
      if (takesIds.length > 0)
        expect(
          probes.some((p) => p.ids !== undefined),
          `${field.name} takes ids`,
        ).toBe(true);
      if (kind === "subscription") {
        if (probes.some((p) => p.expect === "LIVE")) expect(SENTINELS[field.name], field.name).toBeDefined();
      }
    }
  });
});

describe("the leak detector", () => {
  it("finds A's markers in what A's own admin reads with the same probe", async () => {
    const field = rootFields("query").find((f) => f.name === "conversation")!;
    const variables = variablesFor(field, PROBES.query.conversation![0]!);
    const own = await server.gql(operationFor("query", field, variables), variables, await server.token("admin@demo.test"));
    expect(own.errors).toBeUndefined();
    expect(leaksIn(own, a)).toEqual(expect.arrayContaining([a.globalIds.conversation, "Cliente secreto A", "5511955550001", "mensagem secreta A"]));
  });
});

describe("B's admin over HTTP, with A's ids", () => {
  it("gets NOT_FOUND or null for A's rows, its own data otherwise, and changes nothing of A's", async () => {
    const { prisma } = server.app.runtime;
    const before = await snapshotOrganization(prisma, a.rows.organization);
    const problems: string[] = [];
    for (const kind of ["query", "mutation"] as const) {
      for (const field of rootFields(kind)) {
        for (const probe of PROBES[kind][field.name] ?? []) {
          const variables = variablesFor(field, probe);
          const result = (await server.gql(operationFor(kind, field, variables), variables, bAdmin)) as Result;
          const problem = problemWith(result, field.name, probe.expect);
          if (problem) problems.push(`${field.name}(${JSON.stringify(variables)}): ${problem}`);
          counts.http += 1;
        }
      }
    }
    expect(problems).toEqual([]);
    expect(await snapshotOrganization(prisma, a.rows.organization)).toBe(before);
  });
});

describe("B's admin over WebSocket, while A's data changes", () => {
  let bSocket: SocketClient;
  let aSocket: SocketClient;

  beforeAll(async () => {
    bSocket = connect(server.wsUrl, `Bearer ${bAdmin}`);
    aSocket = connect(server.wsUrl, `Bearer ${await server.token("admin@demo.test")}`);
    await Promise.all([bSocket.connected, aSocket.connected]);
  });
  afterAll(async () => {
    await bSocket?.dispose();
    await aSocket?.dispose();
  });

  it("refuses subscriptions to A's rows with NOT_FOUND", async () => {
    const problems: string[] = [];
    for (const field of rootFields("subscription")) {
      for (const probe of (PROBES.subscription[field.name] ?? []).filter((p) => p.expect !== "LIVE")) {
        const variables = variablesFor(field, probe);
        const subscription = subscribe(bSocket, operationFor("subscription", field, variables), variables);
        const problem = problemWith((await subscription.next()) as Result, field.name, probe.expect);
        if (problem) problems.push(`${field.name}(${JSON.stringify(variables)}): ${problem}`);
        subscription.unsubscribe();
        counts.subscriptions += 1;
      }
    }
    expect(problems).toEqual([]);
  });

  it("sends B none of A's events: every frame before B's own sentinel event is B's", async () => {
    // A's own view, to know when each of A's changes has been published.
    const aMessages = subscribe<Frame>(aSocket, "subscription { messageAdded { text } }");
    const aAlerts = subscribe<Frame>(aSocket, "subscription { alertChanged { id status } }");
    await barrier(aSocket);

    const live: Array<{ field: string; subscription: Subscription<Frame> }> = [];
    for (const field of rootFields("subscription")) {
      for (const probe of (PROBES.subscription[field.name] ?? []).filter((p) => p.expect === "LIVE")) {
        const variables = variablesFor(field, probe);
        live.push({ field: field.name, subscription: subscribe<Frame>(bSocket, operationFor("subscription", field, variables), variables) });
        counts.subscriptions += 1;
      }
    }
    await barrier(bSocket);

    // A's changes, each confirmed on A's own socket so they were published before B's sentinels.
    await frameAfter(
      "A's customer message",
      aMessages,
      async () => {
        expect((await postWebhook(server.url, inboundWebhook({ text: A_LIVE_TEXT, from: A_LIVE_PHONE }, DEMO_PHONE_NUMBER_ID).body)).status).toBe(200);
      },
      (data) => (data.messageAdded as { text: string }).text === A_LIVE_TEXT,
    );
    const aAgent = await server.token("agent@demo.test");
    await frameAfter(
      "A's alert acknowledged",
      aAlerts,
      async () => {
        const ack = await server.gql("mutation($id: ID!) { acknowledgeAlert(id: $id) { id } }", { id: a.globalIds.alert }, aAgent);
        expect(ack.errors).toBeUndefined();
      },
      (data) => (data.alertChanged as { id: string }).id === a.globalIds.alert,
    );
    const assigned = await server.gql(
      "mutation($c: ID!, $u: ID!) { assignConversation(conversationId: $c, userId: $u) { id } }",
      { c: a.globalIds.conversation, u: a.globalIds.admin },
      aAgent,
    );
    expect(assigned.errors).toBeUndefined();
    const read = await server.gql(
      "mutation($id: ID!) { markNotificationRead(id: $id) { id } }",
      { id: a.globalIds.notification },
      await server.token("admin@demo.test"),
    );
    expect(read.errors).toBeUndefined();
    // A's agent comes online (a presence change B must not hear of), confirmed on A's own socket.
    const aPresence = subscribe<Frame>(aSocket, "subscription { presenceChanged { id online } }");
    await barrier(aSocket);
    const aAgentSocket = connect(server.wsUrl, `Bearer ${aAgent}`);
    await frameAfter(
      "A's agent online",
      aPresence,
      () => aAgentSocket.connected,
      (data: Frame) => (data.presenceChanged as { id: string }).id === a.globalIds.agent,
    );
    // An answer of A's delivered (messageUpdated); B's sentinel below is one of B's.
    const { prisma } = server.app.runtime;
    for (const [org, wamid] of [
      [a, A_OUTBOUND_WAMID],
      [b, B_OUTBOUND_WAMID],
    ] as const) {
      await prisma.message.create({
        data: {
          organizationId: org.rows.organization,
          conversationId: org.rows.conversation,
          direction: "OUTBOUND",
          type: "TEXT",
          text: "answer",
          externalId: wamid,
          status: "SENT",
        },
      });
    }
    const delivered = (wamid: string, phoneNumberId: string) =>
      postWebhook(server.url, sampleWebhook([sampleChange({ phoneNumberId, statuses: [sampleStatus(wamid, "delivered")] })]));
    expect((await delivered(A_OUTBOUND_WAMID, DEMO_PHONE_NUMBER_ID)).status).toBe(200);

    // B's sentinels: a customer message, an alert, an assignment to B's admin.
    expect((await postWebhook(server.url, inboundWebhook({ text: SENTINEL_TEXT, from: B_LIVE_PHONE }, ACME_PHONE_NUMBER_ID).body)).status).toBe(200);
    const created = await server.gql("mutation($t: String!) { createAlert(input: { title: $t }) { id } }", { t: SENTINEL_ALERT }, bAdmin);
    expect(created.errors).toBeUndefined();
    const bAssigned = await server.gql(
      "mutation($c: ID!, $u: ID!) { assignConversation(conversationId: $c, userId: $u) { id } }",
      { c: b.globalIds.conversation, u: b.globalIds.admin },
      await server.token("agent@acme.test"),
    );
    expect(bAssigned.errors).toBeUndefined();
    const bAgentSocket = connect(server.wsUrl, `Bearer ${await server.token("agent@acme.test")}`);
    await bAgentSocket.connected;
    expect((await delivered(B_OUTBOUND_WAMID, ACME_PHONE_NUMBER_ID)).status).toBe(200);

    const problems: string[] = [];
    for (const { field, subscription } of live) {
      let sawSentinel = false;
      for (let index = 0; index < 20 && !sawSentinel; index++) {
        const frame = (await subscription.next(15_000).catch((error: Error) => {
          throw new Error(`${field} frame ${index}: ${error.message}`);
        })) as Result;
        const problem = problemWith(frame, field, "LIVE");
        if (problem) problems.push(`${field} frame ${index}: ${problem}`);
        sawSentinel = !!frame.data && SENTINELS[field]!(frame.data, index);
      }
      expect(sawSentinel, `${field} saw B's sentinel`).toBe(true);
      subscription.unsubscribe();
    }
    await Promise.all([aAgentSocket.dispose(), bAgentSocket.dispose()]);
    expect(problems).toEqual([]);
  });
});

/**
 * Subscriptions on a socket start asynchronously and say nothing when they are live;
 * the unread count answers at once. Its first frame, after the server read the
 * database, means the subscriptions asked for before it are in place.
 */
async function barrier(socket: SocketClient) {
  const count = subscribe(socket, "subscription { unreadNotificationCountChanged }");
  await count.next();
  count.unsubscribe();
}

/** Runs `act` and waits until `subscription` yields a frame matching `matches`. */
async function frameAfter(what: string, subscription: Subscription<{ data?: Frame }>, act: () => Promise<void>, matches: (data: Frame) => boolean) {
  await act();
  for (let i = 0; i < 20; i++) {
    const frame = await subscription.next(15_000).catch((error: Error) => {
      throw new Error(`${what}: ${error.message}`);
    });
    if (frame.data && matches(frame.data)) return;
  }
  throw new Error(`${what}: A's own event never reached A's socket`);
}
