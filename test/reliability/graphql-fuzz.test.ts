import { encodeGlobalID } from "@pothos/plugin-relay";
import fc from "fast-check";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createNotificationWithDelivery } from "../delivery/fixtures.js";
import { MyEmailDocument } from "../generated/operations.js";
import { startTestServer, type GraphQLResponse, type TestServer } from "../helpers/server.js";

/**
 * Property-based abuse of /graphql: garbage inputs, ids, cursors and variables of the
 * wrong type, sent as an admin, an agent and a viewer. Whatever arrives, the answer is
 * never a 500 or INTERNAL_SERVER_ERROR, every error names a client-side code, and a
 * mutation that answered an error changed nothing.
 */

let server: TestServer;
const tokens: Record<"admin" | "agent" | "viewer", string> = { admin: "", agent: "", viewer: "" };
/** Real relay ids of both organizations (acme's must be NOT_FOUND to demo's users). */
const ids: string[] = [];

beforeAll(async () => {
  // API only: no worker sends a replayed delivery while a later run compares fingerprints.
  server = await startTestServer({ role: "serve", env: { RATE_LIMIT_MUTATIONS_PER_MINUTE: "1000000" } });
  tokens.admin = await server.token("admin@demo.test");
  tokens.agent = await server.token("agent@demo.test");
  tokens.viewer = await server.token("viewer@demo.test");
  const prisma = server.app.runtime.prisma;
  for (const userEmail of ["agent@demo.test", "agent@acme.test"]) {
    const made = await createNotificationWithDelivery(prisma, {
      userEmail,
      channel: "EMAIL",
      status: "DEAD",
      conversation: { contactName: "Fuzz" },
      alert: { title: "Fuzz", severity: "LOW" },
    });
    ids.push(
      encodeGlobalID("Notification", made.notification.id),
      encodeGlobalID("Delivery", made.delivery.id),
      encodeGlobalID("Conversation", made.conversationId!),
      encodeGlobalID("Alert", made.alertId!),
      encodeGlobalID("User", made.user.id),
    );
  }
});
afterAll(() => server?.stop());

// BAD_REQUEST: Yoga's own answer (HTTP 400) to a request that is not GraphQL over HTTP, e.g. `variables` not an object.
// RATE_LIMITED: a valid new number asks for a verification code, 5 an hour (refused before anything changes).
const ALLOWED_CODES = [
  "BAD_USER_INPUT",
  "NOT_FOUND",
  "FORBIDDEN",
  "UNAUTHENTICATED",
  "GRAPHQL_VALIDATION_FAILED",
  "GRAPHQL_PARSE_FAILED",
  "BAD_REQUEST",
  "RATE_LIMITED",
];
const stats = { runs: 0, statuses: new Map<number, number>(), codes: new Map<string, number>(), successes: new Map<string, number>() };
const bump = <K>(map: Map<K, number>, key: K) => map.set(key, (map.get(key) ?? 0) + 1);

/** Every row a mutation could touch, hashed per table: a refused mutation must leave all equal. */
async function fingerprint(): Promise<string> {
  const tables = [
    "User",
    "NotificationPreference",
    "Alert",
    "AuditLog",
    "Notification",
    "Delivery",
    "Conversation",
    "Organization",
    "Queue",
    "QueueMember",
    "WhatsAppNumber",
  ];
  const parts = await Promise.all(
    tables.map((table) =>
      server.app.runtime.prisma.$queryRawUnsafe<Array<{ h: string | null }>>(`SELECT md5(string_agg(t::text, '|' ORDER BY t::text)) AS h FROM "${table}" t`),
    ),
  );
  return parts.map((rows, i) => `${tables[i]}=${rows[0]?.h}`).join(",");
}

interface Operation {
  query: string;
  variables?: unknown;
  as: keyof typeof tokens;
  mutation: boolean;
}

/** Sends one operation and checks the answer; a failed mutation must have written nothing. */
/**
 * The running test's signal: aborted when it times out. Every run checks it first, so a
 * property that outlived its test stops at its next run, and the next test starts only
 * once the run in flight has settled: no late write lands in another test's counts.
 */
let signal: AbortSignal;
let inFlight: Promise<unknown> = Promise.resolve();
beforeEach(async (context) => {
  await inFlight.catch(() => {});
  signal = context.signal;
});

