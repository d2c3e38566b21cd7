import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { signToken } from "../../src/auth/jwt.js";
import { loadConfig } from "../../src/config/index.js";
import { createPrisma } from "../../src/db/client.js";
import { withDatabase } from "../setup/global.js";
import { processEnv, spawnAviso, type AvisoProcess } from "../helpers/process.js";
import { TEST_JWT_SECRET } from "../helpers/server.js";

const ROOT = join(import.meta.dirname, "..", "..");
const run = promisify(execFile);

// The production path: `npm run build`, then `node dist/main.js all` on an empty
// database (not the seeded template), in production mode.
const database = `${inject("databasePrefix")}build`;
const adminUrl = inject("adminDatabaseUrl");
let aviso: AvisoProcess | undefined;

async function admin(sql: string) {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await admin(`CREATE DATABASE ${database}`);
});
afterAll(async () => {
  await aviso?.kill();
  await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
});

describe("the production build", () => {
  // tsc over src/ takes 15–60 s on the 2-core machine; start-up and migrations a few more.
  it("builds to dist/, starts with node dist/main.js all on a fresh database and answers { me { email } }", { timeout: 240_000 }, async () => {
    await run("npm", ["run", "build"], { cwd: ROOT, timeout: 180_000 });
    expect(existsSync(join(ROOT, "dist", "main.js"))).toBe(true);

    const url = withDatabase(adminUrl, database);
    aviso = await spawnAviso(
      "all",
      { ...processEnv(url, "build"), NODE_ENV: "production", AVISO_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString("base64") },
      { entry: ["dist/main.js"] },
    );
    // Production seeds nothing: the first organization and admin are made directly.
    const prisma = createPrisma(url, 1);
    const org = await prisma.organization.create({ data: { slug: "first", name: "First" } });
    const user = await prisma.user.create({ data: { organizationId: org.id, email: "owner@first.test", name: "Owner", role: "ORG_ADMIN" } });
    await prisma.$disconnect();

    const token = await signToken(loadConfig({ NODE_ENV: "test", JWT_SECRET: TEST_JWT_SECRET }), user, "5m");
    const response = await fetch(`${aviso.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: "{ me { email } }" }),
    });
    expect(await response.json()).toEqual({ data: { me: { email: "owner@first.test" } } });
    // Migrations and templates were found from dist/ (the banner names the production mode).
    expect(aviso.output()).toContain("Aviso is ready (all, production)");
  });
});
