import { readFileSync } from "node:fs";
import { parse, validate } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AlertsDocument,
  ApiKeysDocument,
  AuditLogDocument,
  ConversationDocument,
  ConversationsDocument,
  DeliveriesDocument,
  InboxNotificationsDocument,
  NotificationPreferencesDocument,
  OrganizationSettingsDocument,
  QueuesDocument,
  createAvisoClient,
  persistedOperationIds,
  persistedPayload,
  UnreadNotificationCountChangedDocument,
  ViewerDocument,
} from "../../src/client/index.js";
import { schema } from "../../src/schema/index.js";
import { buildPersistedOperations, readOperationSources, sha256 } from "../../src/server/persisted-operations.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { connect } from "../helpers/ws.js";

const manifest = buildPersistedOperations(readOperationSources());

describe("the operations/ contract", () => {
  it("holds a named operation for every screen, each valid against the schema", () => {
    const names = [...manifest.byName.keys()];
    // One per screen at least: inbox, conversation, preferences, alerts, admin deliveries/settings/queues.
    const screens = ["InboxNotifications", "Conversation", "SendMessage", "MessageTemplates", "NotificationPreferences", "RegisterWebPushSubscription"];
    const admin = ["Deliveries", "OrganizationSettings", "Queues", "CreateUser", "ApiKeys", "AuditLog", "EraseContact", "Organizations"];
    for (const screen of [...screens, "Alerts", "Alert", ...admin]) {
      expect(names).toContain(screen);
    }
    for (const operation of manifest.byName.values()) {
      expect({ name: operation.name, errors: validate(schema, parse(operation.document)).map((e) => e.message) }).toEqual({ name: operation.name, errors: [] });
      expect(operation.hash).toBe(sha256(operation.document));
    }
  });

  it("documents each file: it opens with a comment saying which screen it serves", () => {
    for (const { file, source } of readOperationSources()) expect({ file, opening: source.startsWith("# ") }).toEqual({ file, opening: true });
  });

  it("gives the client the ids the server knows (the generated files are not stale)", () => {
    const serverIds = Object.fromEntries([...manifest.byName.values()].map((op) => [op.name, op.hash]));
    expect({ ...persistedOperationIds }).toEqual(serverIds);
    const json = JSON.parse(readFileSync(new URL("../../src/client/generated/persisted-operations.json", import.meta.url), "utf8")) as Record<string, string>;
    expect(json).toEqual(Object.fromEntries([...manifest.byHash.values()].map((op) => [op.hash, op.document])));
  });
});