async function check(operation: Operation): Promise<void> {
  const run = checkOnce(operation);
  inFlight = run;
  return run;
}

async function checkOnce(operation: Operation): Promise<void> {
  signal.throwIfAborted();
  const before = operation.mutation ? await fingerprint() : "";
  const response = await fetch(`${server.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${tokens[operation.as]}` },
    body: JSON.stringify({ query: operation.query, variables: operation.variables }),
  });
  const text = await response.text();
  stats.runs += 1;
  bump(stats.statuses, response.status);
  expect([200, 400], text.slice(0, 500)).toContain(response.status);
  const body = JSON.parse(text) as GraphQLResponse;
  for (const error of body.errors ?? []) {
    const code = error.extensions?.code ?? "(none)";
    bump(stats.codes, code);
    expect(ALLOWED_CODES, `${error.message} for ${operation.query.slice(0, 120)} ${JSON.stringify(operation.variables)?.slice(0, 300)}`).toContain(code);
  }
  if (!body.errors?.length) bump(stats.successes, /\{\s*(\w+)/.exec(operation.query)?.[1] ?? "?");
  else if (operation.mutation)
    expect(await fingerprint(), `${operation.query.slice(0, 120)} changed rows but answered ${body.errors[0]!.message}`).toBe(before);
}

const TYPENAMES = ["Notification", "Delivery", "Conversation", "Alert", "User", "Queue", "Message", "Organization", "Nope", ""];
const garbageString = fc.oneof(
  fc.string({ unit: "binary", maxLength: 30 }),
  fc.constantFrom("", " ", "-1", "0", "null", "a\u0000b", "\uD800", '\'; DROP TABLE "Alert"; --', "{{constructor.constructor('x')()}}", "x".repeat(100_000)),
);
const garbageId = fc.oneof(
  garbageString,
  fc.constantFrom(...TYPENAMES).chain((type) => fc.oneof(fc.uuid(), garbageString, fc.integer().map(String)).map((id) => encodeGlobalID(type, id))),
  // Filled in beforeAll, so picked lazily: another organization's real ids, and real ids under the wrong type.
  fc.nat().map((i) => ids[i % ids.length]!),
  fc.tuple(fc.nat(), fc.constantFrom(...TYPENAMES)).map(([i, type]) =>
    encodeGlobalID(
      type,
      Buffer.from(ids[i % ids.length]!, "base64")
        .toString()
        .split(":")[1]!,
    ),
  ),
);
const garbageCursor = fc.oneof(
  garbageString,
  fc
    .oneof(fc.string({ maxLength: 20 }), fc.uuid(), fc.integer().map(String), fc.constantFrom("", "{}", "[1,2]", "1e400"))
    .chain((payload) =>
      fc.constantFrom("S:", "N:", "D:", "O:", "Z:", "T:", "I:", "B:", "M:", "X:", "").map((tag) => Buffer.from(`GPC:${tag}${payload}`).toString("base64")),
    ),
);
const garbageInt = fc.oneof(fc.integer({ min: -5, max: 5 }), fc.integer(), fc.constantFrom(-2147483648, 2147483647, 0, 1000, 100_000));
/** A JSON value where the schema wanted something else. */
const wrongType: fc.Arbitrary<unknown> = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom(1e300, -0.5, 2 ** 53, "1", [], {}, [null], { id: "x" }));
const role = fc.constantFrom<Operation["as"]>("admin", "agent", "viewer");
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });

const hhmm = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom("22:00", "07:00", "00:00", "23:59") },
  fc.constantFrom("22:00", "07:00", "24:00", "23:60", "7:00", "00:00", "-1:00", "12:00:00", "１２:００", "", "ab:cd"),
  garbageString,
);
const timeZone = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom("America/Sao_Paulo", "UTC", "Europe/Lisbon") },
  fc.constantFrom("America/Sao_Paulo", "UTC", "Etc/GMT+14", "Mars/Olympus", "../../etc/passwd", "America/Sao_Paulo\u0000", "+03:00", ""),
  garbageString,
);
const e164 = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom("+5511999990000", "(11) 98888-0001", "+1 202 555 0143") },
  fc.constantFrom(
    "+5511999990000",
    "11 99999-0000",
    "+",
    "++55",
    "+0000000000",
    "5".repeat(40),
    "+1 (555) 010-9999 ext. 5",
    "٥٥١١٩٩٩٩٩٠٠٠٠",
    "tel:+5511999990000",
  ),
  garbageString,
  fc.constant(null),
);
const enumish = (values: string[]) =>
  fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...values) }, { weight: 1, arbitrary: garbageString }, { weight: 1, arbitrary: wrongType });

