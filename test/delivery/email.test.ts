import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { startSmtp, type FakeSmtp } from "../helpers/smtp.js";
import { DeliveryStatsDocument, SendTestInAppNotificationDocument, SendTestNotificationDocument, type DeliveryStatsQuery } from "../generated/operations.js";
import { eventually } from "../helpers/eventually.js";
import { createNotificationWithDelivery, enqueue, waitForStatus } from "./fixtures.js";

let server: TestServer;
let smtp: FakeSmtp;

beforeAll(async () => {
  smtp = await startSmtp();
  server = await startTestServer({
    env: {
      SMTP_HOST: "127.0.0.1",
      SMTP_PORT: String(smtp.port),
      SMTP_USE_TLS: "false",
      PUBLIC_URL: "https://app.aviso.test",
      DELIVERY_RETRY_LIMIT: "2",
      DELIVERY_RETRY_DELAY_SECONDS: "1",
    },
  });
});
afterAll(async () => {
  await server?.stop();
  await smtp?.close();
});

const messagesTo = (address: string) => smtp.messages.filter((m) => m.to.includes(address));

describe("email delivery", () => {
  it("sends a new-message email in Portuguese with a button to the conversation", async () => {
    const { prisma } = server.app.runtime;
    const { delivery, conversationId } = await createNotificationWithDelivery(prisma, {
      userEmail: "agent@demo.test",
      channel: "EMAIL",
      conversation: { contactName: "Maria <b>Silva</b>", text: "Olá, meu pedido\nainda não chegou" },
    });
    await enqueue(server, "EMAIL", delivery.id);
    const sent = await waitForStatus(server, delivery.id, ["SENT"]);
    expect(sent.attempts).toBe(1);
    expect(sent.sentAt).toBeInstanceOf(Date);
    expect(sent.providerMessageId).toContain(delivery.id);

    const [email] = messagesTo("agent@demo.test");
    const conversation = await prisma.conversation.findUniqueOrThrow({ where: { id: conversationId! } });
    expect(email!.subject).toBe(`Nova mensagem de Maria <b>Silva</b> no ticket #${conversation.number}`);
    expect(email!.headers["x-aviso-delivery"]).toBe(delivery.id);
    const link = `https://app.aviso.test/conversations/${Buffer.from(`Conversation:${conversationId}`).toString("base64")}`;
    expect(email!.html).toContain(`href="${link.replace(/=/g, "&#x3D;")}"`);
    expect(email!.html).toContain("Abrir conversa");
    // User text is escaped in HTML, never markup.
    expect(email!.html).toContain("Maria &lt;b&gt;Silva&lt;/b&gt;");
    expect(email!.html).not.toContain("<b>Silva</b>");
    expect(email!.html).toContain("Olá, meu pedido ainda não chegou");
    expect(email!.text).toContain("Maria <b>Silva</b> escreveu no ticket");
    expect(email!.text).toContain(`Abrir conversa: ${link}`);
  });

  it("sends an alert email in English to a user of an English organization", async () => {
    const { delivery, alertId } = await createNotificationWithDelivery(server.app.runtime.prisma, {
      userEmail: "admin@acme.test",
      channel: "EMAIL",
      type: "ALERT_ESCALATED",
      alert: { title: "Payments down", severity: "CRITICAL", escalationLevel: 1 },
    });
    await enqueue(server, "EMAIL", delivery.id);
    await waitForStatus(server, delivery.id, ["SENT"]);
    const [email] = messagesTo("admin@acme.test");
    expect(email!.subject).toBe("[CRITICAL] Alert escalated (level 1): Payments down");
    expect(email!.html).toContain(`href="https://app.aviso.test/alerts/${Buffer.from(`Alert:${alertId}`).toString("base64")}"`);
    expect(email!.html).toContain("View alert");
    expect(email!.html).toContain("#d32f2f");
    expect(email!.text).toContain("was not acknowledged in time");
  });

  it("retries 4xx answers and records three attempts when the third is accepted", async () => {
    const { prisma } = server.app.runtime;
    await prisma.user.update({ where: { email: "agent2@demo.test" }, data: { email: "busy@demo.test" } });
    smtp.refuse("busy@demo.test", 451, 451);
    const { delivery } = await createNotificationWithDelivery(prisma, { userEmail: "busy@demo.test", channel: "EMAIL", title: "Teste 4xx" });
    await enqueue(server, "EMAIL", delivery.id);
    const sent = await waitForStatus(server, delivery.id, ["SENT", "FAILED", "DEAD"]);
    expect(sent.status).toBe("SENT");
    expect(sent.attempts).toBe(3);
    expect(messagesTo("busy@demo.test")).toHaveLength(1);
  });

  it("fails at once on a 5xx answer for the recipient", async () => {
    const { prisma } = server.app.runtime;
    await prisma.user.update({ where: { email: "viewer@demo.test" }, data: { email: "gone@demo.test" } });
    smtp.refuse("gone@demo.test", 550);
    const { delivery } = await createNotificationWithDelivery(prisma, { userEmail: "gone@demo.test", channel: "EMAIL" });
    await enqueue(server, "EMAIL", delivery.id);
    const failed = await waitForStatus(server, delivery.id, ["SENT", "FAILED", "DEAD"]);
    expect(failed.status).toBe("FAILED");
    expect(failed.attempts).toBe(1);
    expect(failed.lastError).toContain("SMTP 550");
    expect(failed.failedAt).toBeInstanceOf(Date);
    expect(messagesTo("gone@demo.test")).toHaveLength(0);
  });

  it("sends once when the same delivery is enqueued twice", async () => {
    const { delivery } = await createNotificationWithDelivery(server.app.runtime.prisma, {
      userEmail: "admin@demo.test",
      channel: "EMAIL",
      title: "Duplicado",
    });
    await Promise.all([enqueue(server, "EMAIL", delivery.id), enqueue(server, "EMAIL", delivery.id)]);
    await waitForStatus(server, delivery.id, ["SENT"]);
    // Both jobs finish (the loser retries and finds the delivery SENT).
    await eventually(
      async () => {
        const { rows } = await queryJobs(server, "deliver-email", delivery.id);
        return rows.every((job) => job.state === "completed") && rows.length === 2;
      },
      { what: "both jobs to complete" },
    );
    expect(smtp.messages.filter((m) => m.headers["x-aviso-delivery"] === delivery.id)).toHaveLength(1);
    const row = await server.app.runtime.prisma.delivery.findUniqueOrThrow({ where: { id: delivery.id } });
    expect(row.attempts).toBe(1);
  });

  it("sends the caller a test email through sendTestNotification", async () => {
    const token = await server.token("agent@demo.test");
    const result = await server.gql(SendTestNotificationDocument, { channel: "EMAIL" }, token);
    expect(result.errors).toBeUndefined();
    expect(result.data!.sendTestNotification).toMatchObject({ channel: "EMAIL", status: "PENDING" });
    const email = await eventually(async () => smtp.messages.find((m) => m.to.includes("agent@demo.test") && m.subject.includes("Teste")), {
      what: "the test email",
    });
    expect(email.subject).toBe("Teste de notificação do Aviso");
    // The SMTP server has the message before Aviso has its answer: the row turns SENT after.
    await eventually(
      () =>
        server.app.runtime.prisma.delivery.findFirst({
          where: { channel: "EMAIL", status: "SENT", user: { email: "agent@demo.test" }, notification: { data: { path: ["test"], equals: true } } },
        }),
      { what: "the test email's delivery to be SENT" },
    );
  });
});

