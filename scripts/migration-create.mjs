// Writes a new migration offline: diffs the last migration's schema snapshot
// against prisma/schema.prisma with Prisma's WASM schema engine (the native
// engine cannot be downloaded here), and stores SQL + the new snapshot.
// Usage: node --experimental-wasm-modules scripts/migration-create.mjs NAME
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { PrismaPg } from "@prisma/adapter-pg";
import { bindMigrationAwareSqlAdapterFactory } from "@prisma/driver-adapter-utils";
import { SchemaEngine } from "@prisma/schema-engine-wasm";

const name = process.argv[2];
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  console.error("usage: migration-create.mjs NAME (lowercase, digits, underscores)");
  process.exit(2);
}
const dir = "prisma/migrations";
mkdirSync(dir, { recursive: true });
const previous = readdirSync(dir)
  .filter((d) => existsSync(`${dir}/${d}/schema.prisma`))
  .sort()
  .at(-1);
const current = readFileSync("prisma/schema.prisma", "utf8");
const datamodel = (content) => ({ tag: "schemaDatamodel", files: [{ path: "schema.prisma", content }] });

// The engine wants an adapter even for a pure datamodel diff; it does not query it.
const factory = new PrismaPg({ connectionString: process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres" });
const engine = await SchemaEngine.new({ datamodels: [["schema.prisma", current]] }, () => {}, bindMigrationAwareSqlAdapterFactory(factory));
const { stdout } = await engine.diff({
  from: previous ? datamodel(readFileSync(`${dir}/${previous}/schema.prisma`, "utf8")) : { tag: "empty" },
  to: datamodel(current),
  script: true,
  exitCode: null,
  filters: { externalTables: [], externalEnums: [] },
});
if (!stdout || /^-- This is an empty migration/.test(stdout.trim())) {
  console.log("schema unchanged: no migration written");
  process.exit(0);
}
const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
const target = `${dir}/${stamp}_${name}`;
mkdirSync(target);
writeFileSync(`${target}/migration.sql`, stdout);
writeFileSync(`${target}/schema.prisma`, current);
console.log(`wrote ${target}/migration.sql`);
process.exit(0);
