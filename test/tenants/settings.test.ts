import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConnectWhatsAppNumberDocument } from "../../src/client/index.js";
import { SendTestNotificationDocument, UpdateDeliverySettingsDocument as UPDATE } from "../generated/operations.js";
import { eventually } from "../helpers/eventually.js";
import { startGraphApi } from "../helpers/graph-api.js";
import type { HttpFake } from "../helpers/http-fake.js";
import { startTestServer, type TestServer } from "../helpers/server.js";

// Every organization setting in the API, each validated naming its field; the chosen
// notification sender is the number WhatsApp notifications then leave from.

let server: TestServer;
let graph: HttpFake;
let admin: string;

beforeAll(async () => {
  graph = await startGraphApi();
  server = await startTestServer({ env: { WHATSAPP_API_URL: graph.url, DELIVERY_RETRY_DELAY_SECONDS: "1" } });
  admin = await server.token("admin@demo.test");
}, 60_000);

afterAll(async () => {
  await server?.stop();
  await graph?.close();
});

describe("updateOrganizationSettings", () => {
  it("changes every setting, audited", async () => {
    const second = await server.gql(
      ConnectWhatsAppNumberDocument,
      { input: { phoneNumberId: "100000000000777", displayPhoneNumber: "+55 11 4000-0777", accessToken: "second-token" } },
      admin,
    );
    const input = {
      emailHourlyLimit: 20,
      slaWarningSeconds: 600,
      criticalBypassesQuietHours: false,
      whatsappTemplateName: "aviso_alerta_v2",
      whatsappTemplateLanguage: "en_US",
      notificationSenderNumberId: second.data!.connectWhatsAppNumber.id,
    };
    const result = await server.gql(UPDATE, { input }, admin);
    expect(result.errors).toBeUndefined();
    expect(result.data!.updateOrganizationSettings).toEqual({
      emailHourlyLimit: 20,
      slaWarningSeconds: 600,
      criticalBypassesQuietHours: false,
      whatsappTemplateName: "aviso_alerta_v2",
      whatsappTemplateLanguage: "en_US",
      notificationSenderNumber: { phoneNumberId: "100000000000777" },
    });
    const row = await server.app.runtime.prisma.organization.findUniqueOrThrow({ where: { slug: "demo" } });
    expect(row.slaFirstReplySeconds).toBe(600);
    const audit = await server.app.runtime.prisma.auditLog.findFirstOrThrow({
      where: { organizationId: row.id, action: "organization.settings.updated" },
      orderBy: { createdAt: "desc" },
    });
    expect(audit.data).toMatchObject({ emailHourlyLimit: 20, slaFirstReplySeconds: 600 });
  });

  it("sends agents' WhatsApp notifications from the chosen number", async () => {
    const agent = await server.token("agent@demo.test");
    const sent = await server.gql(SendTestNotificationDocument, { channel: "WHATSAPP" }, agent);
    expect(sent.errors).toBeUndefined();
    const request = await eventually(async () => graph.requests.find((r) => r.method === "POST"), { what: "a POST to the Graph API", timeoutMs: 20_000 });
    expect(request.path).toMatch(/\/100000000000777\/messages$/);
    expect(request.headers.authorization).toBe("Bearer second-token");
  }, 30_000);

  it.each([
    ["emailHourlyLimit", -1],
    ["emailHourlyLimit", 100_000],
    ["slaWarningSeconds", 5],
    ["whatsappTemplateName", "Nome Com Espaço"],
    ["whatsappTemplateLanguage", "portuguese"],
    ["notificationSenderNumberId", "V2hhdHNBcHBOdW1iZXI6MDFhMjI5ZDMtN2ViZS03NWRlLWI0NWUtOWEwZmNjMTM3MTZj"],
  ])("refuses a bad %s (%s) with BAD_USER_INPUT naming it", async (field, value) => {
    const before = await server.app.runtime.prisma.organization.findUniqueOrThrow({ where: { slug: "demo" } });
    const result = await server.gql(UPDATE, { input: { [field]: value } }, admin);
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field });
    expect(await server.app.runtime.prisma.organization.findUniqueOrThrow({ where: { slug: "demo" } })).toEqual(before);
  });
});