const UPDATE_PREFERENCES = `mutation($input: UpdateNotificationPreferencesInput!) {
  updateNotificationPreferences(input: $input) { whatsappNumber notifyOnNewMessage quietHours { start end timeZone } channels { type channel enabled } } }`;
const preferencesOperation = fc
  .record({
    as: role,
    input: fc.oneof(
      {
        weight: 4,
        arbitrary: fc.record(
          {
            whatsappNumber: e164,
            notifyOnNewMessage: fc.oneof({ weight: 4, arbitrary: fc.boolean() }, { weight: 1, arbitrary: wrongType }),
            quietHours: fc.oneof(fc.constant(null), fc.record({ start: hhmm, end: hhmm, timeZone }, { requiredKeys: [] })),
            channels: fc.array(
              fc.record({
                type: enumish(["NEW_MESSAGE", "ALERT_CREATED", "BOGUS"]),
                channel: enumish(["EMAIL", "SLACK", "IN_APP", "FAX"]),
                enabled: fc.oneof({ weight: 4, arbitrary: fc.boolean() }, { weight: 1, arbitrary: wrongType }),
              }),
              { maxLength: 3 },
            ),
          },
          { requiredKeys: [] },
        ),
      },
      { weight: 1, arbitrary: wrongType },
    ),
  })
  .map(({ as, input }): Operation => ({ query: UPDATE_PREFERENCES, variables: { input }, as, mutation: true }));

const CREATE_ALERT = "mutation($input: CreateAlertInput!) { createAlert(input: $input) { id title severity status } }";
const title = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom("Fila parada", "Falha no envio", "x".repeat(200)) },
  fc.constantFrom("", " ", "x".repeat(300), "x".repeat(100_000), "Fila parada", "{{#each}}"),
  garbageString,
);
const alertOperation = fc
  .record({
    as: role,
    input: fc.oneof(
      {
        weight: 4,
        arbitrary: fc.record(
          {
            title,
            description: fc.oneof({ weight: 3, arbitrary: fc.string({ maxLength: 50 }) }, garbageString, fc.constant("d".repeat(6000))),
            severity: enumish(["CRITICAL", "HIGH", "MEDIUM", "LOW", "critical", "URGENT"]),
            category: fc.oneof({ weight: 3, arbitrary: fc.constantFrom("ops", "whatsapp") }, garbageString),
            dedupeKey: fc.oneof({ weight: 3, arbitrary: fc.string({ maxLength: 10 }) }, garbageString, fc.constant("k".repeat(300))),
          },
          { requiredKeys: ["title"] },
        ),
      },
      { weight: 1, arbitrary: wrongType },
    ),
  })
  .map(({ as, input }): Operation => ({ query: CREATE_ALERT, variables: { input }, as, mutation: true }));

const ID_MUTATIONS = [
  "markNotificationRead(id: $id) { id }",
  "archiveNotification(id: $id) { id }",
  "retryDelivery(id: $id) { id status }",
  "acknowledgeAlert(id: $id) { id }",
  "resolveAlert(id: $id, resolution: $text) { id }",
  "escalateAlert(id: $id, reason: $text) { id }",
  "resolveConversation(id: $id) { id }",
  "markConversationRead(id: $id) { id }",
  "assignConversation(conversationId: $id, userId: $other) { id }",
];
const idMutationOperation = fc
  .record({
    as: role,
    field: fc.constantFrom(...ID_MUTATIONS),
    id: fc.oneof({ weight: 5, arbitrary: garbageId }, { weight: 1, arbitrary: wrongType }),
    other: garbageId,
    text: maybe(garbageString),
  })
  .map(({ as, field, id, other, text }): Operation => {
    const declared = ["$id: ID!", ...(field.includes("$other") ? ["$other: ID!"] : []), ...(field.includes("$text") ? ["$text: String"] : [])].join(", ");
    return { query: `mutation(${declared}) { ${field} }`, variables: { id, other, text }, as, mutation: true };
  });

