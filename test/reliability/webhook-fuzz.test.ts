import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderEmail } from "../../src/delivery/email-render.js";
import { loadDelivery } from "../../src/delivery/load.js";
import { notificationView } from "../../src/delivery/view.js";
import { SAMPLE_TYPES } from "../fixtures/meta/sample-payload.js";
import { createNotificationWithDelivery } from "../delivery/fixtures.js";
import { inboundWebhook, metaFixture, postWebhook, sampleWamid } from "../helpers/meta.js";
import { startTestServer, type TestServer } from "../helpers/server.js";

/**
 * Property-based abuse of POST /webhooks/meta: valid Meta bodies with one field
 * mutated into something hostile, random JSON, deep nesting, invalid UTF-8, all
 * correctly signed — plus unsigned and oversized ones. Whatever arrives, the answer is
 * a clear 200/400/401/413 (never 5xx), a refused body stores nothing, and what was
 * stored keeps its counters consistent.
 */

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ env: { RATE_LIMIT_WEBHOOKS_PER_MINUTE: "1000000" } });
});
afterAll(() => server?.stop());

const prisma = () => server.app.runtime.prisma;
const ALLOWED = [200, 400, 401, 413];
/** Every status seen, for the report. */
const seen = new Map<number, number>();
let requests = 0;

const FIXTURES = [
  "message-text", "message-image", "message-audio", "message-button", "message-contacts", "message-document", "message-location",
  "message-reaction", "message-interactive-list-reply", "message-bsuid-only", "message-unsupported", "status-delivered", "status-failed", "two-changes", "change-errors",
];

/** Placeholder a mutation leaves where the raw JSON text gets a deeply nested array. */
const DEEP = "__deep_nesting__";

const hostileStrings = fc.constantFrom(
  "a\u0000b",
  "\u0000",
  "\uD800",
  "x\uDFFFy",
  "\uDBFF\uDBFF",
  "'; DROP TABLE \"Message\"; --",
  "1' OR '1'='1",
  "\\'; SELECT pg_sleep(0); --",
  "{{constructor.constructor('x')()}}",
  "{{#each}}",
  "{{#each this}}{{this}}{{/each}}",
  "{{> layout}}",
  "{{{html}}}",
  "<script>alert(1)</script>",
  "+",
  "++5511999990000",
  "55 (11) 99999-0000",
  "٥٥١١٩٩٩٩٩٠٠٠٠",
  "0".repeat(40),
  "-1",
  "1e309",
  "",
  " ",
  "x".repeat(1_000_000),
  DEEP,
);

/** Something in place of any field: the wrong type, a hostile string, random JSON. */
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: hostileStrings, weight: 6 },
  { arbitrary: fc.string({ unit: "binary", maxLength: 40 }), weight: 2 },
  { arbitrary: fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant(null)), weight: 2 },
  { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 2 },
  { arbitrary: fc.constantFrom({ "k\u0000": 1 }, { "\uD800": "x" }, { __proto__: { polluted: true } } as object, { constructor: { prototype: { polluted: 1 } } }), weight: 1 },
);

type Json = Record<string, unknown> | unknown[];

/** Every path (list of keys) to a node of `value`, the root excluded. */
function pathsOf(value: unknown, prefix: Array<string | number> = []): Array<Array<string | number>> {
  if (value === null || typeof value !== "object") return [];
  const entries: Array<[string | number, unknown]> = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  return entries.flatMap(([key, child]) => [[...prefix, key], ...pathsOf(child, [...prefix, key])]);
}

/** Replaces (or, with `remove`, deletes) the node at `path` of a fresh copy. */
function mutate(base: Json, path: Array<string | number>, replacement: unknown, remove: boolean): Json {
  const copy = structuredClone(base);
  let parent: unknown = copy;
  for (const key of path.slice(0, -1)) parent = (parent as Record<string | number, unknown>)[key];
  const last = path[path.length - 1]!;
  if (remove && Array.isArray(parent)) parent.splice(Number(last), 1);
  else if (remove) delete (parent as Record<string | number, unknown>)[last];
  else (parent as Record<string | number, unknown>)[last] = replacement;
  return copy;
}

/** A valid body with fresh wamids, so each run exercises the storing path, not the duplicate one. */
function freshBody(source: { kind: "fixture"; name: string } | { kind: "sample"; type: (typeof SAMPLE_TYPES)[number]; from: string }): Json {
  if (source.kind === "sample") return inboundWebhook({ type: source.type, from: source.from }).body as Json;
  const body = metaFixture<{ entry: Array<{ changes: Array<{ value: { messages?: Array<{ id: string }> } }> }> }>(source.name);
  for (const entry of body.entry) for (const change of entry.changes) for (const message of change.value.messages ?? []) message.id = sampleWamid();
  return body as unknown as Json;
}

const validBody = fc.oneof(
  fc.constantFrom(...FIXTURES).map((name) => ({ kind: "fixture" as const, name })),
  fc.record({ kind: fc.constant("sample" as const), type: fc.constantFrom(...SAMPLE_TYPES), from: fc.stringMatching(/^55119\d{8}$/) }),
);

/** JSON text of `body` with the DEEP placeholder replaced by `depth` nested arrays. */
function serialize(body: unknown, depth: number): string {
  return JSON.stringify(body).replaceAll(`"${DEEP}"`, `${"[".repeat(depth)}${"]".repeat(depth)}`);
}

async function counts() {
  return { events: await prisma().webhookEvent.count(), messages: await prisma().message.count(), contacts: await prisma().contact.count() };
}

