import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { smsSegments } from "../../src/delivery/sms-segments.js";
import { digestJobId } from "../../src/digests/hold.js";
import { notify } from "../../src/notifications/engine.js";
import { scrape, total } from "../helpers/metrics.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { SMS_ACCOUNT_SID, SMS_AUTH_TOKEN, SMS_FROM, startSmsApi, twilioError, type SmsApi } from "../helpers/sms-api.js";
import { eventually, openConversation, orgId, raise, userId } from "../notifications/fixtures.js";

let server: TestServer;
let sms: SmsApi;
let agentToken: string;
let accepted: Parameters<SmsApi["setDefault"]>[0];

beforeAll(async () => {
  sms = await startSmsApi();
  server = await startTestServer({
    env: { ...sms.env, PUBLIC_URL: "https://app.aviso.test", DELIVERY_RETRY_LIMIT: "2", DELIVERY_RETRY_DELAY_SECONDS: "1", DELIVERY_BREAKER_FAILURES: "50" },
  });
  agentToken = await server.token("agent@demo.test");
  accepted = sms.currentDefault();
});
afterAll(async () => {
  await server?.stop();
  await sms?.close();
});
beforeEach(() => {
  sms.requests.length = 0;
});

const prisma = () => server.app.runtime.prisma;

async function assignToAgent(contactName: string) {
  const demo = await orgId(prisma(), "demo");
  const conversation = await openConversation(prisma(), { org: "demo", assignee: "agent@demo.test", contactName });
  const result = await raise(server, { type: "CONVERSATION_ASSIGNED", organizationId: demo, conversationId: conversation.id, assigneeId: await userId(prisma(), "agent@demo.test"), actorId: await userId(prisma(), "admin@demo.test") });
  return result.notificationIds[0]!;
}

const smsDelivery = (notificationId: string) => prisma().delivery.findFirst({ where: { notificationId, channel: "SMS" } });

async function settled(notificationId: string, statuses: string[]) {
  return eventually(async () => {
    const row = await smsDelivery(notificationId);
    return row && statuses.includes(row.status) ? row : undefined;
  }, `SMS delivery ${statuses.join("/")}`, 20_000);
}