const ID_QUERIES = ["conversation(id: $id) { id }", "alert(id: $id) { id }", "node(id: $id) { id }"];
const idQueryOperation = fc.oneof(
  fc
    .record({ as: role, field: fc.constantFrom(...ID_QUERIES), id: fc.oneof({ weight: 5, arbitrary: garbageId }, { weight: 1, arbitrary: wrongType }) })
    .map(({ as, field, id }): Operation => ({ query: `query($id: ID!) { ${field} }`, variables: { id }, as, mutation: false })),
  fc
    .record({ as: role, ids: fc.oneof({ weight: 5, arbitrary: fc.array(garbageId, { maxLength: 5 }) }, { weight: 1, arbitrary: wrongType }) })
    .map(({ as, ids }): Operation => ({ query: "query($ids: [ID!]!) { nodes(ids: $ids) { id } }", variables: { ids }, as, mutation: false })),
);

const CONNECTIONS = ["notifications", "conversations", "alerts", "deliveries"];
const connectionOperation = fc
  .record({
    as: role,
    field: fc.constantFrom(...CONNECTIONS),
    first: maybe(fc.oneof({ weight: 5, arbitrary: garbageInt }, { weight: 1, arbitrary: wrongType })),
    last: maybe(garbageInt),
    after: maybe(fc.oneof({ weight: 5, arbitrary: garbageCursor }, { weight: 1, arbitrary: wrongType })),
    before: maybe(garbageCursor),
  })
  .map(
    ({ as, field, ...args }): Operation => ({
      query: `query($first: Int, $last: Int, $after: String, $before: String) { ${field}(first: $first, last: $last, after: $after, before: $before) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }`,
      variables: args,
      as,
      mutation: false,
    }),
  );

/** Literal arguments written into the document itself, and variables that are not an object. */
const literalOperation = fc
  .record({
    as: role,
    text: garbageString,
    int: fc.oneof(garbageInt.map(String), fc.constantFrom("1e400", "99999999999999999999", "-0", "0x10", "1.5")),
    variables: fc.oneof(fc.constant(undefined), wrongType),
    kind: fc.nat(2),
  })
  .map(({ as, text, int, variables, kind }): Operation => {
    const documents = [
      `mutation { createAlert(input: { title: ${JSON.stringify(text)}, severity: LOW }) { id } }`,
      `mutation { escalateAlert(id: ${JSON.stringify(text)}, reason: ${JSON.stringify(text)}) { id } }`,
      `{ notifications(first: ${int}, after: ${JSON.stringify(text)}) { edges { cursor } } }`,
    ];
    return { query: documents[kind]!, variables, as, mutation: kind < 2 };
  });

// Up to 300 runs of one or two requests each: ~20 s with the machine busy, bounded for ~0.4 s a run.
describe("GraphQL under hostile input", { timeout: 120_000 }, () => {
  const property = (operation: fc.Arbitrary<Operation>, numRuns: number) => fc.assert(fc.asyncProperty(operation, check), { numRuns });

  it("updateNotificationPreferences: garbage E.164, time zones and HH:MM are BAD_USER_INPUT and change nothing", () => property(preferencesOperation, 200));
  it("createAlert: empty, huge and hostile titles and odd severities are BAD_USER_INPUT and create nothing", () => property(alertOperation, 200));
  it("mutations by id: random, malformed and other organizations' ids are NOT_FOUND/BAD_USER_INPUT and change nothing", () =>
    property(idMutationOperation, 300));
  it("queries by id answer NOT_FOUND/BAD_USER_INPUT, never an internal error", () => property(idQueryOperation, 150));
  it("connections: negative, huge and garbage first/last/after/before are refused cleanly", () => property(connectionOperation, 250));
  it("literal garbage in the document and variables that are not an object", () => property(literalOperation, 100));

  it("stays up afterwards", async () => {
    const me = await server.gql(MyEmailDocument, {}, tokens.admin);
    expect(me.data?.me.email).toBe("admin@demo.test");
    console.info(
      `graphql fuzz: ${stats.runs} requests, answered without errors ${JSON.stringify(Object.fromEntries(stats.successes))}, HTTP ${JSON.stringify(Object.fromEntries(stats.statuses))}, codes ${JSON.stringify(Object.fromEntries(stats.codes))}`,
    );
  });
});
