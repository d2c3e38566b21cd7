// npm run token -- EMAIL [--ttl 1h]: prints a JWT for that user as the last line.
// Works beside a running `npm start` (it reuses the embedded cluster) or alone.
import { signToken } from "../src/auth/jwt.js";
import { loadConfigOrExit } from "../src/config/index.js";
import { createPrisma } from "../src/db/client.js";
import { openDatabase } from "../src/db/database.js";
import { assertDatabaseReachable } from "../src/db/reachable.js";
import { migrate } from "../src/db/migrate.js";
import { seedDemoData } from "../src/db/seed.js";

const args = process.argv.slice(2);
const email = args.find((a) => !a.startsWith("--") && args[args.indexOf(a) - 1] !== "--ttl");
const ttlIndex = args.indexOf("--ttl");
const ttl = ttlIndex >= 0 ? args[ttlIndex + 1] : "12h";
if (!email || !ttl) {
  console.error("usage: npm run token -- EMAIL [--ttl 1h]");
  process.exit(2);
}

const config = loadConfigOrExit();
if (config.DATABASE_URL) {
  await assertDatabaseReachable(config.DATABASE_URL).catch((error: Error) => {
    console.error(error.message);
    process.exit(1);
  });
}
const database = await openDatabase(config, (msg) => console.error(msg));
let code = 0;
try {
  // A fresh machine may run `token` before `start`: the database is then made ready the same way.
  await migrate(database.url);
  const prisma = createPrisma(database.url, 1);
  if (config.NODE_ENV !== "production") await seedDemoData(prisma);
  const user = await prisma.user.findUnique({ where: { email: email.toLowerCase() } });
  await prisma.$disconnect();
  if (!user) {
    console.error(`no user with email ${email}`);
    code = 1;
  } else {
    console.error(`token for ${user.email} (${user.role}), valid ${ttl}:`);
    console.log(await signToken(config, user, ttl));
  }
} finally {
  await database.stop();
}
process.exit(code);
