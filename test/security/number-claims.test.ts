import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ClaimWhatsAppNumberDocument as SET_NUMBER,
  ConfirmWhatsAppNumberCodeDocument as CONFIRM,
  SendTestNotificationDocument as TEST,
  SetUserWhatsAppNumberDocument as SET,
} from "../generated/operations.js";
import { eventually } from "../helpers/eventually.js";
import type { HttpFake } from "../helpers/http-fake.js";
import { startGraphApi } from "../helpers/graph-api.js";
import { inboundWebhook, postWebhook } from "../helpers/meta.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { createUser } from "../notifications/fixtures.js";

// Issue 18: any user (a VIEWER too) could claim a customer's number as their own
// notification number; from then on that customer's messages were silently dropped.
// And a VIEWER could post into the organization's Slack or make its WhatsApp number
// message any number they typed.

let server: TestServer;
let graph: HttpFake;
beforeAll(async () => {
  graph = await startGraphApi();
  server = await startTestServer({ env: { WHATSAPP_API_URL: graph.url, NOTIFY_NEW_MESSAGE_ENABLED: "true", RATE_LIMIT_TEST_NOTIFICATIONS_PER_HOUR: "3" } });
});
afterAll(async () => {
  await server?.stop();
  await graph?.close();
});

const prisma = () => server.app.runtime.prisma;

/** The code the stand-in Graph API received for `digits` (a job sends it, shortly after the mutation). */
function codeSentTo(digits: string): Promise<string> {
  return eventually(
    async () => {
      const request = [...graph.requests].reverse().find((r) => (r.body as { to?: string }).to === digits);
      const text = (request?.body as { text?: { body?: string } } | undefined)?.text?.body ?? "";
      return /(\d{6})/.exec(text)?.[1];
    },
    { what: `the verification code sent to ${digits}` },
  );
}

async function customerWrites(from: string, text: string) {
  const { body, message } = inboundWebhook({ text, from, name: "Cliente" });
  expect((await postWebhook(server.url, body)).status).toBe(200);
  return prisma().message.findFirstOrThrow({ where: { externalId: message.id } });
}

