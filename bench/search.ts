// Inbox search over a large organization: `conversations(search:)` through the real
// server (HTTP, auth, GraphQL, Prisma) beside the same SQL run bare on pg, in one run.
// Part of `npm run bench` (BENCH_SEARCH_MESSAGES, default 1,000,000; 0 skips it); alone:
//   BENCH_SEARCH_MESSAGES=50000 npx tsx bench/search.ts
// The machine may be shared: compare the two paths of one run, not runs of different days.
import { pathToFileURL } from "node:url";
import pg from "pg";
import { conversationSearchSql } from "../src/conversations/search.js";
import { migrate } from "../src/db/migrate.js";
import { freePort, freshDatabase, startAviso, tokenFor } from "./lib/aviso.js";
import { summarize, type Latency } from "./lib/stats.js";

/** One message in this many is about a fridge; one contact name in seven is a João. */
const RARE_EVERY = 997;
const MESSAGES_PER_CONVERSATION = 20;
/** Timed searches per query kind and per path (through Aviso, bare SQL). */
const ROUNDS_PER_KIND = Number(process.env.BENCH_SEARCH_ROUNDS ?? 50);
/** What an agent types, by kind: every kind is timed alike, so none hides behind the others. */
const QUERIES = {
  "name, accents folded": "joao",
  "name with accents": "Conceição",
  "phone digits": "987650042",
  "phone as written": "+55 (11) 98765-0042",
  "rare word (1 message in 997)": "geladeira",
  "common word (1 message in 8)": "pedido",
  "two words": "boleto atrasado",
} as const;
type QueryKind = keyof typeof QUERIES;

/** p50 and p95 of one query kind, both ways, in ms. */
export interface SearchKindFigure {
  kind: QueryKind;
  query: string;
  /** Conversations on the first page (at most 21: a page of 20 and the one that says more follow). */
  matches: number;
  graphqlP50: number;
  graphqlP95: number;
  bareSqlP50: number;
  bareSqlP95: number;
}

export interface SearchBench {
  messages: number;
  conversations: number;
  seedSeconds: number;
  /** Through Aviso, all kinds: HTTP + auth + GraphQL + the search SQL + loading the page of 20. */
  graphql: Latency & { p95: number };
  /** The same search SQL (conversationSearchSql) on a bare pg connection, all kinds. */
  bareSql: Latency & { p95: number };
  /** graphql.p95 ÷ bareSql.p95: what Aviso adds around its own SQL. */
  p95Ratio: number;
  kinds: SearchKindFigure[];
}

/** A latency summary with its p95 (what the figure names). */
function withP95(samples: number[]): Latency & { p95: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const p95 = sorted[Math.min(sorted.length - 1, Math.floor(0.95 * sorted.length))] ?? Number.NaN;
  return { ...summarize(samples), p95: Math.round(p95 * 100) / 100 };
}

const log = (msg: string) => process.stderr.write(`[bench:search] ${msg}\n`);

/**
 * Seeds an organization with `messages` messages (generate_series, indexes rebuilt after
 * the load), then times every query kind of QUERIES, ROUNDS_PER_KIND times each, both ways.
 */