describe("SMS through Twilio's Messages API", () => {
  it("is off by default for every role, and goes out once the user turns it on", async () => {
    const before = await assignToAgent("Ana");
    expect(await smsDelivery(before)).toBeNull();
    const enabled = await server.gql(
      `mutation { updateNotificationPreferences(input: { channels: [{ type: CONVERSATION_ASSIGNED, channel: SMS, enabled: true }] }) { channels { type channel enabled } } }`,
      {},
      agentToken,
    );
    expect(enabled.errors).toBeUndefined();
  });

  it("posts the form-encoded message with basic auth, and records the segments on the delivery", async () => {
    const notificationId = await assignToAgent("Paula");
    const delivery = await settled(notificationId, ["SENT"]);
    const [message] = sms.messages();
    expect(message).toMatchObject({ to: "+5511988880001", from: SMS_FROM, credentials: `${SMS_ACCOUNT_SID}:${SMS_AUTH_TOKEN}`, contentType: "application/x-www-form-urlencoded" });
    expect(message!.body).toMatch(/^\[Demo\] Conversa #\d+ atribuída a você: Contato: Paula https:\/\/app\.aviso\.test\/conversations\//);
    // "í" and "ê" are not in the GSM 03.38 alphabet: UCS-2, 67 characters per segment once split.
    expect(delivery).toMatchObject({ status: "SENT", smsEncoding: "UCS-2", smsSegments: Math.ceil(message!.body.length / 67), attempts: 1 });
    expect(delivery.providerMessageId).toMatch(/^SM[0-9a-f]{32}$/);
    const metrics = await scrape(server.url);
    expect(total(metrics, "aviso_deliveries_total", { channel: "SMS", status: "SENT" })).toBeGreaterThanOrEqual(1);
    expect(total(metrics, "aviso_sms_segments_total", { encoding: "UCS-2" })).toBe(delivery.smsSegments);

    // The same notification in English is plain GSM-7.
    await prisma().user.update({ where: { email: "agent@demo.test" }, data: { locale: "en" } });
    try {
      const english = await settled(await assignToAgent("Rui"), ["SENT"]);
      const body = sms.messages()[1]!.body;
      expect(body).toMatch(/^\[Demo\] Conversation #\d+ assigned to you: Contact: Rui https:/);
      expect(english).toMatchObject({ smsEncoding: "GSM-7", smsSegments: body.length <= 160 ? 1 : Math.ceil(body.length / 153) });
    } finally {
      await prisma().user.update({ where: { email: "agent@demo.test" }, data: { locale: null } });
    }
  });

  it("retries Twilio's 429 (20429) and sends once it passes", async () => {
    sms.enqueue({ ...twilioError(429, 20429, "Too Many Requests"), headers: { "retry-after": "1" } });
    const delivery = await settled(await assignToAgent("Marta"), ["SENT"]);
    expect(delivery.attempts).toBe(2);
    expect(sms.requests).toHaveLength(2);
  }, 30_000);

  it("fails a permanent error at once, with Twilio's code", async () => {
    sms.enqueue(twilioError(400, 21211, "The 'To' number +5511988880001 is not a valid phone number."));
    const delivery = await settled(await assignToAgent("João"), ["FAILED"]);
    expect(delivery.attempts).toBe(1);
    expect(delivery.lastError).toContain("Twilio 21211");
    expect(sms.requests).toHaveLength(1);
    // It shows among the organization's failure reasons, like every channel.
    const stats = await server.gql<{ deliveryStats: { failureReasons: Array<{ channel: string; reason: string }> } }>(
      "{ deliveryStats { failureReasons { channel reason } } }",
      {},
      await server.token("admin@demo.test"),
    );
    expect(stats.data?.deliveryStats.failureReasons.some((r) => r.channel === "SMS" && r.reason.includes("21211"))).toBe(true);
  });

  it("goes DEAD after its retries, shows among the dead letters, and is SENT when replayed", async () => {
    sms.setDefault(twilioError(503, 20503, "Service Unavailable"));
    const notificationId = await assignToAgent("Lia");
    const dead = await settled(notificationId, ["DEAD"]);
    expect(dead.attempts).toBe(3);
    expect(dead.lastError).toContain("Twilio 20503");
    const admin = await server.token("admin@demo.test");
    const listed = await server.gql<{ deliveries: { edges: Array<{ node: { id: string; channel: string; status: string } }> } }>(
      "{ deliveries(first: 5, channel: SMS, status: DEAD) { edges { node { id channel status } } } }",
      {},
      admin,
    );
    const node = listed.data!.deliveries.edges.map((e) => e.node).find((n) => n.status === "DEAD")!;
    expect(node.channel).toBe("SMS");
    sms.setDefault(accepted);
    const replayed = await server.gql("mutation ($id: ID!) { retryDelivery(id: $id) { status } }", { id: node.id }, admin);
    expect(replayed.errors).toBeUndefined();
    await settled(notificationId, ["SENT"]);
  }, 40_000);

  it("sends a test SMS to the caller", async () => {
    const result = await server.gql<{ sendTestNotification: { channel: string } }>("mutation { sendTestNotification(channel: SMS) { channel } }", {}, agentToken);
    expect(result.data?.sendTestNotification.channel).toBe("SMS");
    await eventually(async () => (sms.messages().some((m) => m.body.includes("Notificação de teste do Aviso.")) ? true : undefined), "test SMS");
    const viewer = await server.gql("mutation { sendTestNotification(channel: SMS) { channel } }", {}, await server.token("viewer@demo.test"));
    expect(viewer.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  });

  it("folds an hourly SMS digest into one SMS at the window's end", async () => {
    const chosen = await server.gql(`mutation { updateDigestPreference(input: { channel: SMS, frequency: HOURLY, timeZone: "UTC" }) { frequency } }`, {}, agentToken);
    expect(chosen.errors).toBeUndefined();
    try {
      const now = new Date(Math.floor(Date.now() / 3600_000) * 3600_000 + 3600_000 + 600_000);
      const demo = await orgId(prisma(), "demo");
      const agent = await userId(prisma(), "agent@demo.test");
      const admin = await userId(prisma(), "admin@demo.test");
      const ids: string[] = [];
      for (const name of ["Zeca", "Yara", "Zeca"]) {
        const conversation = await openConversation(prisma(), { org: "demo", assignee: "agent@demo.test", contactName: name });
        const { notificationIds } = await notify(server.app.runtime, { type: "CONVERSATION_ASSIGNED", organizationId: demo, conversationId: conversation.id, assigneeId: agent, actorId: admin }, undefined, { now });
        ids.push(notificationIds[0]!);
      }
      const held = await prisma().delivery.findMany({ where: { notificationId: { in: ids }, channel: "SMS" } });
      expect(held).toHaveLength(3);
      expect(new Set(held.map((d) => d.digestId)).size).toBe(1);
      expect(held.every((d) => d.status === "SCHEDULED")).toBe(true);
      expect(sms.requests).toHaveLength(0);
      const windowEnd = new Date(now.getTime() - 600_000 + 3600_000);
      // The window ends: its job becomes due.
      expect(await prisma().$executeRaw`UPDATE pgboss.job SET start_after = now() WHERE name = 'send-digest' AND id = ${digestJobId(agent, "SMS", windowEnd)}::uuid`).toBe(1);
      await eventually(async () => ((await prisma().delivery.count({ where: { notificationId: { in: ids }, channel: "SMS", status: "SENT" } })) === 3 ? true : undefined), "SMS digest sent", 20_000);
      const [message] = sms.messages();
      expect(sms.requests).toHaveLength(1);
      expect(message!.body).toMatch(/^\[Demo\] Resumo: 3 notificações: #\d+ Zeca \(1\); #\d+ Yara \(1\); #\d+ Zeca \(1\)\. https:\/\/app\.aviso\.test\/notifications$/);
      const rows = await prisma().delivery.findMany({ where: { notificationId: { in: ids }, channel: "SMS" } });
      expect(new Set(rows.map((r) => r.providerMessageId)).size).toBe(1);
      // The segments were spent once.
      expect(rows.filter((r) => r.smsSegments !== null)).toEqual([expect.objectContaining({ smsEncoding: "UCS-2", smsSegments: smsSegments(message!.body).segments })]);
    } finally {
      await server.gql(`mutation { updateDigestPreference(input: { channel: SMS, frequency: IMMEDIATE }) { frequency } }`, {}, agentToken);
    }
  }, 40_000);

  it("waits for the end of the user's quiet hours like every external channel", async () => {
    await prisma().user.update({ where: { email: "agent@demo.test" }, data: { quietHoursStart: "00:00", quietHoursEnd: "23:59", quietHoursTimeZone: "UTC" } });
    try {
      const delivery = await smsDelivery(await assignToAgent("Noite"));
      expect(delivery).toMatchObject({ status: "SCHEDULED" });
      expect(delivery!.scheduledFor!.getTime()).toBeGreaterThan(Date.now());
    } finally {
      await prisma().user.update({ where: { email: "agent@demo.test" }, data: { quietHoursStart: null, quietHoursEnd: null, quietHoursTimeZone: null } });
    }
  });
});

describe("SMS segments", () => {
  it("counts GSM-7 in 160 / 153 septets, extension characters as two", () => {
    expect(smsSegments("a".repeat(160))).toEqual({ encoding: "GSM-7", segments: 1, units: 160 });
    expect(smsSegments("a".repeat(161))).toEqual({ encoding: "GSM-7", segments: 2, units: 161 });
    expect(smsSegments("a".repeat(306))).toMatchObject({ segments: 2 });
    expect(smsSegments("a".repeat(307))).toMatchObject({ segments: 3 });
    expect(smsSegments("€".repeat(80))).toEqual({ encoding: "GSM-7", segments: 1, units: 160 });
    expect(smsSegments("€".repeat(81))).toMatchObject({ segments: 2, units: 162 });
    // An escape pair is never split: 152 single septets + one € do not fit the first part.
    expect(smsSegments(`${"a".repeat(152)}€${"a".repeat(10)}`)).toMatchObject({ segments: 2 });
  });

  it("counts UCS-2 in 70 / 67 code units, a surrogate pair never split", () => {
    expect(smsSegments("á".repeat(70))).toEqual({ encoding: "UCS-2", segments: 1, units: 70 });
    expect(smsSegments("á".repeat(71))).toEqual({ encoding: "UCS-2", segments: 2, units: 71 });
    expect(smsSegments("á".repeat(134))).toMatchObject({ segments: 2 });
    expect(smsSegments("á".repeat(135))).toMatchObject({ segments: 3 });
    expect(smsSegments(`${"a".repeat(68)}😀`)).toMatchObject({ encoding: "UCS-2", units: 70, segments: 1 });
    // 66 + 2 does not fit 67: the emoji opens the second part, which then overflows into a third.
    expect(smsSegments(`${"a".repeat(66)}😀${"a".repeat(66)}`)).toMatchObject({ units: 134, segments: 3 });
    expect(smsSegments("Olá, é você?")).toMatchObject({ encoding: "UCS-2", segments: 1 });
    expect(smsSegments("Ola, é voce?")).toMatchObject({ encoding: "GSM-7", segments: 1 });
  });
});
