import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../helpers/eventually.js";
import type { HttpFake } from "../helpers/http-fake.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { slackOk, startSlackWebhook } from "../helpers/slack.js";
import { startSmtp, type FakeSmtp } from "../helpers/smtp.js";

// Each alert transition, as the organization's admins receive it: rendered email and
// a Slack Block Kit post in the severity's colour, a mention when it escalates.
let server: TestServer;
let smtp: FakeSmtp;
let slack: HttpFake & { webhookUrl: string };
let admin: string;

beforeAll(async () => {
  smtp = await startSmtp();
  slack = await startSlackWebhook();
  slack.setDefault(slackOk);
  server = await startTestServer({ env: { UNSAFE_ALLOW_LOCAL_TARGETS: "true", SMTP_HOST: "127.0.0.1", SMTP_PORT: String(smtp.port), SMTP_USE_TLS: "false" } });
  admin = await server.token("admin@demo.test");
  const set = await server.gql("mutation($url: String) { updateOrganizationSettings(input: { slackWebhookUrl: $url }) { slug } }", { url: slack.webhookUrl }, admin);
  expect(set.errors).toBeUndefined();
});
afterAll(async () => {
  await server?.stop();
  await smtp?.close();
  await slack?.close();
});

type SlackPost = { text: string; blocks: unknown[]; attachments?: Array<{ color: string; blocks: unknown[] }> };
const slackPostAbout = (needle: string, extra: (post: SlackPost) => boolean = () => true) =>
  eventually(async () => slack.requests.map((r) => r.body as SlackPost).find((p) => JSON.stringify(p).includes(needle) && extra(p)));
const emailTo = (address: string, subjectPart: string) => eventually(async () => smtp.messages.find((m) => m.to.includes(address) && m.subject.includes(subjectPart)));

describe("alert transitions", () => {
  it("are emailed to the admins and posted to Slack, created → escalated → resolved", async () => {
    const title = "Gateway de pagamentos fora do ar";
    const created = await server.gql<{ createAlert: { id: string } }>(
      "mutation($input: CreateAlertInput!) { createAlert(input: $input) { id } }",
      { input: { title, description: "Cobranças falhando desde 10:02", severity: "CRITICAL", category: "pagamentos" } },
      admin,
    );
    const alertId = created.data!.createAlert.id;

    const createdEmail = await emailTo("admin@demo.test", "Novo alerta");
    expect(createdEmail.subject).toBe(`[CRITICAL] Novo alerta: ${title}`);
    expect(createdEmail.text).toContain("Cobranças falhando desde 10:02");
    expect(createdEmail.html).toMatch(/href="[^"]*\/alerts\//);
    const createdPost = await slackPostAbout(title);
    expect(createdPost.attachments?.[0]?.color).toBe("#d32f2f");
    expect(JSON.stringify(createdPost)).toMatch(/acknowledge/i);
    expect(JSON.stringify(createdPost)).not.toContain("<!channel>");

    const escalated = await server.gql("mutation($id: ID!) { escalateAlert(id: $id, reason: \"ninguém respondeu\") { escalationLevel } }", { id: alertId }, admin);
    expect(escalated.data).toEqual({ escalateAlert: { escalationLevel: 1 } });
    const escalatedEmail = await emailTo("admin@demo.test", "escalado");
    expect(escalatedEmail.subject).toContain(title);
    await slackPostAbout("<!channel>");

    const resolved = await server.gql("mutation($id: ID!) { resolveAlert(id: $id, resolution: \"Certificado renovado\") { status } }", { id: alertId }, admin);
    expect(resolved.data).toEqual({ resolveAlert: { status: "RESOLVED" } });
    const resolvedEmail = await emailTo("admin@demo.test", "resolvido");
    expect(resolvedEmail.text).toContain("Certificado renovado");
    expect(resolvedEmail.text).toMatch(/aberto por|< 1 min/);
    await slackPostAbout("Certificado renovado");

    // The agents of the organization are not admins: they got none of it by email.
    expect(smtp.messages.filter((m) => m.to.includes("agent@demo.test"))).toEqual([]);
  });

  it("posts a LOW alert in green and a HIGH one in orange", async () => {
    for (const [severity, colour] of [["LOW", "#388e3c"], ["HIGH", "#ff9800"], ["MEDIUM", "#fbc02d"]] as const) {
      const title = `Alerta ${severity} de teste`;
      await server.gql("mutation($input: CreateAlertInput!) { createAlert(input: $input) { id } }", { input: { title, severity } }, admin);
      const post = await slackPostAbout(title);
      expect(post.attachments?.[0]?.color, severity).toBe(colour);
    }
  });
});
