import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scopedTo } from "../../src/db/tenant.js";
import { MeDocument, MyIdDocument, UpdateCoalesceWindowDocument, UserEmailByIdDocument } from "../generated/operations.js";
import { startTestServer, type TestServer } from "../helpers/server.js";

let server: TestServer;
let demoId: string;
let acmeId: string;

beforeAll(async () => {
  server = await startTestServer();
  const { prisma } = server.app.runtime;
  demoId = (await prisma.organization.findUniqueOrThrow({ where: { slug: "demo" } })).id;
  acmeId = (await prisma.organization.findUniqueOrThrow({ where: { slug: "acme" } })).id;
});
afterAll(() => server?.stop());

describe("the tenant-scoped client", () => {
  it("lists only the organization's own rows", async () => {
    const acme = scopedTo(server.app.runtime.prisma, acmeId);
    const emails = (await acme.user.findMany({ orderBy: { email: "asc" } })).map((u) => u.email);
    expect(emails).toEqual(["admin@acme.test", "agent@acme.test"]);
    expect(await acme.whatsAppNumber.count()).toBe(1);
    expect((await acme.organization.findMany()).map((o) => o.slug)).toEqual(["acme"]);
  });

  it("does not find another organization's row even by its id", async () => {
    const { prisma } = server.app.runtime;
    const demoAgent = await prisma.user.findUniqueOrThrow({ where: { email: "agent@demo.test" } });
    const acme = scopedTo(prisma, acmeId);
    expect(await acme.user.findUnique({ where: { id: demoAgent.id } })).toBeNull();
    expect(await acme.organization.findUnique({ where: { id: demoId } })).toBeNull();
  });

  it("cannot change or delete another organization's rows", async () => {
    const { prisma } = server.app.runtime;
    const demoAgent = await prisma.user.findUniqueOrThrow({ where: { email: "agent@demo.test" } });
    const acme = scopedTo(prisma, acmeId);
    await expect(acme.user.update({ where: { id: demoAgent.id }, data: { name: "Hacked" } })).rejects.toThrow();
    expect((await acme.user.updateMany({ data: { name: "Renamed" }, where: { id: demoAgent.id } })).count).toBe(0);
    expect((await acme.user.deleteMany({ where: { id: demoAgent.id } })).count).toBe(0);
    expect((await prisma.user.findUniqueOrThrow({ where: { id: demoAgent.id } })).name).toBe(demoAgent.name);
  });

  it("writes new rows into the caller's organization, whatever the input says", async () => {
    const acme = scopedTo(server.app.runtime.prisma, acmeId);
    const queue = await acme.queue.create({ data: { name: "Sneaky", organizationId: demoId } });
    expect(queue.organizationId).toBe(acmeId);
  });
});

describe("GraphQL", () => {
  it("resolves `me` and the organization from the caller's token", async () => {
    const result = await server.gql(MeDocument, {}, await server.token("agent@acme.test"));
    expect(result.data?.me.organization.slug).toBe("acme");
  });

  it("returns null for another organization's node id", async () => {
    const demoToken = await server.token("agent@demo.test");
    const own = await server.gql(MyIdDocument, {}, demoToken);
    const demoUserId = own.data!.me.id;
    const asAcme = await server.gql(UserEmailByIdDocument, { id: demoUserId }, await server.token("agent@acme.test"));
    expect(asAcme.data?.node ?? null).toBeNull();
    const asDemo = await server.gql(UserEmailByIdDocument, { id: demoUserId }, demoToken);
    expect(asDemo.data?.node).toMatchObject({ email: "agent@demo.test" });
  });

  it("updates only the caller's organization's settings, validating them", async () => {
    const acmeAdmin = await server.token("admin@acme.test");
    const ok = await server.gql(UpdateCoalesceWindowDocument, { input: { coalesceWindowSeconds: 30, timeZone: "Europe/Lisbon" } }, acmeAdmin);
    expect(ok.data?.updateOrganizationSettings).toEqual({ slug: "acme", coalesceWindowSeconds: 30 });
    const demo = await server.app.runtime.prisma.organization.findUniqueOrThrow({ where: { id: demoId } });
    expect(demo.coalesceWindowSeconds).toBe(60);
    const bad = await server.gql(UpdateCoalesceWindowDocument, { input: { timeZone: "Mars/Olympus" } }, acmeAdmin);
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "timeZone" });
  });
});