/** Posts, records the status, and checks the answer and that a refusal stored nothing. */
async function postAndCheck(body: string | Buffer, options: Parameters<typeof postWebhook>[2] = {}): Promise<number> {
  const before = await counts();
  const response = await postWebhook(server.url, body, options);
  await response.arrayBuffer();
  requests += 1;
  seen.set(response.status, (seen.get(response.status) ?? 0) + 1);
  expect(ALLOWED, `unexpected status for a body of ${body.length} bytes`).toContain(response.status);
  if (response.status !== 200) expect(await counts()).toEqual(before);
  else expect((await counts()).events).toBe(before.events + 1);
  return response.status;
}

describe("POST /webhooks/meta under hostile input", () => {
  it("answers 200/400 to signed valid bodies with one field mutated into anything, and stores nothing it refuses", async () => {
    await fc.assert(
      fc.asyncProperty(validBody, fc.nat(), hostileValue, fc.boolean(), fc.constantFrom(65, 1_000, 10_000), async (source, pick, value, remove, depth) => {
        const base = freshBody(source);
        const paths = pathsOf(base);
        const body = mutate(base, paths[pick % paths.length]!, value, remove && value !== DEEP);
        const status = await postAndCheck(serialize(body, depth));
        if (value === DEEP) expect(status).toBe(400);
      }),
      { numRuns: 400 },
    );
  });

  it("answers 400 to random JSON and to anything that is not JSON", async () => {
    const envelopeLike = fc.record({ object: fc.constantFrom("whatsapp_business_account", "page", ""), entry: fc.jsonValue({ maxDepth: 4 }) });
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v) ?? "null"), envelopeLike.map((v) => JSON.stringify(v)), fc.string({ unit: "binary", maxLength: 200 })), async (text) => {
        const status = await postAndCheck(text);
        expect(status).toBe(400);
      }),
      { numRuns: 100 },
    );
  });

  it("stores bodies holding invalid UTF-8 bytes as replacement characters, or refuses them with 400", async () => {
    const garbage = fc.oneof(
      fc.constantFrom([0xff], [0xc3, 0x28], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xc0, 0xaf], [0xe2, 0x82], [0x00]),
      fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 16 }),
    );
    await fc.assert(
      fc.asyncProperty(garbage, async (bytes) => {
        const [head, tail] = JSON.stringify(inboundWebhook({ text: "MARK" }).body).split("MARK") as [string, string];
        await postAndCheck(Buffer.concat([Buffer.from(head), Buffer.from(bytes), Buffer.from(tail)]));
      }),
      { numRuns: 60 },
    );
  });

  it("answers 401 to unsigned or wrongly signed bodies and 413 to oversized ones, storing nothing", async () => {
    await fc.assert(
      fc.asyncProperty(validBody, fc.constantFrom<Parameters<typeof postWebhook>[2]>({ secret: null }, { secret: "another-secret" }, { signature: "sha256=" }, { signature: "sha1=abc" }), async (source, options) => {
        expect(await postAndCheck(JSON.stringify(freshBody(source)), options)).toBe(401);
      }),
      { numRuns: 20 },
    );
    for (const size of [3 * 1024 * 1024 + 1, 4 * 1024 * 1024]) {
      const { body } = inboundWebhook({ text: "x".repeat(size) });
      expect(await postAndCheck(JSON.stringify(body))).toBe(413);
    }
  });

  it("stays up, leaves no event half-processed and keeps every counter consistent with the stored messages", async () => {
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect(await postAndCheck(JSON.stringify(inboundWebhook({ text: "still here" }).body))).toBe(200);
    // Each event was processed in one transaction: none is left between RECEIVED and done with a partial result.
    const events = await prisma().webhookEvent.groupBy({ by: ["status"], _count: true });
    const messagesPerContact = await prisma().$queryRaw<Array<{ id: string; messageCount: number; stored: bigint }>>`
      SELECT c.id, c."messageCount", count(m.id) AS stored
      FROM "Contact" c LEFT JOIN "Conversation" v ON v."contactId" = c.id LEFT JOIN "Message" m ON m."conversationId" = v.id AND m.direction = 'INBOUND'
      GROUP BY c.id`;
    for (const row of messagesPerContact) expect(Number(row.stored), `contact ${row.id}`).toBe(row.messageCount);
    const unreadPerConversation = await prisma().$queryRaw<Array<{ id: string; unreadCount: number; stored: bigint }>>`
      SELECT v.id, v."unreadCount", count(m.id) AS stored
      FROM "Conversation" v LEFT JOIN "Message" m ON m."conversationId" = v.id AND m.direction = 'INBOUND'
      GROUP BY v.id`;
    for (const row of unreadPerConversation) expect(Number(row.stored), `conversation ${row.id}`).toBe(row.unreadCount);
    console.info(
      `webhook fuzz: ${requests} requests, statuses ${JSON.stringify(Object.fromEntries(seen))}, events ${JSON.stringify(events.map((e) => [e.status, e._count]))}, ${await prisma().message.count()} messages`,
    );
    expect([...seen.keys()].every((status) => status < 500)).toBe(true);
  });
});

describe("email rendering of customer text holding Handlebars syntax", () => {
  it("shows the text literally (escaped in HTML) and never executes it", async () => {
    const hostile = "{{constructor.constructor('return process')()}} {{#each this}}x{{/each}} {{> layout}} {{{raw}}}";
    const { delivery } = await createNotificationWithDelivery(prisma(), { userEmail: "agent@demo.test", channel: "EMAIL", conversation: { contactName: "{{name}}", text: hostile } });
    const context = (await loadDelivery(prisma(), delivery.id))!;
    const email = renderEmail(notificationView(context, server.config), context.locale);
    expect(email.text).toContain(hostile);
    expect(email.html).toContain("{{constructor.constructor(&#x27;return process&#x27;)()}} {{#each this}}x{{/each}} {{&gt; layout}} {{{raw}}}");
    expect(email.subject).toContain("{{name}}");
  });
});
