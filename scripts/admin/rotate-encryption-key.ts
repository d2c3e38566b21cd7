// rotate-encryption-key: re-encrypts every stored secret (WhatsApp access tokens, Slack
// webhook URLs) under the current AVISO_ENCRYPTION_KEY, reading older values with the
// keys in AVISO_ENCRYPTION_KEYS_PREVIOUS. Run it after deploying a new key (processes
// also re-encrypt at start-up); once it reports 0 left, drop the previous keys.
//   tsx scripts/admin/rotate-encryption-key.ts          (or: npm run admin -- rotate-encryption-key)
//   tsx scripts/admin/rotate-encryption-key.ts --new-key   prints 32 fresh random bytes (base64) and exits
import { randomBytes } from "node:crypto";
import { loadConfig } from "../../src/config/index.js";
import { createPrisma } from "../../src/db/client.js";
import { openDatabase } from "../../src/db/database.js";
import { migrate } from "../../src/db/migrate.js";
import { keyringFor } from "../../src/secrets/encryption.js";
import { reencryptSecrets } from "../../src/secrets/reencrypt.js";

/** Exit status: 0 done, 1 failed (e.g. a value under a key not given). */
export async function rotateEncryptionKey(args: string[]): Promise<number> {
  if (args.includes("--new-key")) {
    console.log(randomBytes(32).toString("base64"));
    return 0;
  }
  const config = loadConfig();
  const database = await openDatabase(config, (msg) => console.error(msg));
  try {
    await migrate(database.url);
    const prisma = createPrisma(database.url, 1);
    try {
      const keyring = keyringFor(config);
      const count = await reencryptSecrets(prisma, keyring);
      console.log(`re-encrypted ${count} secret(s) under key ${keyring.currentId}`);
      return 0;
    } finally {
      await prisma.$disconnect();
    }
  } catch (error) {
    console.error(`rotate-encryption-key failed: ${(error as Error).message}`);
    return 1;
  } finally {
    await database.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) process.exit(await rotateEncryptionKey(process.argv.slice(2)));
