import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { HttpFake } from "../helpers/http-fake.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { slackInvalidPayload, slackOk, slackRateLimited, startSlackWebhook } from "../helpers/slack.js";
import { createNotificationWithDelivery, enqueue, waitForStatus } from "./fixtures.js";

let server: TestServer;
let slack: HttpFake & { webhookUrl: string };

beforeAll(async () => {
  slack = await startSlackWebhook();
  server = await startTestServer({ env: { UNSAFE_ALLOW_LOCAL_TARGETS: "true", PUBLIC_URL: "https://app.aviso.test", DELIVERY_RETRY_LIMIT: "2", DELIVERY_RETRY_DELAY_SECONDS: "1", DELIVERY_BREAKER_FAILURES: "50" } });
  await server.app.runtime.prisma.organization.update({ where: { slug: "demo" }, data: { slackWebhookUrl: slack.webhookUrl } });
});
afterAll(async () => {
  await server?.stop();
  await slack?.close();
});
beforeEach(() => {
  slack.requests.length = 0;
  slack.setDefault(slackOk);
});

type Block = { type: string; text?: { text: string }; fields?: Array<{ text: string }>; elements?: Array<{ text: { text: string }; url: string; action_id: string }> };
type SlackBody = { text: string; blocks: Block[]; attachments?: Array<{ color: string; blocks: Block[] }> };

describe("Slack delivery", () => {
  it("posts an escalated alert with its severity colour, fields, buttons and a channel mention", async () => {
    const { delivery, alertId } = await createNotificationWithDelivery(server.app.runtime.prisma, {
      userEmail: "admin@demo.test",
      channel: "SLACK",
      type: "ALERT_ESCALATED",
      alert: { title: "Fila parada <!here>", severity: "CRITICAL", category: "whatsapp", escalationLevel: 1, description: "Sem envios há 10 min" },
    });
    await enqueue(server, "SLACK", delivery.id);
    await waitForStatus(server, delivery.id, ["SENT"]);
    expect(slack.requests).toHaveLength(1);
    expect(slack.requests[0]!.path).toBe("/services/T000/B000/XXXX");
    const body = slack.requests[0]!.body as SlackBody;
    expect(body.text.startsWith("<!channel> [CRITICAL] Alerta escalado: Fila parada &lt;!here&gt;")).toBe(true);
    expect(body.blocks[0]).toMatchObject({ type: "section", text: { text: "<!channel> Alerta escalado" } });
    expect(body.blocks[1]).toMatchObject({ type: "header", text: { text: "Alerta escalado: Fila parada <!here>" } });
    const attachment = body.attachments![0]!;
    expect(attachment.color).toBe("#d32f2f");
    const fields = attachment.blocks.find((b) => b.fields)!.fields!.map((f) => f.text);
    expect(fields).toEqual(["*Gravidade*\nCrítica", "*Organização*\nDemo", "*Categoria*\nwhatsapp", "*Nível de escalonamento*\n1"]);
    const alertGid = Buffer.from(`Alert:${alertId}`).toString("base64");
    const buttons = attachment.blocks.find((b) => b.type === "actions")!.elements!;
    expect(buttons.map((b) => [b.action_id, b.text.text, b.url])).toEqual([
      ["view", "Ver", `https://app.aviso.test/alerts/${alertGid}`],
      ["acknowledge", "Reconhecer", `https://app.aviso.test/alerts/${alertGid}/acknowledge`],
      ["resolve", "Resolver", `https://app.aviso.test/alerts/${alertGid}/resolve`],
    ]);
  });

  it("uses each severity's colour and no mention for a new alert", async () => {
    const { delivery } = await createNotificationWithDelivery(server.app.runtime.prisma, { userEmail: "admin@demo.test", channel: "SLACK", alert: { title: "Disco", severity: "MEDIUM" } });
    await enqueue(server, "SLACK", delivery.id);
    await waitForStatus(server, delivery.id, ["SENT"]);
    const body = slack.requests[0]!.body as SlackBody;
    expect(body.attachments![0]!.color).toBe("#fbc02d");
    expect(JSON.stringify(body)).not.toContain("<!channel>");
  });

  it("posts a plain notification layout for a new message", async () => {
    const { delivery } = await createNotificationWithDelivery(server.app.runtime.prisma, { userEmail: "agent@demo.test", channel: "SLACK", conversation: { contactName: "Rita", text: "Bom dia" } });
    await enqueue(server, "SLACK", delivery.id);
    await waitForStatus(server, delivery.id, ["SENT"]);
    const body = slack.requests[0]!.body as SlackBody;
    expect(body.attachments).toBeUndefined();
    expect(body.blocks[0]).toMatchObject({ type: "header", text: { text: expect.stringMatching(/^Nova mensagem: #\d+ Rita$/) } });
    expect(body.blocks.some((b) => b.text?.text === "Bom dia")).toBe(true);
    expect(body.blocks.at(-1)!.elements![0]!.url).toMatch(/^https:\/\/app\.aviso\.test\/conversations\//);
  });

  it("waits for Retry-After when Slack answers 429, then sends", async () => {
    slack.enqueue(slackRateLimited(2));
    const { delivery } = await createNotificationWithDelivery(server.app.runtime.prisma, { userEmail: "admin@demo.test", channel: "SLACK", alert: { title: "Lento", severity: "LOW" } });
    await enqueue(server, "SLACK", delivery.id);
    const sent = await waitForStatus(server, delivery.id, ["SENT", "FAILED", "DEAD"]);
    expect(sent.status).toBe("SENT");
    expect(sent.attempts).toBe(2);
    expect(slack.requests).toHaveLength(2);
    expect(slack.requests[1]!.at - slack.requests[0]!.at).toBeGreaterThanOrEqual(2000);
  });

  it("fails at once on 400 invalid_payload, saying why", async () => {
    slack.setDefault(slackInvalidPayload);
    const { delivery } = await createNotificationWithDelivery(server.app.runtime.prisma, { userEmail: "admin@demo.test", channel: "SLACK", alert: { title: "X", severity: "HIGH" } });
    await enqueue(server, "SLACK", delivery.id);
    const failed = await waitForStatus(server, delivery.id, ["SENT", "FAILED", "DEAD"]);
    expect(failed).toMatchObject({ status: "FAILED", attempts: 1, lastError: "Slack 400: invalid_payload" });
  });

  it("skips organizations without a Slack webhook", async () => {
    const { delivery } = await createNotificationWithDelivery(server.app.runtime.prisma, { userEmail: "admin@acme.test", channel: "SLACK", alert: { title: "Y", severity: "LOW" } });
    await enqueue(server, "SLACK", delivery.id);
    const skipped = await waitForStatus(server, delivery.id, ["SKIPPED", "SENT", "FAILED"]);
    expect(skipped).toMatchObject({ status: "SKIPPED", lastError: "no Slack webhook" });
    expect(slack.requests).toHaveLength(0);
  });
});
