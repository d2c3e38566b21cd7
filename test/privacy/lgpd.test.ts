import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EraseContactDocument as ERASE } from "../../src/client/index.js";
import { privacyJobs } from "../../src/privacy/jobs.js";
import { ContactDataExportDocument as EXPORT, UpdateMessageRetentionDocument } from "../generated/operations.js";
import { inboundWebhook, postWebhook, sampleChange, sampleStatus, sampleWamid, sampleWebhook } from "../helpers/meta.js";
import { startTestServer, type TestServer } from "../helpers/server.js";

// Issue 18 / seed 004: a customer's right to see (export) and to be forgotten (erase)
// what Aviso stores about them, and retention of raw webhook bodies and messages.

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ env: { NOTIFY_NEW_MESSAGE_ENABLED: "true" } });
});
afterAll(() => server?.stop());
const prisma = () => server.app.runtime.prisma;

const MARIA = { phone: "5511955550101", name: "Maria Esquecida Souza", texts: ["Meu CPF é 123.456.789-00", "Moro na Rua das Flores 42", "foto do boleto"] };
const JOAO = { phone: "5511955550202", name: "João Que Fica", texts: ["Quero manter meus dados"] };

async function write(person: { phone: string; name: string }, text: string, type: "text" | "image" = "text") {
  const { body } = inboundWebhook({ text, from: person.phone, name: person.name, type });
  expect((await postWebhook(server.url, body)).status).toBe(200);
}

const gid = (id: string) => Buffer.from(`Contact:${id}`).toString("base64");
const contactOf = (phone: string) => prisma().contact.findFirstOrThrow({ where: { waId: phone } });

/** Every row of every text, varchar, json and jsonb column of every schema of ours (pg-boss's too) that contains `needle`. */
async function scanFor(needle: string): Promise<string[]> {
  const columns = await prisma().$queryRaw<Array<{ schema: string; table: string; column: string }>>`
    SELECT table_schema AS schema, table_name AS table, column_name AS column FROM information_schema.columns
    WHERE table_schema NOT IN ('pg_catalog', 'information_schema') AND data_type IN ('text', 'character varying', 'json', 'jsonb', 'ARRAY', 'USER-DEFINED')
      AND (SELECT table_type FROM information_schema.tables t WHERE t.table_schema = columns.table_schema AND t.table_name = columns.table_name) = 'BASE TABLE'`;
  const hits: string[] = [];
  for (const { schema, table, column } of columns) {
    const rows = await prisma().$queryRawUnsafe<Array<{ n: bigint }>>(
      `SELECT count(*) AS n FROM "${schema}"."${table}" WHERE "${column}"::text ILIKE $1`,
      `%${needle}%`,
    );
    if (Number(rows[0]!.n) > 0) hits.push(`${schema}.${table}.${column}`);
  }
  return hits;
}