describe("sendTestNotification", () => {
  it("creates the caller's own notification for in-app and refuses channels they cannot receive on", async () => {
    const token = await server.token("admin@demo.test");
    const inApp = await server.gql(SendTestInAppNotificationDocument, {}, token);
    expect(inApp.data!.sendTestNotification).toEqual({ status: "SENT", notification: { title: "Teste" } });
    const whatsapp = await server.gql("mutation { sendTestNotification(channel: WHATSAPP) { id } }", {}, token);
    expect(whatsapp.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "channel" });
    const anonymous = await server.gql("mutation { sendTestNotification(channel: EMAIL) { id } }", {});
    expect(anonymous.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
  });
});

describe("deliveryStats", () => {
  const STATS = DeliveryStatsDocument;
  type Stats = DeliveryStatsQuery;
  const total = (stats: Stats, channel: string, status: string) =>
    stats.deliveryStats.days.filter((d) => d.channel === channel && d.status === status).reduce((sum, d) => sum + d.count, 0);

  it("counts the organization's deliveries by day, channel and status with the dominant failure reasons, for its admins only", async () => {
    const demo = await server.gql(STATS, {}, await server.token("admin@demo.test"));
    expect(demo.errors).toBeUndefined();
    expect(demo.data!.deliveryStats.timeZone).toBe("America/Sao_Paulo");
    expect(total(demo.data!, "EMAIL", "SENT")).toBeGreaterThanOrEqual(4);
    expect(total(demo.data!, "EMAIL", "FAILED")).toBe(1);
    expect(demo.data!.deliveryStats.days[0]!.day).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(demo.data!.deliveryStats.failureReasons).toEqual([{ channel: "EMAIL", reason: expect.stringContaining("SMTP 550"), count: 1 }]);

    const acme = await server.gql(STATS, {}, await server.token("admin@acme.test"));
    expect(total(acme.data!, "EMAIL", "SENT")).toBe(1);
    expect(total(acme.data!, "EMAIL", "FAILED")).toBe(0);
    expect(acme.data!.deliveryStats.failureReasons).toEqual([]);

    const agent = await server.gql(STATS, {}, await server.token("agent@demo.test"));
    expect(agent.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const backwards = await server.gql(STATS, { from: "2026-02-01T00:00:00Z", to: "2026-01-01T00:00:00Z" }, await server.token("admin@demo.test"));
    expect(backwards.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "from" });
    const past = await server.gql(STATS, { from: "2020-01-01T00:00:00Z", to: "2020-01-08T00:00:00Z" }, await server.token("admin@demo.test"));
    expect(past.data!.deliveryStats.days).toEqual([]);
  });
});

async function queryJobs(server: TestServer, queue: string, deliveryId: string) {
  const { default: pg } = await import("pg");
  const client = new pg.Client({ connectionString: server.app.databaseUrl });
  await client.connect();
  try {
    return await client.query<{ state: string }>(`SELECT state FROM pgboss.job WHERE name = $1 AND data->>'deliveryId' = $2`, [queue, deliveryId]);
  } finally {
    await client.end();
  }
}
