import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { createUser, openConversation, orgId, receiveMessage } from "../notifications/fixtures.js";

// NOTIFY_NEW_MESSAGE_ENABLED is off by default; `on` turns it on.
let off: TestServer;
let on: TestServer;

beforeAll(async () => {
  [off, on] = await Promise.all([startTestServer(), startTestServer({ env: { NOTIFY_NEW_MESSAGE_ENABLED: "true" } })]);
});
afterAll(async () => {
  await Promise.all([off?.stop(), on?.stop()]);
});

const PREFERENCES = "{ notificationPreferences { whatsappNumber notifyOnNewMessage quietHours { start end timeZone } channels { type channel enabled } } }";
const UPDATE = `mutation($input: UpdateNotificationPreferencesInput!) {
  updateNotificationPreferences(input: $input) { whatsappNumber notifyOnNewMessage quietHours { start end timeZone } channels { type channel enabled } }
}`;

interface Preferences {
  whatsappNumber: string | null;
  notifyOnNewMessage: boolean;
  quietHours: { start: string; end: string; timeZone: string } | null;
  channels: Array<{ type: string; channel: string; enabled: boolean }>;
}

/** { TYPE: ["IN_APP", "EMAIL"] }: the enabled channels per type. */
function enabledByType(preferences: Preferences): Record<string, string[]> {
  const matrix: Record<string, string[]> = {};
  for (const c of preferences.channels) {
    matrix[c.type] ??= [];
    if (c.enabled) matrix[c.type]!.push(c.channel);
  }
  return matrix;
}

async function preferencesOf(server: TestServer, email: string): Promise<Preferences> {
  const result = await server.gql<{ notificationPreferences: Preferences }>(PREFERENCES, {}, await server.token(email));
  expect(result.errors).toBeUndefined();
  return result.data!.notificationPreferences;
}

const OTHER_TYPES = ["CONVERSATION_ASSIGNED", "SLA_WARNING", "CAMPAIGN_FAILED", "CUSTOM"];
const ALERT_TYPES = ["ALERT_CREATED", "ALERT_ESCALATED", "ALERT_RESOLVED", "ALERT_STALE"];

describe("role defaults", () => {
  it("gives agents in-app, plus WhatsApp and email for new messages only when the three flags are on", async () => {
    const withFlags = await preferencesOf(on, "agent@demo.test");
    // 9 types × 6 channels.
    expect(withFlags.channels).toHaveLength(54);
    expect(withFlags).toMatchObject({ whatsappNumber: "+5511988880001", notifyOnNewMessage: true, quietHours: null });
    const matrix = enabledByType(withFlags);
    expect(matrix.NEW_MESSAGE).toEqual(["IN_APP", "EMAIL", "WHATSAPP"]);
    for (const type of [...OTHER_TYPES, ...ALERT_TYPES]) expect(matrix[type]).toEqual(["IN_APP"]);
    // The global flag off: new messages stay in the app.
    expect(enabledByType(await preferencesOf(off, "agent@demo.test")).NEW_MESSAGE).toEqual(["IN_APP"]);
    // acme's organization flag is off (seed): likewise.
    expect(enabledByType(await preferencesOf(on, "agent@acme.test")).NEW_MESSAGE).toEqual(["IN_APP"]);
  });

  it("gives org admins in-app and email, and Slack for alerts once the organization has a webhook", async () => {
    const before = enabledByType(await preferencesOf(on, "admin@acme.test"));
    for (const type of [...OTHER_TYPES, ...ALERT_TYPES]) expect(before[type]).toEqual(["IN_APP", "EMAIL"]);
    const acmeId = await orgId(on.app.runtime.prisma, "acme");
    await on.app.runtime.prisma.organization.update({ where: { id: acmeId }, data: { slackWebhookUrl: "http://127.0.0.1:9/hook" } });
    const after = enabledByType(await preferencesOf(on, "admin@acme.test"));
    for (const type of ALERT_TYPES) expect(after[type]).toEqual(["IN_APP", "EMAIL", "SLACK"]);
    for (const type of OTHER_TYPES) expect(after[type]).toEqual(["IN_APP", "EMAIL"]);
  });

  it("gives super admins in-app, email and WhatsApp, and viewers in-app only", async () => {
    const root = enabledByType(await preferencesOf(on, "root@aviso.test"));
    for (const type of [...OTHER_TYPES, ...ALERT_TYPES]) expect(root[type]).toEqual(["IN_APP", "EMAIL", "WHATSAPP"]);
    const viewer = enabledByType(await preferencesOf(on, "viewer@demo.test"));
    for (const channels of Object.values(viewer)) expect(channels).toEqual(["IN_APP"]);
  });

  it("keeps new messages in the app when the global flag is off, whatever the user wants", async () => {
    const conversation = await openConversation(off.app.runtime.prisma, { org: "demo", assignee: "agent@demo.test" });
    const result = await receiveMessage(off, conversation);
    expect(result.notificationIds).toHaveLength(1);
    expect(await off.app.runtime.prisma.delivery.count({ where: { notificationId: { in: result.notificationIds } } })).toBe(0);
  });
});

