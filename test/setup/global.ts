import { mkdirSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { loadEmbeddedPostgres } from "../../src/db/database.js";
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
  }
}

/**
 * Real PostgreSQL for every test: TEST_DATABASE_URL when set, otherwise an embedded
 * cluster under .aviso/test-pg. One template database is migrated and seeded once;
 * each test file gets its own copy of it.
 */
export default async function setup(project: TestProject) {
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
  try {
    await admin.connect();
  } catch (error) {
    throw new Error(
      `Cannot reach PostgreSQL at TEST_DATABASE_URL (${(error as Error).message}). Start it (see shared/machine.md) or unset TEST_DATABASE_URL to use the embedded one.`,
    );
  }
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

  return async () => {
    const cleanup = new pg.Client({ connectionString: adminUrl });
    await cleanup.connect();
    await cleanup.query(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
    await cleanup.end();
    await stop();
  };
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}
