import { encodeGlobalID } from "@pothos/plugin-relay";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AuditLogDocument,
  CreateApiKeyDocument,
  OrganizationsDocument,
  ReactivateOrganizationDocument as REACTIVATE,
  SuspendOrganizationDocument as SUSPEND,
} from "../../src/client/index.js";
import type { PrismaClient } from "../../src/db/client.js";
import { MyEmailDocument, MyIdDocument, OnboardOrganizationDocument as CREATE, OpenAlertDocument } from "../generated/operations.js";
import { eventually } from "../helpers/eventually.js";
import { DEMO_PHONE_NUMBER_ID, inboundWebhook, postWebhook } from "../helpers/meta.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { connect, type SocketClient } from "../helpers/ws.js";

// A super admin suspends an organization: its people and keys are refused, its open
// sockets closed, and what Meta keeps sending is stored, not applied. Reactivated, every
// held body is applied — once each, nothing lost.

let server: TestServer;
let prisma: PrismaClient;
let root: string;
let demoAdmin: string;
let demoId: string;
let secret: string;
const sockets: SocketClient[] = [];

beforeAll(async () => {
  server = await startTestServer();
  prisma = server.app.runtime.prisma;
  root = await server.token("root@aviso.test");
  demoAdmin = await server.token("admin@demo.test");
  demoId = (await prisma.organization.findUniqueOrThrow({ where: { slug: "demo" } })).id;
  const key = await server.gql(CreateApiKeyDocument, { input: { name: "crm", scopes: ["ALERTS_WRITE"] } }, demoAdmin);
  secret = key.data!.createApiKey.secret;
}, 60_000);

afterAll(async () => {
  await Promise.allSettled(sockets.map((s) => s.dispose()));
  await server?.stop();
});

