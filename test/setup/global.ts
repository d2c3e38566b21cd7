import { mkdirSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { execFileSync } from "node:child_process";
import { loadEmbeddedPostgres } from "../../src/db/database.js";
import { assertDatabaseReachable } from "../../src/db/reachable.js";
import { assertRedisReachable } from "../../src/pubsub/reachable.js";
import { migrate } from "../../src/db/migrate.js";
import { createPrisma } from "../../src/db/client.js";
import { seedDemoData } from "../../src/db/seed.js";
import { PgBoss } from "pg-boss";
import { BOSS_SCHEMA } from "../../src/jobs/queue.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** A database URL whose server lets tests create databases. */
    adminDatabaseUrl: string;
    /** A migrated, seeded database each test file copies (CREATE DATABASE … TEMPLATE). */
    templateDatabase: string;
    /** The prefix of every database this run creates; the teardown drops what is left of them. */
    databasePrefix: string;
  }
}

/**
 * Real PostgreSQL for every test: TEST_DATABASE_URL when set, otherwise an embedded
 * cluster under .aviso/test-pg. One template database is migrated and seeded once;
 * each test file gets its own copy of it.
 */
export default async function setup(project: TestProject) {
  // Preconditions first, one line each, before anything is created (nothing to leak).
  await checkPreconditions();
  let adminUrl = process.env.TEST_DATABASE_URL;
  let stop = async () => {};
  if (!adminUrl) {
    const home = join(process.cwd(), ".aviso", "test-pg");
    mkdirSync(home, { recursive: true });
    // Loaded only here: see loadEmbeddedPostgres (its exit hooks would turn a failed run into exit 0).
    const { startEmbeddedPostgres } = await loadEmbeddedPostgres();
    const embedded = await startEmbeddedPostgres(home);
    adminUrl = embedded.url;
    stop = embedded.stop;
  }
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  const prefix = `aviso_t${process.pid}_`;
  const template = `aviso_template_${process.pid}`;
  await admin.query(`DROP DATABASE IF EXISTS ${template}`);
  await admin.query(`CREATE DATABASE ${template}`);
  const templateUrl = withDatabase(adminUrl, template);
  await migrate(templateUrl);
  const prisma = createPrisma(templateUrl, 1);
  await seedDemoData(prisma);
  await prisma.$disconnect();
  // Install pg-boss's schema once, so each copy starts without creating it.
  const boss = new PgBoss({ connectionString: templateUrl, schema: BOSS_SCHEMA, supervise: false, schedule: false });
  await boss.start();
  await boss.stop({ graceful: false });
  await admin.end();

  project.provide("adminDatabaseUrl", adminUrl);
  project.provide("templateDatabase", template);
  project.provide("databasePrefix", prefix);

  return async () => {
    const cleanup = new pg.Client({ connectionString: adminUrl });
    await cleanup.connect();
    // A test file that timed out or crashed before its afterAll leaves its copy behind.
    const left = await cleanup.query<{ datname: string }>("SELECT datname FROM pg_database WHERE starts_with(datname, $1)", [prefix]);
    for (const { datname } of left.rows) await cleanup.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    await cleanup.query(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
    await cleanup.end();
    await stop();
  };
}

/**
 * What the suite needs from the machine, said in one line each instead of a test hanging
 * on a connection: PostgreSQL at TEST_DATABASE_URL (when set), Redis at
 * REDIS_URL_FOR_TESTS, and redis-server on PATH (the Redis-loss tests start their own).
 */
async function checkPreconditions(): Promise<void> {
  const problems: string[] = [];
  const databaseUrl = process.env.TEST_DATABASE_URL;
  if (databaseUrl) {
    await assertDatabaseReachable(databaseUrl, "TEST_DATABASE_URL").catch((error: Error) =>
      problems.push(`${error.message} (or unset TEST_DATABASE_URL to use an embedded PostgreSQL)`),
    );
  }
  await assertRedisReachable(process.env.REDIS_URL_FOR_TESTS ?? "redis://127.0.0.1:6379", "REDIS_URL_FOR_TESTS").catch((error: Error) =>
    problems.push(error.message),
  );
  try {
    execFileSync("redis-server", ["--version"], { stdio: "ignore" });
  } catch {
    problems.push("redis-server: not found on PATH — install Redis (apt-get install redis-server); the Redis-loss tests start their own");
  }
  if (problems.length > 0) {
    // Vitest prints a global setup's error with its stack: the lines are the message, the stack is noise.
    const error = new Error(problems.join("\n"));
    error.stack = error.message;
    throw error;
  }
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}
