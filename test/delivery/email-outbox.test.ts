import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { createNotificationWithDelivery, enqueue, waitForStatus } from "./fixtures.js";

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.stop());

describe("email without SMTP_HOST (development)", () => {
  it("writes the message as an .eml file under the outbox", async () => {
    const { delivery } = await createNotificationWithDelivery(server.app.runtime.prisma, {
      userEmail: "agent@demo.test",
      channel: "EMAIL",
      conversation: { contactName: "Davi", text: "Oi" },
    });
    await enqueue(server, "EMAIL", delivery.id);
    const sent = await waitForStatus(server, delivery.id, ["SENT", "FAILED", "DEAD"]);
    expect(sent.status).toBe("SENT");
    const outbox = join(server.config.AVISO_HOME, "outbox");
    const file = readdirSync(outbox).find((name) => name.endsWith(`${delivery.id}.eml`));
    expect(file).toBeDefined();
    const raw = readFileSync(join(outbox, file!), "utf8");
    expect(raw).toContain(`X-Aviso-Delivery: ${delivery.id}`);
    expect(raw).toContain("To: Bruno Agente <agent@demo.test>");
  });
});

describe("WhatsApp without WHATSAPP_API_URL (outside production)", () => {
  it("writes the Graph API request as a .json file under the outbox, without the sender's token", async () => {
    await server.app.runtime.prisma.user.update({ where: { email: "agent@demo.test" }, data: { whatsappLastInboundAt: new Date() } });
    const { delivery } = await createNotificationWithDelivery(server.app.runtime.prisma, {
      userEmail: "agent@demo.test",
      channel: "WHATSAPP",
      conversation: { contactName: "Davi", text: "Oi" },
    });
    await enqueue(server, "WHATSAPP", delivery.id);
    const sent = await waitForStatus(server, delivery.id, ["SENT", "FAILED", "DEAD"]);
    expect(sent.status).toBe("SENT");
    const outbox = join(server.config.AVISO_HOME, "outbox");
    const file = readdirSync(outbox).find((name) => name.includes("-whatsapp-") && sent.providerMessageId === `outbox:${name.slice(-41, -5)}`);
    expect(file).toBeDefined();
    const request = JSON.parse(readFileSync(join(outbox, file!), "utf8")) as Record<string, unknown>;
    expect(request).toMatchObject({ from: "100000000000001", messaging_product: "whatsapp", to: "5511988880001", type: "text" });
    expect(JSON.stringify(request)).not.toContain("demo-access-token");
  });
});