describe("a suspended organization", () => {
  const bodies = Array.from({ length: 6 }, (_, i) =>
    inboundWebhook({ text: `mensagem ${i} durante a suspensão`, from: `55119333300${String(i).padStart(2, "0")}` }, DEMO_PHONE_NUMBER_ID),
  );

  it("is listed for super admins only, and refuses its tokens, its API keys and its sockets once suspended", async () => {
    const list = await server.gql(OrganizationsDocument, { first: 10, search: "DEM" }, root);
    expect(list.data!.organizations.edges.map((e) => e.node.slug)).toEqual(["demo"]);
    expect((await server.gql(OrganizationsDocument, { first: 10 }, demoAdmin)).errors?.[0]?.extensions?.code).toBe("FORBIDDEN");

    const socket = connect(server.wsUrl, `Bearer ${await server.token("agent@demo.test")}`);
    sockets.push(socket);
    await socket.connected;

    const suspended = await server.gql(SUSPEND, { id: encodeGlobalID("Organization", demoId) }, root);
    expect(suspended.errors).toBeUndefined();
    expect(suspended.data!.suspendOrganization.suspendedAt).not.toBeNull();
    expect(await socket.closed).toBe(4403);
    expect((await server.gql(MyIdDocument, {}, demoAdmin)).errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    expect((await server.gql(OpenAlertDocument, { input: { title: "while suspended" } }, secret)).errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    // Other organizations carry on.
    expect((await server.gql(MyEmailDocument, {}, await server.token("admin@acme.test"))).data).toEqual({ me: { email: "admin@acme.test" } });
    // A super admin cannot suspend their own organization.
    const own = await prisma.organization.findUniqueOrThrow({ where: { slug: "aviso" } });
    expect((await server.gql(SUSPEND, { id: encodeGlobalID("Organization", own.id) }, root)).errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
  }, 30_000);

  it("stores every webhook body it receives, applying none of them", async () => {
    for (const { body } of bodies) expect((await postWebhook(server.url, body)).status).toBe(200);
    // Meta delivers at least once: the same body again.
    expect((await postWebhook(server.url, bodies[0]!.body)).status).toBe(200);
    const held = await prisma.webhookEvent.findMany({ where: { organizationId: demoId, status: "HELD" } });
    expect(held).toHaveLength(bodies.length + 1);
    expect(await prisma.message.count({ where: { externalId: { in: bodies.map((b) => b.message.id) } } })).toBe(0);
  }, 30_000);

  it("once reactivated, processes each held body once: every message stored once, its people let in again", async () => {
    const reactivated = await server.gql(REACTIVATE, { id: encodeGlobalID("Organization", demoId) }, root);
    expect(reactivated.errors).toBeUndefined();
    expect(reactivated.data!.reactivateOrganization.suspendedAt).toBeNull();
    await eventually(async () => (await prisma.webhookEvent.count({ where: { organizationId: demoId, status: { not: "PROCESSED" } } })) === 0, {
      what: "every webhook event of demo PROCESSED",
      timeoutMs: 30_000,
    });
    const events = await prisma.webhookEvent.findMany({ where: { organizationId: demoId } });
    expect(events).toHaveLength(bodies.length + 1);
    // Applied once each (the reprocess job counts its attempt).
    expect(events.map((e) => e.attempts)).toEqual(events.map(() => 1));
    const messages = await prisma.message.findMany({ where: { externalId: { in: bodies.map((b) => b.message.id) } } });
    expect(messages.map((m) => m.text).sort()).toEqual(bodies.map((_, i) => `mensagem ${i} durante a suspensão`).sort());
    expect((await server.gql(MyEmailDocument, {}, demoAdmin)).data).toEqual({ me: { email: "admin@demo.test" } });

    const audit = await server.gql(AuditLogDocument, { first: 20 }, demoAdmin);
    const actions = audit.data!.auditLog.edges.map((e) => e.node);
    expect(actions.find((a) => a.action === "organization.suspended")?.actor?.email).toBe("root@aviso.test");
    expect(JSON.parse(actions.find((a) => a.action === "organization.reactivated")!.details!)).toEqual({ webhooksReleased: bodies.length + 1 });
  }, 60_000);
});

describe("createOrganization", () => {
  it("onboards a company with its first admin for a super admin, audited; a taken slug or email is BAD_USER_INPUT", async () => {
    const input = { name: "Óticas Brasil", timeZone: "America/Manaus", locale: "en", admin: { email: "Dona@Oticas.test", name: "Dona" } };
    const created = await server.gql(CREATE, { input }, root);
    expect(created.errors).toBeUndefined();
    expect(created.data).toEqual({
      createOrganization: {
        organization: { slug: "oticas-brasil", name: "Óticas Brasil", timeZone: "America/Manaus", locale: "en" },
        admin: { email: "dona@oticas.test", role: "ORG_ADMIN", organization: { slug: "oticas-brasil" } },
      },
    });
    const again = await server.gql(CREATE, { input: { ...input, admin: { email: "outra@oticas.test" } } }, root);
    expect(again.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "name" });
    const takenEmail = await server.gql(CREATE, { input: { name: "Outra Ótica", admin: { email: "admin@acme.test" } } }, root);
    expect(takenEmail.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "admin.email" });
    const badZone = await server.gql(CREATE, { input: { name: "Zona", timeZone: "Mars/Olympus", admin: { email: "z@zona.test" } } }, root);
    expect(badZone.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "timeZone" });
    const { prisma } = server.app.runtime;
    expect(await prisma.organization.count({ where: { slug: { in: ["outra-otica", "zona"] } } })).toBe(0);
    const organization = await prisma.organization.findUniqueOrThrow({ where: { slug: "oticas-brasil" } });
    const audit = await prisma.auditLog.findMany({ where: { organizationId: organization.id }, orderBy: { createdAt: "asc" }, include: { actor: true } });
    expect(audit.map((a) => [a.action, a.actor?.email])).toEqual([
      ["organization.created", "root@aviso.test"],
      ["user.created", "root@aviso.test"],
    ]);
  });
});