export async function searchBench(adminUrl: string, messages: number): Promise<SearchBench> {
  const databaseUrl = await freshDatabase(adminUrl, "aviso_bench_search");
  await migrate(databaseUrl);
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  const started = performance.now();
  const conversations = Math.max(1, Math.floor(messages / MESSAGES_PER_CONVERSATION));
  const org = (
    await db.query<{ id: string }>(
      `INSERT INTO "Organization" (id, slug, name, "updatedAt") VALUES (gen_random_uuid(), 'search', 'Search', now()) RETURNING id`,
    )
  ).rows[0]!.id;
  const agent = (
    await db.query<{ id: string }>(
      `INSERT INTO "User" (id, "organizationId", email, name, role, "updatedAt") VALUES (gen_random_uuid(), $1, 'agent@search.test', 'Agente', 'AGENT', now()) RETURNING id`,
      [org],
    )
  ).rows[0]!.id;
  // A bulk load builds GIN indexes far faster than it maintains them row by row.
  const indexes = (
    await db.query<{ indexname: string; indexdef: string }>(
      `SELECT indexname, indexdef FROM pg_indexes WHERE indexname IN ('ConversationSearch_document_idx', 'Contact_name_trgm_idx', 'Contact_phone_trgm_idx')`,
    )
  ).rows;
  for (const index of indexes) await db.query(`DROP INDEX "${index.indexname}"`);
  await db.query(`ALTER TABLE "Message" DISABLE TRIGGER "Message_search_document"`);
  log(`seeding ${conversations} conversations, ${messages} messages`);
  await db.query(
    `INSERT INTO "Contact" (id, "organizationId", "waId", phone, name, "lastMessageAt", "updatedAt")
     SELECT gen_random_uuid(), $1, p, p,
            (ARRAY['João','Maria','José','Ana','Luíza','Pedro','Conceição'])[1 + i % 7] || ' ' || (ARRAY['Silva','Souza','Pereira','Lima','Álvares','Prado'])[1 + (i / 7) % 6] || ' ' || i,
            now() - make_interval(secs => i), now()
     FROM generate_series(1, $2::int) i, LATERAL (SELECT '5511' || (987650000 + i)::text AS p) phone`,
    [org, conversations],
  );
  await db.query(
    `INSERT INTO "Conversation" (id, "organizationId", number, "contactId", status, "assigneeId", "lastMessageAt", "updatedAt")
     SELECT gen_random_uuid(), $1, row_number() OVER (ORDER BY c.id), c.id, (ARRAY['OPEN','PENDING','RESOLVED']::"ConversationStatus"[])[1 + (hashtext(c.id::text) & 3) % 3],
            CASE WHEN hashtext(c.id::text) & 1 = 0 THEN $2::uuid END, c."lastMessageAt", now()
     FROM "Contact" c WHERE c."organizationId" = $1`,
    [org, agent],
  );
  await db.query(
    `WITH conv AS (SELECT id, row_number() OVER (ORDER BY id) AS n FROM "Conversation" WHERE "organizationId" = $1)
     INSERT INTO "Message" (id, "organizationId", "conversationId", direction, type, text, status, "createdAt", "updatedAt")
     SELECT gen_random_uuid(), $1, conv.id, 'INBOUND', 'TEXT',
            (ARRAY['Olá','Bom dia','Boa tarde','Oi','Por favor'])[1 + i % 5] || ', ' ||
            (ARRAY['quero saber do','preciso de ajuda com o','ainda não recebi o','como faço para trocar o','qual o prazo do','cancelar o'])[1 + (i / 5) % 6] || ' ' ||
            (ARRAY['pedido','boleto','produto','cadastro','reembolso','cartão','endereço','frete'])[1 + (i / 30) % 8] ||
            CASE WHEN i % 11 = 0 THEN ' atrasado' ELSE '' END ||
            CASE WHEN i % ${RARE_EVERY} = 0 THEN ' da geladeira' ELSE '' END || ' #' || i,
            'RECEIVED', now() - make_interval(secs => $2::int - i), now()
     FROM generate_series(1, $2::int) i JOIN conv ON conv.n = 1 + i % $3::int`,
    [org, messages, conversations],
  );
  // The per-message trigger was off for the load: build the conversations' documents at once, as the migration does.
  await db.query(
    `INSERT INTO "ConversationSearch" ("conversationId", "organizationId", "document")
     SELECT m."conversationId", (array_agg(m."organizationId"))[1], strip(to_tsvector('portuguese'::regconfig, aviso_unaccent(string_agg(m."text", ' '))))
     FROM "Message" m WHERE coalesce(m."text", '') <> '' GROUP BY m."conversationId"`,
  );
  await db.query(`ALTER TABLE "Message" ENABLE TRIGGER "Message_search_document"`);
  for (const index of indexes) await db.query(index.indexdef);
  await db.query("VACUUM ANALYZE");
  await db.query("CHECKPOINT");
  const seedSeconds = Math.round((performance.now() - started) / 100) / 10;
  log(`seeded in ${seedSeconds} s`);

  const aviso = await startAviso({ DATABASE_URL: databaseUrl, DATABASE_POOL_SIZE: "4" }, await freePort());
  const token = await tokenFor({ id: agent, organizationId: org, role: "AGENT" });
  const body = (search: string) =>
    JSON.stringify({
      query: "query($s: String!) { conversations(search: $s, first: 20) { edges { node { id number contact { name } lastMessageAt } } } }",
      variables: { s: search },
    });
  const viaGraphql = async (search: string) => {
    const response = await fetch(`${aviso.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: body(search),
    });
    const result = (await response.json()) as { errors?: unknown; data?: { conversations: { edges: unknown[] } } };
    if (result.errors) throw new Error(`search failed: ${JSON.stringify(result.errors)}`);
    return result.data!.conversations.edges.length;
  };
  const viaSql = async (search: string) => {
    const sql = conversationSearchSql(org, { search });
    // Unnamed, as Aviso sends it (planned for its values every time).
    return (await db.query({ text: sql.text, values: sql.values as unknown[] })).rowCount ?? 0;
  };
  try {
    const kinds = Object.keys(QUERIES) as QueryKind[];
    const matches = new Map<QueryKind, number>();
    // Warm-up: both paths, every query (plans cached, pages in memory).
    for (const kind of kinds) {
      matches.set(kind, await viaSql(QUERIES[kind]));
      await viaGraphql(QUERIES[kind]);
    }
    // Kinds interleaved, so a burst of load on the shared machine falls on all of them alike.
    const time = async (run: (q: string) => Promise<number>) => {
      const samples = new Map<QueryKind, number[]>(kinds.map((k) => [k, []]));
      for (let round = 0; round < ROUNDS_PER_KIND; round++) {
        for (const kind of kinds) {
          const t0 = performance.now();
          await run(QUERIES[kind]);
          samples.get(kind)!.push(performance.now() - t0);
        }
      }
      return samples;
    };
    const bare = await time(viaSql);
    const through = await time(viaGraphql);
    const all = (samples: Map<QueryKind, number[]>) => withP95([...samples.values()].flat());
    const figures = kinds.map((kind): SearchKindFigure => {
      const g = withP95(through.get(kind)!);
      const b = withP95(bare.get(kind)!);
      return { kind, query: QUERIES[kind], matches: matches.get(kind)!, graphqlP50: g.p50, graphqlP95: g.p95, bareSqlP50: b.p50, bareSqlP95: b.p95 };
    });
    const graphql = all(through);
    const bareSql = all(bare);
    for (const f of figures) log(`${f.kind} "${f.query}": p95 through Aviso ${f.graphqlP95} ms, bare SQL ${f.bareSqlP95} ms`);
    log(`p95 over all kinds: through Aviso ${graphql.p95} ms, bare SQL ${bareSql.p95} ms`);
    const p95Ratio = Math.round((graphql.p95 / bareSql.p95) * 100) / 100;
    return { messages, conversations, seedSeconds, graphql, bareSql, p95Ratio, kinds: figures };
  } finally {
    await aviso.stop();
    await db.end();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const result = await searchBench(
    process.env.BENCH_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres",
    Number(process.env.BENCH_SEARCH_MESSAGES ?? 1_000_000),
  );
  console.log(JSON.stringify(result, null, 2));
}
