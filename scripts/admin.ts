// npm run admin -- <command> [options]: onboard without SQL, against any DATABASE_URL
// (production included) or the embedded database. Run with --help for the commands.
import { parseArgs } from "node:util";
import { signToken } from "../src/auth/jwt.js";
import { loadConfig } from "../src/config/index.js";
import { createPrisma } from "../src/db/client.js";
import { openDatabase } from "../src/db/database.js";
import { migrate } from "../src/db/migrate.js";
import { seedDemoData } from "../src/db/seed.js";
import { DomainError } from "../src/errors.js";
import { createOrganization, ensureSuperAdmin } from "../src/organizations/create-organization.js";

const HELP = `usage: npm run admin -- <command> [options]

commands:
  create-organization --name NAME --admin-email EMAIL [--admin-name NAME]
                      [--time-zone America/Sao_Paulo] [--locale pt-BR|en] [--ttl 12h]
      Creates the organization (slug from its name) and its first ORG_ADMIN.
      Idempotent by slug: run again, it changes nothing. Prints the admin's token last.
  create-super-admin --email EMAIL [--name NAME] [--ttl 12h]
      Creates a SUPER_ADMIN (in the platform organization "aviso"). Idempotent.
      Prints their token last.
  --help
      This text.

Uses DATABASE_URL (any PostgreSQL, production included), or the embedded database
under AVISO_HOME when it is unset; migrations are applied first. Tokens are signed
with JWT_SECRET (with only JWT_JWKS_URL, your identity provider issues them).`;

const [command, ...rest] = process.argv.slice(2);
if (!command || command === "--help" || command === "-h" || command === "help") {
  console.log(HELP);
  process.exit(command ? 0 : 2);
}

const options = {
  name: { type: "string" },
  "admin-email": { type: "string" },
  "admin-name": { type: "string" },
  "time-zone": { type: "string" },
  locale: { type: "string" },
  email: { type: "string" },
  ttl: { type: "string", default: "12h" },
  help: { type: "boolean" },
} as const;

let values: ReturnType<typeof parseArgs<{ options: typeof options }>>["values"];
try {
  ({ values } = parseArgs({ args: rest, options, strict: true }));
} catch (error) {
  console.error(`${(error as Error).message}\n\n${HELP}`);
  process.exit(2);
}
if (values.help) {
  console.log(HELP);
  process.exit(0);
}
if (command !== "create-organization" && command !== "create-super-admin") {
  console.error(`unknown command "${command}"\n\n${HELP}`);
  process.exit(2);
}
if (command === "create-organization" && (!values.name || !values["admin-email"])) {
  console.error(`create-organization needs --name and --admin-email\n\n${HELP}`);
  process.exit(2);
}
if (command === "create-super-admin" && !values.email) {
  console.error(`create-super-admin needs --email\n\n${HELP}`);
  process.exit(2);
}

const config = loadConfig();
const database = await openDatabase(config, (msg) => console.error(msg));
let code = 0;
try {
  await migrate(database.url);
  const prisma = createPrisma(database.url, 2);
  try {
    // As `npm run token`: a fresh development machine gets the demo data first, so a later `npm start` still has it.
    if (config.NODE_ENV !== "production") await seedDemoData(prisma);
    let user: { id: string; organizationId: string; role: "SUPER_ADMIN" | "ORG_ADMIN" | "AGENT" | "VIEWER"; email: string };
    if (command === "create-organization") {
      const result = await createOrganization(
        prisma,
        null,
        {
          name: values.name!,
          timeZone: values["time-zone"],
          locale: values.locale as "pt-BR" | "en" | undefined,
          admin: { email: values["admin-email"]!, name: values["admin-name"] },
        },
        { idempotent: true },
      );
      console.error(
        `${result.created ? "created" : "already there"}: organization "${result.organization.name}" (slug ${result.organization.slug}, id ${result.organization.id}), admin ${result.admin.email}`,
      );
      user = result.admin;
    } else {
      const result = await ensureSuperAdmin(prisma, { email: values.email!, name: values.name });
      console.error(`${result.created ? "created" : "already there"}: super admin ${result.user.email}`);
      user = result.user;
    }
    if (config.JWT_SECRET || !config.JWT_JWKS_URL) {
      console.error(`token for ${user.email} (${user.role}), valid ${values.ttl}:`);
      console.log(await signToken(config, user, values.ttl));
    } else {
      console.error("JWT_JWKS_URL is set without JWT_SECRET: sign in through your identity provider (no token printed)");
    }
  } finally {
    await prisma.$disconnect();
  }
} catch (error) {
  console.error(error instanceof DomainError ? `refused: ${error.message}` : `failed: ${(error as Error).message}`);
  code = 1;
} finally {
  await database.stop();
}
process.exit(code);
