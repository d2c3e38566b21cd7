// Runs `prisma generate` on install. Prisma's CLI first looks for its native schema
// engine and would try to download it (unreachable offline); generate does not use it,
// so point it at a stub that fails — never one that succeeds, or `migrate deploy`
// would report success and apply nothing.
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execFileSync } from "node:child_process";

// Generators (prisma-pothos-types) are found on PATH, as under `npm run`.
const env = { ...process.env, PATH: `${join(process.cwd(), "node_modules", ".bin")}:${process.env.PATH ?? ""}` };
if (!env.PRISMA_SCHEMA_ENGINE_BINARY) {
  const stub = join(mkdtempSync(join(tmpdir(), "aviso-prisma-")), "no-schema-engine");
  writeFileSync(stub, "#!/bin/sh\nexit 1\n");
  chmodSync(stub, 0o755);
  env.PRISMA_SCHEMA_ENGINE_BINARY = stub;
}
execFileSync(process.execPath, ["node_modules/prisma/build/index.js", "generate"], { stdio: "inherit", env });
