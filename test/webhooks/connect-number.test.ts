import { keyringFor } from "../../src/secrets/encryption.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConnectWhatsAppNumberDocument as CONNECT } from "../../src/client/index.js";
import { WhatsAppNumberIdsDocument as LIST } from "../generated/operations.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { inboundWebhook, postWebhook } from "../helpers/meta.js";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.stop());

const input = (phoneNumberId: string, accessToken = "EAAG-a-long-enough-token") => ({
  input: { phoneNumberId, displayPhoneNumber: "+55 11 4000-0009", accessToken },
});

describe("connectWhatsAppNumber", () => {
  it("an org admin connects a number; its webhooks then route to that organization, into its queue", async () => {
    const admin = await server.token("admin@acme.test");
    const result = await server.gql(CONNECT, input("200000000000009"), admin);
    expect(result.errors).toBeUndefined();
    expect(result.data!.connectWhatsAppNumber.phoneNumberId).toBe("200000000000009");
    const list = await server.gql(LIST, {}, admin);
    expect(list.data!.whatsAppNumbers.map((n) => n.phoneNumberId)).toEqual(["100000000000002", "200000000000009"]);

    const { body, message } = inboundWebhook({ text: "via new number", from: "12125550142" }, "200000000000009");
    expect((await postWebhook(server.url, body)).status).toBe(200);
    const stored = await server.app.runtime.prisma.message.findFirstOrThrow({
      where: { externalId: message.id },
      include: { organization: true, conversation: { include: { queue: true } } },
    });
    expect(stored.organization.slug).toBe("acme");
    expect(stored.conversation.queue?.name).toBe("Support");
  });

  it("reconnecting the same number updates it; the token is stored but never returned nor audited", async () => {
    const admin = await server.token("admin@acme.test");
    const result = await server.gql(CONNECT, input("200000000000009", "EAAG-rotated-token-123"), admin);
    expect(result.errors).toBeUndefined();
    const { prisma } = server.app.runtime;
    // Stored encrypted at rest (issue 18); the keyring reads it back.
    const stored = (await prisma.whatsAppNumber.findUniqueOrThrow({ where: { phoneNumberId: "200000000000009" } })).accessToken;
    expect(stored).not.toContain("EAAG-rotated-token-123");
    expect(keyringFor(server.config).decrypt(stored)).toBe("EAAG-rotated-token-123");
    const audits = await prisma.auditLog.findMany({ where: { action: "whatsapp_number.connected" } });
    expect(audits).toHaveLength(2);
    expect(JSON.stringify(audits)).not.toContain("EAAG");
    // Not in the schema on purpose: the probe stays a string.
    const leak = await server.gql(`{ whatsAppNumbers { accessToken } }`, {}, admin);
    expect(leak.errors?.[0]?.message).toMatch(/accessToken/);
  });

  it("a number connected to another organization is refused with a clear BAD_USER_INPUT, changing nothing", async () => {
    const demoAdmin = await server.token("admin@demo.test");
    const result = await server.gql(CONNECT, input("100000000000002"), demoAdmin);
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "phoneNumberId" });
    expect(result.errors?.[0]?.message).toMatch(/already connected to another organization/);
    const number = await server.app.runtime.prisma.whatsAppNumber.findUniqueOrThrow({
      where: { phoneNumberId: "100000000000002" },
      include: { organization: true },
    });
    expect(number.organization.slug).toBe("acme");
    expect(keyringFor(server.config).decrypt(number.accessToken)).toBe("acme-access-token");
  });

  it("validates the input", async () => {
    const admin = await server.token("admin@demo.test");
    const bad = await server.gql(CONNECT, { input: { phoneNumberId: "not-digits", displayPhoneNumber: "+55", accessToken: "short" } }, admin);
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "phoneNumberId" });
  });

  it("a new organization's first number gets a new Atendimento queue when it has none", async () => {
    const { prisma } = server.app.runtime;
    const demo = await prisma.organization.findUniqueOrThrow({ where: { slug: "demo" } });
    await prisma.whatsAppNumber.deleteMany({ where: { organizationId: demo.id } });
    await prisma.queue.deleteMany({ where: { organizationId: demo.id } });
    const result = await server.gql(CONNECT, input("300000000000001"), await server.token("admin@demo.test"));
    expect(result.errors).toBeUndefined();
    const number = await prisma.whatsAppNumber.findUniqueOrThrow({ where: { phoneNumberId: "300000000000001" }, include: { defaultQueue: true } });
    expect(number.defaultQueue?.name).toBe("Atendimento");
    expect(number.organizationId).toBe(demo.id);
  });

  it("agents and viewers cannot connect or list numbers", async () => {
    for (const email of ["agent@demo.test", "viewer@demo.test"]) {
      const token = await server.token(email);
      expect((await server.gql(CONNECT, input("400000000000001"), token)).errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
      expect((await server.gql(LIST, {}, token)).errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    }
  });
});