describe("updateNotificationPreferences", () => {
  it("normalizes the WhatsApp number to E.164, sets quiet hours and overrides, and audits with the phone masked", async () => {
    const { prisma } = on.app.runtime;
    const agent = await createUser(prisma, "demo", "AGENT");
    const token = await on.token(agent.email);
    const result = await on.gql<{ updateNotificationPreferences: Preferences }>(
      UPDATE,
      {
        input: {
          whatsappNumber: "(11) 98765-4321",
          notifyOnNewMessage: true,
          quietHours: { start: "22:00", end: "07:00", timeZone: "America/Sao_Paulo" },
          channels: [
            { type: "SLA_WARNING", channel: "EMAIL", enabled: true },
            { type: "NEW_MESSAGE", channel: "WHATSAPP", enabled: false },
          ],
        },
      },
      token,
    );
    expect(result.errors).toBeUndefined();
    const updated = result.data!.updateNotificationPreferences;
    // An agent's new number waits for verification (issue 18): stored as pending, not in effect.
    expect(updated).toMatchObject({ whatsappNumber: null, notifyOnNewMessage: true, quietHours: { start: "22:00", end: "07:00", timeZone: "America/Sao_Paulo" } });
    expect((await prisma.user.findUniqueOrThrow({ where: { id: agent.id } })).whatsappPendingNumber).toBe("+5511987654321");
    const matrix = enabledByType(updated);
    expect(matrix.SLA_WARNING).toEqual(["IN_APP", "EMAIL"]);
    expect(matrix.NEW_MESSAGE).toEqual(["IN_APP", "EMAIL"]);
    expect(await preferencesOf(on, agent.email)).toEqual(updated);

    const audit = await prisma.auditLog.findFirstOrThrow({ where: { actorId: agent.id, action: "notification.preferences.updated" } });
    expect(JSON.stringify(audit.data)).not.toContain("987654321");
    expect(audit.data).toMatchObject({ whatsappNumber: "+55*******4321", notifyOnNewMessage: true });

    // Fields left out stay; null clears.
    const cleared = await on.gql<{ updateNotificationPreferences: Preferences }>(UPDATE, { input: { quietHours: null, whatsappNumber: null } }, token);
    expect(cleared.data?.updateNotificationPreferences).toMatchObject({ whatsappNumber: null, quietHours: null, notifyOnNewMessage: true });
    expect(enabledByType(cleared.data!.updateNotificationPreferences).SLA_WARNING).toEqual(["IN_APP", "EMAIL"]);
  });

  it("accepts international numbers with their country code", async () => {
    const agent = await createUser(on.app.runtime.prisma, "demo", "AGENT");
    const result = await on.gql<{ updateNotificationPreferences: Preferences }>(UPDATE, { input: { whatsappNumber: "+1 212-555-0199" } }, await on.token(agent.email));
    expect(result.errors).toBeUndefined();
    expect((await on.app.runtime.prisma.user.findUniqueOrThrow({ where: { id: agent.id } })).whatsappPendingNumber).toBe("+12125550199");
  });

  it.each([
    [{ whatsappNumber: "123" }, "whatsappNumber"],
    [{ whatsappNumber: "não é telefone" }, "whatsappNumber"],
    [{ quietHours: { start: "25:00", end: "07:00", timeZone: "UTC" } }, "quietHours.start"],
    [{ quietHours: { start: "22:00", end: "7h", timeZone: "UTC" } }, "quietHours.end"],
    [{ quietHours: { start: "22:00", end: "22:00", timeZone: "UTC" } }, "quietHours.end"],
    [{ quietHours: { start: "22:00", end: "07:00", timeZone: "Mars/Olympus" } }, "quietHours.timeZone"],
    [{ channels: [{ type: "NEW_MESSAGE", channel: "EMAIL", enabled: true }, { type: "NEW_MESSAGE", channel: "IN_APP", enabled: false }] }, "channels.1.enabled"],
  ])("rejects %j naming the field %s", async (input, field) => {
    const agent = await createUser(on.app.runtime.prisma, "demo", "AGENT");
    const token = await on.token(agent.email);
    const result = await on.gql(UPDATE, { input }, token);
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field });
    // Nothing was half-applied.
    expect(await preferencesOf(on, agent.email)).toMatchObject({ whatsappNumber: null, quietHours: null });
  });

  it("changes only the caller's own preferences", async () => {
    const { prisma } = on.app.runtime;
    const demoAgent = await prisma.user.findUniqueOrThrow({ where: { email: "agent2@demo.test" } });
    const before = await preferencesOf(on, "agent2@demo.test");
    const acme = await on.gql(
      UPDATE,
      { input: { whatsappNumber: "+5511911112222", channels: [{ type: "SLA_WARNING", channel: "EMAIL", enabled: true }] } },
      await on.token("agent@acme.test"),
    );
    expect(acme.errors).toBeUndefined();
    expect(await preferencesOf(on, "agent2@demo.test")).toEqual(before);
    expect((await prisma.user.findUniqueOrThrow({ where: { id: demoAgent.id } })).whatsappNotificationNumber).toBe("+5511988880002");
    const acmeAgent = await prisma.user.findUniqueOrThrow({ where: { email: "agent@acme.test" } });
    const rows = await prisma.notificationPreference.findMany({ where: { userId: acmeAgent.id } });
    expect(rows.map((r) => r.organizationId)).toEqual([acmeAgent.organizationId]);
  });

  it("requires a token", async () => {
    expect((await on.gql(PREFERENCES)).errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
  });
});