describe("LGPD: export and erase a contact", () => {
  let maria: string;
  let joao: string;
  beforeAll(async () => {
    await write(MARIA, MARIA.texts[0]!);
    await write(JOAO, JOAO.texts[0]!);
    await write(MARIA, MARIA.texts[1]!);
    await write(MARIA, MARIA.texts[2]!, "image");
    // A status webhook naming Maria (an outbound message to her) is hers too.
    const status = sampleWebhook([sampleChange({ statuses: [sampleStatus(sampleWamid(), "delivered", { recipient: MARIA.phone })] } as never)]);
    expect((await postWebhook(server.url, status)).status).toBe(200);
    maria = (await contactOf(MARIA.phone)).id;
    joao = (await contactOf(JOAO.phone)).id;
  });

  it("is for ORG_ADMINs of the contact's organization only", async () => {
    for (const email of ["agent@demo.test", "viewer@demo.test"]) {
      expect((await server.gql(EXPORT, { id: gid(maria) }, await server.token(email))).errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
      expect((await server.gql(ERASE, { contactId: gid(maria) }, await server.token(email))).errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    }
    const acme = await server.token("admin@acme.test");
    expect((await server.gql(EXPORT, { id: gid(maria) }, acme)).errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
    expect((await server.gql(ERASE, { contactId: gid(maria) }, acme)).errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
    expect((await contactOf(MARIA.phone)).erasedAt).toBeNull();
  });

  it("exports everything about the contact and nothing about another, and audits the read", async () => {
    const result = await server.gql(EXPORT, { id: gid(maria) }, await server.token("admin@demo.test"));
    expect(result.errors).toBeUndefined();
    const data = result.data!.exportContactData;
    expect(data.contact).toMatchObject({ id: maria, waId: MARIA.phone, phone: `+${MARIA.phone}`, name: MARIA.name, messageCount: 3, erasedAt: null });
    expect(data.messages.map((m) => m.text).sort()).toEqual([...MARIA.texts].sort());
    expect(data.messages.every((m) => m.payloadJson?.includes(MARIA.phone))).toBe(true);
    expect(data.mediaReferences).toHaveLength(1);
    expect(data.mediaReferences[0]).toMatchObject({ kind: "image", mimeType: "image/jpeg" });
    expect(data.mediaReferences[0]!.mediaId).toBeTruthy();
    // Raw bodies: the three messages and the status update, each naming her.
    expect(data.webhookEvents).toHaveLength(4);
    for (const event of data.webhookEvents) expect(event.payloadJson).toContain(MARIA.phone);
    const text = JSON.stringify(data);
    for (const fragment of [JOAO.phone, JOAO.name, ...JOAO.texts, joao]) expect(text).not.toContain(fragment);
    const audit = await prisma().auditLog.findFirstOrThrow({ where: { action: "contact.data_exported", entityId: maria } });
    expect(JSON.stringify(audit.data)).not.toContain(MARIA.phone);
  });

  it("erases: no table holds her phone, name or message texts afterwards; counts stay; Joao is untouched", async () => {
    const before = { messages: await prisma().message.count(), conversations: await prisma().conversation.count() };
    // Present before (the scan finds them), so its silence afterwards means something.
    expect(await scanFor(MARIA.phone)).not.toEqual([]);
    expect(await scanFor(MARIA.name)).not.toEqual([]);
    const erased = await server.gql(ERASE, { contactId: gid(maria) }, await server.token("admin@demo.test"));
    expect(erased.errors).toBeUndefined();
    expect(erased.data?.eraseContact).toMatchObject({
      contactId: maria,
      erasedNow: true,
      messagesAnonymized: 3,
      mediaReferencesDeleted: 1,
      webhookEventsDeleted: 4,
    });
    expect(Number(erased.data?.eraseContact.notificationsAnonymized)).toBeGreaterThan(0);

    for (const needle of [MARIA.phone, MARIA.phone.slice(2), MARIA.name, ...MARIA.texts]) expect(await scanFor(needle), needle).toEqual([]);
    expect({ messages: await prisma().message.count(), conversations: await prisma().conversation.count() }).toEqual(before);
    expect(await prisma().contact.findUniqueOrThrow({ where: { id: maria } })).toMatchObject({ waId: null, phone: null, name: null, messageCount: 3 });
    // Joao's data is all there.
    for (const needle of [JOAO.phone, JOAO.name, ...JOAO.texts]) expect(await scanFor(needle)).not.toEqual([]);
    const audit = await prisma().auditLog.findFirstOrThrow({ where: { action: "contact.erased", entityId: maria } });
    expect(audit.data).toMatchObject({ messagesAnonymized: 3, webhookEventsDeleted: 4 });
  });

  it("is idempotent: erasing again changes nothing and says so", async () => {
    const again = await server.gql(ERASE, { contactId: gid(maria) }, await server.token("admin@demo.test"));
    expect(again.data?.eraseContact).toMatchObject({ contactId: maria, erasedNow: false, messagesAnonymized: 0, webhookEventsDeleted: 0 });
    expect(await prisma().auditLog.count({ where: { action: "contact.erased", entityId: maria } })).toBe(2);
  });

  it("a new message from the same number starts a fresh contact and conversation", async () => {
    await write(MARIA, "voltei");
    const fresh = await contactOf(MARIA.phone);
    expect(fresh.id).not.toBe(maria);
    expect(fresh.messageCount).toBe(1);
    const conversation = await prisma().conversation.findFirstOrThrow({ where: { contactId: fresh.id } });
    expect(await prisma().conversation.count({ where: { contactId: maria } })).toBeGreaterThan(0);
    expect(conversation.contactId).toBe(fresh.id);
  });
});

describe("retention", () => {
  it("a scheduled job deletes raw webhook bodies after WEBHOOK_EVENT_RETENTION_DAYS and anonymizes messages after the organization's messageRetentionDays", async () => {
    const job = privacyJobs.find((j) => j.name === "data-retention")!;
    expect(job.cron).toBeTruthy();
    const set = await server.gql(UpdateMessageRetentionDocument, { input: { messageRetentionDays: 30 } }, await server.token("admin@demo.test"));
    expect(set.data).toEqual({ updateOrganizationSettings: { messageRetentionDays: 30 } });
    await write({ phone: "5511955550303", name: "Antiga" }, "mensagem antiga");
    await write({ phone: "5511955550404", name: "Nova" }, "mensagem nova");
    const old = await prisma().message.findFirstOrThrow({ where: { text: "mensagem antiga" } });
    const longAgo = new Date(Date.now() - 40 * 24 * 3600_000);
    await prisma().message.update({ where: { id: old.id }, data: { createdAt: longAgo } });
    await prisma().$executeRaw`UPDATE "WebhookEvent" SET "receivedAt" = ${longAgo} WHERE payload::text LIKE '%5511955550303%'`;
    const acmeOld = await prisma().message.count({ where: { organization: { slug: "acme" }, text: { not: null } } });

    await job.handler(null, server.app.runtime, { id: "test", retryCount: 0 });

    expect(await prisma().message.findUniqueOrThrow({ where: { id: old.id } })).toMatchObject({ text: null, payload: null });
    expect(await prisma().message.count({ where: { text: "mensagem nova" } })).toBe(1);
    expect(await prisma().webhookEvent.count({ where: { receivedAt: { lt: new Date(Date.now() - 31 * 24 * 3600_000) } } })).toBe(0);
    expect(await scanFor("5511955550404")).toContain("public.WebhookEvent.payload");
    // Organizations without a setting keep their messages.
    expect(await prisma().message.count({ where: { organization: { slug: "acme" }, text: { not: null } } })).toBe(acmeOld);
  });
});
