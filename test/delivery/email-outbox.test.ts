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
    const { delivery } = await createNotificationWithDelivery(server.app.runtime.prisma, { userEmail: "agent@demo.test", channel: "EMAIL", conversation: { contactName: "Davi", text: "Oi" } });
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