describe("claiming a customer's number", () => {
  it("does not silence the customer: a VIEWER's unverified claim changes nothing for their messages", async () => {
    const viewer = await createUser(prisma(), "demo", "VIEWER");
    const claimed = await server.gql(SET_NUMBER, { n: "+55 11 97777-0001" }, await server.token(viewer.email));
    expect(claimed.data?.updateNotificationPreferences).toEqual({ whatsappNumber: null, pendingWhatsappNumber: "+5511977770001" });
    const stored = await customerWrites("5511977770001", "preciso de ajuda");
    // Stored, and the agents are notified as for any customer.
    expect(await prisma().notification.count({ where: { conversationId: stored.conversationId, type: "NEW_MESSAGE" } })).toBeGreaterThan(0);
    expect((await prisma().user.findUniqueOrThrow({ where: { id: viewer.id } })).whatsappLastInboundAt).toBeNull();
  });

  it("takes effect only with the code sent to the number; then that number's messages are stored without notifications", async () => {
    const agent = await createUser(prisma(), "demo", "AGENT");
    const token = await server.token(agent.email);
    await server.gql(SET_NUMBER, { n: "+5511977770002" }, token);
    const code = await codeSentTo("5511977770002");
    expect(code).toMatch(/^\d{6}$/);
    const wrong = await server.gql(CONFIRM, { c: code === "000000" ? "111111" : "000000" }, token);
    expect(wrong.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "code" });
    expect((await prisma().user.findUniqueOrThrow({ where: { id: agent.id } })).whatsappNotificationNumber).toBeNull();
    const confirmed = await server.gql(CONFIRM, { c: code }, token);
    expect(confirmed.data?.confirmWhatsAppNumber).toEqual({ whatsappNumber: "+5511977770002", pendingWhatsappNumber: null });

    const stored = await customerWrites("5511977770002", "ok, vi a notificação");
    expect(stored.text).toBe("ok, vi a notificação");
    expect(await prisma().notification.count({ where: { conversationId: stored.conversationId } })).toBe(0);
    expect((await prisma().user.findUniqueOrThrow({ where: { id: agent.id } })).whatsappLastInboundAt).not.toBeNull();
  });

  it("gives up after 5 wrong codes, and a code is only for the number it was sent to", async () => {
    const agent = await createUser(prisma(), "demo", "AGENT");
    const token = await server.token(agent.email);
    await server.gql(SET_NUMBER, { n: "+5511977770003" }, token);
    const first = await codeSentTo("5511977770003");
    await server.gql(SET_NUMBER, { n: "+5511977770004" }, token);
    const second = await codeSentTo("5511977770004");
    if (first !== second) expect((await server.gql(CONFIRM, { c: first }, token)).errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    for (let i = 0; i < 5; i++) await server.gql(CONFIRM, { c: `99999${i}` }, token);
    const exhausted = await server.gql(CONFIRM, { c: second }, token);
    expect(exhausted.errors?.[0]?.message).toMatch(/too many wrong codes/);
    expect((await prisma().user.findUniqueOrThrow({ where: { id: agent.id } })).whatsappNotificationNumber).toBeNull();
  });

  it("an ORG_ADMIN sets an agent's number at once; agents may not, and another organization's admin finds no such user", async () => {
    const agent = await createUser(prisma(), "demo", "AGENT");
    const gid = Buffer.from(`User:${agent.id}`).toString("base64");
    expect((await server.gql(SET, { u: gid, n: "+5511977770005" }, await server.token("agent2@demo.test"))).errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect((await server.gql(SET, { u: gid, n: "+5511977770005" }, await server.token("admin@acme.test"))).errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
    const set = await server.gql(SET, { u: gid, n: "+5511977770005" }, await server.token("admin@demo.test"));
    expect(set.data?.setUserWhatsAppNumber).toBe(true);
    const row = await prisma().user.findUniqueOrThrow({ where: { id: agent.id } });
    expect(row.whatsappNotificationNumber).toBe("+5511977770005");
    expect(row.whatsappNumberVerifiedAt).not.toBeNull();
  });

  it("limits verification codes to 5 an hour per user", async () => {
    const agent = await createUser(prisma(), "demo", "AGENT");
    const token = await server.token(agent.email);
    const results = [];
    for (let i = 0; i < 6; i++) results.push(await server.gql(SET_NUMBER, { n: `+55119777710${i}0` }, token));
    expect(results.slice(0, 5).every((r) => !r.errors)).toBe(true);
    expect(results[5]!.errors?.[0]?.extensions?.code).toBe("RATE_LIMITED");
  });
});

describe("test notifications", () => {
  it("Slack tests are for ORG_ADMINs only", async () => {
    await prisma().organization.update({ where: { slug: "demo" }, data: { slackWebhookUrl: "https://hooks.slack.com/services/T/B/X" } });
    for (const email of ["viewer@demo.test", "agent@demo.test"]) {
      expect((await server.gql(TEST, { channel: "SLACK" }, await server.token(email))).errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    }
    await prisma().organization.update({ where: { slug: "demo" }, data: { slackWebhookUrl: null } });
  });

  it("WhatsApp tests go only to the caller's verified number (a pending one is not enough)", async () => {
    const viewer = await createUser(prisma(), "demo", "VIEWER");
    const token = await server.token(viewer.email);
    await server.gql(SET_NUMBER, { n: "+5511977770099" }, token);
    await codeSentTo("5511977770099"); // the verification code, sent by its job
    const before = graph.requests.length;
    const result = await server.gql(TEST, { channel: "WHATSAPP" }, token);
    expect(result.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(graph.requests.length).toBe(before);
  });

  it("are rate limited per user", async () => {
    const viewer = await createUser(prisma(), "demo", "VIEWER");
    const token = await server.token(viewer.email);
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await server.gql(TEST, { channel: "IN_APP" }, token));
    expect(results.slice(0, 3).every((r) => !r.errors)).toBe(true);
    expect(results[3]!.errors?.[0]?.extensions?.code).toBe("RATE_LIMITED");
  });
});