describe("persisted operations, arbitrary documents allowed (the default)", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("runs an operation sent by hash alone, typed through src/client", async () => {
    const aviso = createAvisoClient({ url: `${server.url}/graphql`, token: await server.token("agent@demo.test") });
    const viewer = await aviso.request(ViewerDocument);
    expect(viewer.errors).toBeUndefined();
    expect(viewer.data?.me).toMatchObject({ email: "agent@demo.test", role: "AGENT", organization: { slug: "demo" } });

    const conversations = await aviso.request(ConversationsDocument, { first: 5 });
    expect(conversations.errors).toBeUndefined();
    expect(Array.isArray(conversations.data?.conversations.edges)).toBe(true);
  });

  it("runs every screen's main queries within the operation limits (depth, cost) as an admin", async () => {
    const aviso = createAvisoClient({ url: `${server.url}/graphql`, token: await server.token("admin@demo.test") });
    const results = {
      inbox: await aviso.request(InboxNotificationsDocument, {}),
      preferences: await aviso.request(NotificationPreferencesDocument),
      alerts: await aviso.request(AlertsDocument, {}),
      deliveries: await aviso.request(DeliveriesDocument, {}),
      settings: await aviso.request(OrganizationSettingsDocument),
      queues: await aviso.request(QueuesDocument),
      apiKeys: await aviso.request(ApiKeysDocument, {}),
      audit: await aviso.request(AuditLogDocument, {}),
      // An id of nothing: the full conversation screen document passes the limits and answers NOT_FOUND.
      conversation: await aviso.request(ConversationDocument, { id: Buffer.from("Conversation:00000000-0000-4000-8000-000000000000").toString("base64") }),
    };
    const codes = Object.fromEntries(Object.entries(results).map(([screen, result]) => [screen, (result.errors ?? []).map((e) => e.extensions?.code)]));
    expect(codes).toEqual({
      inbox: [],
      preferences: [],
      alerts: [],
      deliveries: [],
      settings: [],
      queues: [],
      apiKeys: [],
      audit: [],
      conversation: ["NOT_FOUND"],
    });
  });

  it("still runs a document sent as text, and answers an unknown hash with PERSISTED_OPERATION_NOT_FOUND", async () => {
    const token = await server.token("agent@demo.test");
    const plain = createAvisoClient({ url: `${server.url}/graphql`, token, persisted: false });
    expect((await plain.request(AlertsDocument, { first: 1 })).data?.alerts.edges).toBeDefined();

    const response = await fetch(`${server.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ extensions: { persistedQuery: { version: 1, sha256Hash: "0".repeat(64) } } }),
    });
    const body = (await response.json()) as { data?: unknown; errors?: Array<{ extensions?: { code?: string } }> };
    expect(body.data ?? null).toBeNull();
    expect(body.errors?.[0]?.extensions?.code).toBe("PERSISTED_OPERATION_NOT_FOUND");
  });
});

describe("PERSISTED_OPERATIONS_ONLY=true", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ env: { PERSISTED_OPERATIONS_ONLY: "true" } });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("refuses an arbitrary document over HTTP with PERSISTED_OPERATION_REQUIRED, and runs persisted ones", async () => {
    const token = await server.token("agent@demo.test");
    const refused = await server.gql("{ me { email } }", {}, token);
    expect(refused.data ?? null).toBeNull();
    expect(refused.errors).toHaveLength(1);
    expect(refused.errors?.[0]?.extensions?.code).toBe("PERSISTED_OPERATION_REQUIRED");
    expect(refused.errors?.[0]?.message).toMatch(/only persisted operations.*persistedQuery/);

    // Even a document identical to a persisted one must come by hash.
    const sentAsText = await createAvisoClient({ url: `${server.url}/graphql`, token, persisted: false }).request(ViewerDocument);
    expect(sentAsText.errors?.[0]?.extensions?.code).toBe("PERSISTED_OPERATION_REQUIRED");

    const byHash = await createAvisoClient({ url: `${server.url}/graphql`, token }).request(ViewerDocument);
    expect(byHash.data?.me.email).toBe("agent@demo.test");

    // A query by hash over GET too (cacheable URLs: no document in them).
    const { operationName, extensions } = persistedPayload(ViewerDocument);
    const url = `${server.url}/graphql?operationName=${operationName}&extensions=${encodeURIComponent(JSON.stringify(extensions))}`;
    const viaGet = (await (await fetch(url, { headers: { authorization: `Bearer ${token}`, accept: "application/json" } })).json()) as {
      data?: { me?: { email?: string } };
    };
    expect(viaGet.data?.me?.email).toBe("agent@demo.test");
  });

  it("applies the same rule to subscriptions over WebSocket", async () => {
    const socket = connect(server.wsUrl, `Bearer ${await server.token("agent@demo.test")}`);
    await socket.connected;
    try {
      const first = <T>(payload: Parameters<typeof socket.client.subscribe>[0]) =>
        new Promise<{ data?: T; errors?: Array<{ extensions?: { code?: string } }> }>((resolve) => {
          const stop = socket.client.subscribe<T>(payload, {
            next: (value) => {
              stop();
              resolve(value as never);
            },
            error: (error) => resolve({ errors: (Array.isArray(error) ? error : [error]) as never }),
            complete: () => {},
          });
        });

      const refused = await first({ query: "subscription { unreadNotificationCountChanged }" });
      expect(refused.errors?.[0]?.extensions?.code).toBe("PERSISTED_OPERATION_REQUIRED");

      const live = await first<{ unreadNotificationCountChanged: number }>(persistedPayload(UnreadNotificationCountChangedDocument));
      expect(live.errors).toBeUndefined();
      expect(typeof live.data?.unreadNotificationCountChanged).toBe("number");
    } finally {
      await socket.dispose();
    }
  });
});
