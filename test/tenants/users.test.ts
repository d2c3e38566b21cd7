import { encodeGlobalID } from "@pothos/plugin-relay";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signToken } from "../../src/auth/jwt.js";
import {
  CreateApiKeyDocument,
  CreateUserDocument as CREATE,
  type CreateUserInput,
  DeactivateUserDocument,
  ReactivateUserDocument,
  UpdateUserDocument as UPDATE,
} from "../../src/client/index.js";
import { AuditEntriesDocument, MyIdDocument, MyRoleDocument, NodesByIdsDocument } from "../generated/operations.js";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { connect, type SocketClient } from "../helpers/ws.js";

// An organization's admins manage its people through the API: create, update,
// deactivate, reactivate — validated field by field, audited, and effective at once.

let server: TestServer;
let admin: string;
let queueId: string;
const sockets: SocketClient[] = [];

beforeAll(async () => {
  server = await startTestServer();
  admin = await server.token("admin@demo.test");
  const queue = await server.app.runtime.prisma.queue.findFirstOrThrow({ where: { organization: { slug: "demo" } } });
  queueId = encodeGlobalID("Queue", queue.id);
}, 60_000);

afterAll(async () => {
  await Promise.allSettled(sockets.map((s) => s.dispose()));
  await server?.stop();
});

describe("createUser", () => {
  it("adds a person with their queues, audited with the admin who did it", async () => {
    const created = await server.gql(
      CREATE,
      { input: { email: "  Nova.Agente@Demo.test ", name: "Nova", role: "AGENT", queueIds: [queueId], locale: "en" } },
      admin,
    );
    expect(created.errors).toBeUndefined();
    expect(created.data!.createUser).toMatchObject({ email: "nova.agente@demo.test", role: "AGENT", locale: "en", active: true });
    const { prisma } = server.app.runtime;
    const user = await prisma.user.findUniqueOrThrow({ where: { email: "nova.agente@demo.test" }, include: { queueMemberships: true } });
    expect(user.queueMemberships).toHaveLength(1);
    const log = await server.gql(AuditEntriesDocument, { action: "user.created" }, admin);
    expect(log.data!.auditLog.edges[0]!.node).toEqual({ action: "user.created", entityId: created.data!.createUser.id, actor: { email: "admin@demo.test" } });
  });

  it.each<[CreateUserInput, string]>([
    [{ email: "not-an-email", name: "X" }, "email"],
    [{ email: "x1@demo.test", name: "" }, "name"],
    [{ email: "x2@demo.test", name: "X", role: "SUPER_ADMIN" }, "role"],
    [{ email: "x3@demo.test", name: "X", whatsappNumber: "123" }, "whatsappNumber"],
    [{ email: "x4@demo.test", name: "X", locale: "fr" }, "locale"],
    [{ email: "agent@acme.test", name: "X" }, "email"],
  ])("refuses %j with BAD_USER_INPUT naming %s, creating nobody", async (input, field) => {
    const before = await server.app.runtime.prisma.user.count();
    const result = await server.gql(CREATE, { input }, admin);
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field });
    expect(await server.app.runtime.prisma.user.count()).toBe(before);
  });
});

describe("updateUser", () => {
  it("changes name, locale and queues", async () => {
    const { prisma } = server.app.runtime;
    const user = await prisma.user.findUniqueOrThrow({ where: { email: "nova.agente@demo.test" } });
    const result = await server.gql(
      UPDATE,
      { id: encodeGlobalID("User", user.id), input: { name: "Nova Silva", locale: "pt-BR", queueIds: [], notifyOnNewMessage: true } },
      admin,
    );
    expect(result.errors).toBeUndefined();
    expect(result.data!.updateUser).toMatchObject({ name: "Nova Silva", locale: "pt-BR", role: "AGENT" });
    expect(await prisma.queueMember.count({ where: { userId: user.id } })).toBe(0);
  });

  it("a role change refuses the person's old tokens and closes their open sockets (4403)", async () => {
    const { prisma } = server.app.runtime;
    const user = await prisma.user.findUniqueOrThrow({ where: { email: "nova.agente@demo.test" } });
    const oldToken = await signToken(server.config, user, "1h");
    const socket = connect(server.wsUrl, `Bearer ${oldToken}`);
    sockets.push(socket);
    await socket.connected;
    const promoted = await server.gql(UPDATE, { id: encodeGlobalID("User", user.id), input: { role: "ORG_ADMIN" } }, admin);
    expect(promoted.errors).toBeUndefined();
    expect(await socket.closed).toBe(4403);
    expect((await server.gql(MyIdDocument, {}, oldToken)).errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    const newToken = await signToken(server.config, { ...user, role: "ORG_ADMIN" }, "1h");
    expect((await server.gql(MyRoleDocument, {}, newToken)).data).toEqual({ me: { role: "ORG_ADMIN" } });
  });

  it("is NOT_FOUND for another organization's person", async () => {
    const stranger = await server.app.runtime.prisma.user.findUniqueOrThrow({ where: { email: "agent@acme.test" } });
    const id = encodeGlobalID("User", stranger.id);
    const mutations = {
      updateUser: () => server.gql(UPDATE, { id, input: { name: "x" } }, admin),
      deactivateUser: () => server.gql(DeactivateUserDocument, { id }, admin),
      reactivateUser: () => server.gql(ReactivateUserDocument, { id }, admin),
    };
    for (const [mutation, send] of Object.entries(mutations)) {
      const result = await send();
      expect(result.errors?.[0]?.extensions?.code, mutation).toBe("NOT_FOUND");
    }
    expect((await server.app.runtime.prisma.user.findUniqueOrThrow({ where: { id: stranger.id } })).active).toBe(true);
  });
});

describe("deactivateUser / reactivateUser", () => {
  it("are idempotent and leave one audit row per change; with two admins, one may go", async () => {
    const { prisma } = server.app.runtime;
    const second = await prisma.user.findUniqueOrThrow({ where: { email: "nova.agente@demo.test" } });
    const id = encodeGlobalID("User", second.id);
    for (let i = 0; i < 2; i++) {
      const result = await server.gql(DeactivateUserDocument, { id }, admin);
      expect(result.data!.deactivateUser.active).toBe(false);
    }
    for (let i = 0; i < 2; i++) {
      const result = await server.gql(ReactivateUserDocument, { id }, admin);
      expect(result.data!.reactivateUser.active).toBe(true);
    }
    expect(await prisma.auditLog.count({ where: { entityId: second.id, action: { in: ["user.deactivated", "user.reactivated"] } } })).toBe(2);
  });
});

describe("API keys and the audit log through node(id)", () => {
  it("are the admins' only", async () => {
    const key = await server.gql(CreateApiKeyDocument, { input: { name: "n", scopes: ["ALERTS_WRITE"] } }, admin);
    const entry = await server.app.runtime.prisma.auditLog.findFirstOrThrow({ where: { action: "apiKey.created" } });
    const ids = [key.data!.createApiKey.apiKey.id, encodeGlobalID("AuditLogEntry", entry.id)];
    const asAdmin = await server.gql(NodesByIdsDocument, { ids }, admin);
    expect(asAdmin.data!.nodes.map((n) => n?.id)).toEqual(ids);
    const asAgent = await server.gql(NodesByIdsDocument, { ids }, await server.token("agent@demo.test"));
    expect(asAgent.data?.nodes ?? [null, null]).toEqual([null, null]);
    expect(JSON.stringify(asAgent)).not.toContain(key.data!.createApiKey.apiKey.id);
  });
});
