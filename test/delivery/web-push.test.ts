import { globalAgent } from "node:https";
import { rootCertificates } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { makeLoopbackCertificate, startPushService, type PushService, type PushServiceCertificate, type TestSubscription } from "../helpers/push-service.js";
import { digestJobId } from "../../src/digests/hold.js";
import { notify } from "../../src/notifications/engine.js";
import { WebPushPublicKeyDocument } from "../../src/client/index.js";
import { MyWebPushSubscriptionsDocument, RegisterWebPushSubscriptionDocument, SendTestNotificationDocument } from "../generated/operations.js";
import { eventually } from "../helpers/eventually.js";
import { gid, openConversation, orgId, raise, userId } from "../notifications/fixtures.js";

let server: TestServer;
let push: PushService;
let certificate: PushServiceCertificate;
let agentToken: string;

const REGISTER = RegisterWebPushSubscriptionDocument;

beforeAll(async () => {
  certificate = makeLoopbackCertificate();
  // web-push only speaks https: the server under test (in this process) trusts the stand-in's certificate.
  globalAgent.options.ca = [...rootCertificates, certificate.certPem];
  push = await startPushService(certificate);
  server = await startTestServer({
    env: {
      PUBLIC_URL: "https://app.aviso.test",
      UNSAFE_ALLOW_LOCAL_TARGETS: "true",
      VAPID_SUBJECT: "mailto:ops@aviso.test",
      DELIVERY_RETRY_LIMIT: "2",
      DELIVERY_RETRY_DELAY_SECONDS: "1",
      DELIVERY_BREAKER_FAILURES: "50",
    },
  });
  agentToken = await server.token("agent@demo.test");
  const enabled = await server.gql(
    `mutation { updateNotificationPreferences(input: { channels: [{ type: CONVERSATION_ASSIGNED, channel: WEB_PUSH, enabled: true }] }) { channels { type channel enabled } } }`,
    {},
    agentToken,
  );
  expect(enabled.errors).toBeUndefined();
});
afterAll(async () => {
  await server?.stop();
  await push?.close();
  certificate?.dispose();
});

async function register(subscription: TestSubscription, token = agentToken, userAgent = "Test Browser") {
  return server.gql(REGISTER, { input: { endpoint: subscription.endpoint, keys: subscription.keys, userAgent } }, token);
}

async function assignToAgent(contactName: string) {
  const prisma = server.app.runtime.prisma;
  const demo = await orgId(prisma, "demo");
  const conversation = await openConversation(prisma, { org: "demo", assignee: "agent@demo.test", contactName });
  const result = await raise(server, {
    type: "CONVERSATION_ASSIGNED",
    organizationId: demo,
    conversationId: conversation.id,
    assigneeId: await userId(prisma, "agent@demo.test"),
    actorId: await userId(prisma, "admin@demo.test"),
  });
  return { conversation, notificationId: result.notificationIds[0]! };
}

const pushDeliveries = (notificationId: string) =>
  server.app.runtime.prisma.delivery.findMany({ where: { notificationId, channel: "WEB_PUSH" }, orderBy: { createdAt: "asc" } });

describe("web push", () => {
  it("serves the VAPID public key the browser subscribes with", async () => {
    const result = await server.gql(WebPushPublicKeyDocument);
    expect(result.errors).toBeUndefined();
    expect(Buffer.from(result.data!.webPushPublicKey, "base64url")).toHaveLength(65);
  });

  it("pushes one encrypted payload per subscription, signed with VAPID; a 410 removes that subscription", async () => {
    const laptop = push.subscribe();
    const phone = push.subscribe();
    expect((await register(laptop, agentToken, "Laptop")).errors).toBeUndefined();
    expect((await register(phone, agentToken, "Phone")).errors).toBeUndefined();
    push.replyWith(phone.id, { status: 410 });

    const { conversation, notificationId } = await assignToAgent("Paula");
    const settled = await eventually(
      async () => {
        const rows = await pushDeliveries(notificationId);
        return rows.length === 2 && rows.every((d) => d.status === "SENT" || d.status === "FAILED") ? rows : undefined;
      },
      { what: "both push deliveries settled", timeoutMs: 20_000 },
    );

    const prisma = server.app.runtime.prisma;
    const phoneRow = await prisma.webPushSubscription.findUnique({ where: { endpoint: phone.endpoint } });
    expect(phoneRow).toBeNull();
    const laptopRow = await prisma.webPushSubscription.findUniqueOrThrow({ where: { endpoint: laptop.endpoint } });
    const sent = settled.find((d) => d.webPushSubscriptionId === laptopRow.id)!;
    expect(sent).toMatchObject({ status: "SENT", attempts: 1 });
    expect(sent.providerMessageId).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/message\//);
    const gone = settled.find((d) => d !== sent)!;
    expect(gone).toMatchObject({ status: "FAILED", webPushSubscriptionId: null });
    expect(gone.lastError).toContain("push 410");

    // What the laptop's browser decrypts with its own private key.
    const delivered = push.received.find((r) => r.subscriptionId === laptop.id)!;
    expect(JSON.parse(delivered.plaintext)).toEqual({
      title: `Conversa #${conversation.number} atribuída a você`,
      body: "Contato: Paula",
      url: `https://app.aviso.test/conversations/${gid("Conversation", conversation.id)}`,
      notificationId,
      tag: `conversation-${conversation.id}`,
    });
    expect(delivered.headers["content-encoding"]).toBe("aes128gcm");
    expect(delivered.headers.urgency).toBe("high");
    expect(Number(delivered.headers.ttl)).toBe(86_400);
    expect(delivered.vapid).toMatchObject({ aud: push.origin, sub: "mailto:ops@aviso.test" });
    const { data } = await server.gql(WebPushPublicKeyDocument);
    expect(delivered.vapidPublicKey).toBe(data!.webPushPublicKey);
    // The body on the wire is ciphertext, not the JSON.
    expect(delivered.ciphertext.includes(Buffer.from("Paula"))).toBe(false);
    // The phone's push was decrypted too (answered 410): it was encrypted for the phone's keys.
    expect(JSON.parse(push.received.find((r) => r.subscriptionId === phone.id)!.plaintext).notificationId).toBe(notificationId);
    expect(push.rejected).toEqual([]);

    // Next time only the laptop gets a delivery.
    const next = await assignToAgent("Rui");
    await eventually(async () => ((await pushDeliveries(next.notificationId))[0]?.status === "SENT" ? true : undefined), {
      what: "second push sent",
      timeoutMs: 10_000,
    });
    expect(await pushDeliveries(next.notificationId)).toHaveLength(1);
  });

  it("retries a 429 after the push service's Retry-After, and a 500 like other channels", async () => {
    const browser = push.subscribe();
    expect((await register(browser)).errors).toBeUndefined();
    push.replyWith(browser.id, { status: 429, headers: { "retry-after": "1" } }, { status: 503 });
    const { notificationId } = await assignToAgent("Marta");
    const subscription = await server.app.runtime.prisma.webPushSubscription.findUniqueOrThrow({ where: { endpoint: browser.endpoint } });
    const delivery = await eventually(
      async () => {
        const row = (await pushDeliveries(notificationId)).find((d) => d.webPushSubscriptionId === subscription.id);
        return row?.status === "SENT" ? row : undefined;
      },
      { what: "push sent after 429 and 503", timeoutMs: 30_000 },
    );
    expect(delivery.attempts).toBe(3);
    expect(push.received.filter((r) => r.subscriptionId === browser.id).map((r) => r.status)).toEqual([429, 503, 201]);
  }, 40_000);

  it("folds an hourly web push digest into one push per browser at the window's end", async () => {
    const prisma = server.app.runtime.prisma;
    const token = await server.token("admin@demo.test");
    const admin = await userId(prisma, "admin@demo.test");
    const enabled = await server.gql(
      `mutation { updateNotificationPreferences(input: { channels: [{ type: ALERT_CREATED, channel: WEB_PUSH, enabled: true }] }) { notifyOnNewMessage } }`,
      {},
      token,
    );
    expect(enabled.errors).toBeUndefined();
    expect(
      (await server.gql(`mutation { updateDigestPreference(input: { channel: WEB_PUSH, frequency: HOURLY, timeZone: "UTC" }) { frequency } }`, {}, token))
        .errors,
    ).toBeUndefined();
    const [desk, tablet] = [push.subscribe(), push.subscribe()];
    expect((await register(desk, token)).errors).toBeUndefined();
    expect((await register(tablet, token)).errors).toBeUndefined();
    const now = new Date(Math.floor(Date.now() / 3600_000) * 3600_000 + 3600_000 + 600_000);
    const demo = await orgId(prisma, "demo");
    const ids: string[] = [];
    for (const title of ["Disco cheio", "Fila parada"]) {
      const alert = await prisma.alert.create({ data: { organizationId: demo, title, severity: "HIGH" } });
      ids.push((await notify(server.app.runtime, { type: "ALERT_CREATED", organizationId: demo, alertId: alert.id }, undefined, { now })).notificationIds[0]!);
    }
    const held = await prisma.delivery.findMany({ where: { notificationId: { in: ids }, channel: "WEB_PUSH" } });
    expect(held).toHaveLength(4);
    expect(held.every((d) => d.status === "SCHEDULED" && d.digestId === held[0]!.digestId)).toBe(true);
    const windowEnd = new Date(now.getTime() - 600_000 + 3600_000);
    expect(
      await prisma.$executeRaw`UPDATE pgboss.job SET start_after = now() WHERE name = 'send-digest' AND id = ${digestJobId(admin, "WEB_PUSH", windowEnd)}::uuid`,
    ).toBe(1);
    await eventually(async () => ((await prisma.delivery.count({ where: { id: { in: held.map((d) => d.id) }, status: "SENT" } })) === 4 ? true : undefined), {
      what: "push digest sent",
      timeoutMs: 20_000,
    });
    for (const browser of [desk, tablet]) {
      const pushes = push.received.filter((r) => r.subscriptionId === browser.id);
      expect(pushes).toHaveLength(1);
      expect(JSON.parse(pushes[0]!.plaintext)).toMatchObject({
        title: "Resumo do Aviso: 2 notificações",
        body: "[HIGH] Disco cheio (1); [HIGH] Fila parada (1)",
        tag: "aviso-digest",
        url: "https://app.aviso.test/notifications",
      });
    }
  }, 40_000);

  it("sends a test push to the caller's newest browser, and refuses one without a browser", async () => {
    const browser = push.subscribe();
    expect((await register(browser)).errors).toBeUndefined();
    const result = await server.gql(SendTestNotificationDocument, { channel: "WEB_PUSH" }, agentToken);
    expect(result.data?.sendTestNotification.channel).toBe("WEB_PUSH");
    const received = await eventually(async () => push.received.find((r) => r.subscriptionId === browser.id), { what: "test push", timeoutMs: 10_000 });
    expect(JSON.parse(received.plaintext)).toMatchObject({ title: "Teste", body: "Notificação de teste do Aviso." });
    const none = await server.gql("mutation { sendTestNotification(channel: WEB_PUSH) { channel } }", {}, await server.token("viewer@demo.test"));
    expect(none.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  });

  it("validates subscriptions, moves an endpoint to whoever of the organization registers it last, and unregisters", async () => {
    const browser = push.subscribe();
    const http = await server.gql(REGISTER, { input: { endpoint: "http://push.example/x", keys: browser.keys } }, agentToken);
    expect(http.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    // The shared SSRF guard: only the browsers' push services (WEB_PUSH_HOSTS), no private addresses.
    for (const endpoint of ["https://evil.example/push/1", "https://169.254.169.254/latest/meta-data", "https://10.0.0.7/push"]) {
      const refused = await server.gql(REGISTER, { input: { endpoint, keys: browser.keys } }, agentToken);
      expect(refused.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    }
    const badKey = await server.gql(REGISTER, { input: { endpoint: browser.endpoint, keys: { p256dh: "AAAA", auth: browser.keys.auth } } }, agentToken);
    expect(badKey.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    const anonymous = await server.gql(REGISTER, { input: { endpoint: browser.endpoint, keys: browser.keys } });
    expect(anonymous.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");

    expect((await register(browser)).errors).toBeUndefined();
    // A colleague logs in on the same browser: the endpoint is theirs now.
    const colleague = await server.token("agent2@demo.test");
    expect((await register(browser, colleague)).errors).toBeUndefined();
    const row = await server.app.runtime.prisma.webPushSubscription.findUniqueOrThrow({ where: { endpoint: browser.endpoint }, include: { user: true } });
    expect(row.user.email).toBe("agent2@demo.test");
    const mine = await server.gql(MyWebPushSubscriptionsDocument, {}, agentToken);
    expect(mine.data!.webPushSubscriptions.map((s) => s.endpoint)).not.toContain(browser.endpoint);
    // Someone of another organization cannot take it (nor learn whose it is).
    const other = await register(browser, await server.token("agent@acme.test"));
    expect(other.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect((await server.app.runtime.prisma.webPushSubscription.findUniqueOrThrow({ where: { endpoint: browser.endpoint } })).userId).toBe(row.userId);

    const UNREGISTER = `mutation ($endpoint: String!) { unregisterWebPushSubscription(endpoint: $endpoint) }`;
    expect((await server.gql(UNREGISTER, { endpoint: browser.endpoint }, agentToken)).data).toEqual({ unregisterWebPushSubscription: false });
    expect((await server.gql(UNREGISTER, { endpoint: browser.endpoint }, colleague)).data).toEqual({ unregisterWebPushSubscription: true });
  });
});
