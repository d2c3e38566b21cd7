import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Config } from "../config/index.js";

/**
 * Secrets Aviso must read back (WhatsApp access tokens, Slack webhook URLs) are stored
 * encrypted with AES-256-GCM: `enc:v1:<keyId>:<iv>:<tag>:<ciphertext>` (base64url).
 * The key id (first 8 hex digits of the key's SHA-256) says which key wrote a value,
 * so a rotation can re-encrypt values while older ones stay readable under
 * AVISO_ENCRYPTION_KEYS_PREVIOUS. A value without the prefix is a row written before
 * encryption: read as is, and encrypted by `encryptLegacySecrets` at start-up.
 */
export interface Keyring {
  /** Id of the key new values are written with. */
  readonly currentId: string;
  encrypt(plain: string): string;
  /** Plaintext of a stored value (legacy plaintext passes through); throws for an unknown key. */
  decrypt(stored: string): string;
  /** True when the value is already encrypted under the current key. */
  isCurrent(stored: string): boolean;
  /** HMAC-SHA256 of `text` under a key derived from the current one for `purpose` (e.g. verification codes). */
  mac(purpose: string, text: string): Buffer;
}

const PREFIX = "enc:v1:";
type KeyConfig = Pick<Config, "AVISO_ENCRYPTION_KEY" | "AVISO_ENCRYPTION_KEYS_PREVIOUS" | "NODE_ENV" | "AVISO_HOME">;

const keyIdOf = (key: Buffer) => createHash("sha256").update(key).digest("hex").slice(0, 8);

function parseKey(b64: string, variable: string): Buffer {
  const key = Buffer.from(b64.trim(), "base64");
  if (key.length !== 32) throw new Error(`${variable}: must be 32 random bytes, base64-encoded (got ${key.length} bytes)`);
  return key;
}

/**
 * The current key: AVISO_ENCRYPTION_KEY, or — outside production only — one generated
 * once into `.aviso/encryption-key`. Production without the variable refuses to start.
 */
export function resolveEncryptionKey(config: KeyConfig): string {
  if (config.AVISO_ENCRYPTION_KEY) return config.AVISO_ENCRYPTION_KEY;
  if (config.NODE_ENV === "production") throw new Error("AVISO_ENCRYPTION_KEY: required in production (32 random bytes, base64)");
  const file = join(config.AVISO_HOME, "encryption-key");
  if (!existsSync(file)) {
    mkdirSync(config.AVISO_HOME, { recursive: true });
    try {
      writeFileSync(file, randomBytes(32).toString("base64"), { mode: 0o600, flag: "wx" });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
  }
  return readFileSync(file, "utf8").trim();
}

export function createKeyring(current: string, previous: string[] = []): Keyring {
  const currentKey = parseKey(current, "AVISO_ENCRYPTION_KEY");
  const currentId = keyIdOf(currentKey);
  const keys = new Map<string, Buffer>([[currentId, currentKey]]);
  for (const p of previous) {
    const key = parseKey(p, "AVISO_ENCRYPTION_KEYS_PREVIOUS");
    keys.set(keyIdOf(key), key);
  }
  return {
    currentId,
    encrypt(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", currentKey, iv);
      const ciphertext = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
      return `${PREFIX}${currentId}:${iv.toString("base64url")}:${cipher.getAuthTag().toString("base64url")}:${ciphertext.toString("base64url")}`;
    },
    decrypt(stored) {
      if (!stored.startsWith(PREFIX)) return stored;
      const [keyId, iv, tag, ciphertext] = stored.slice(PREFIX.length).split(":");
      const key = keys.get(keyId ?? "");
      if (!key || !iv || !tag || ciphertext === undefined) throw new Error(`secret encrypted under unknown key ${keyId ?? "?"}: set it in AVISO_ENCRYPTION_KEYS_PREVIOUS`);
      const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
      decipher.setAuthTag(Buffer.from(tag, "base64url"));
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, "base64url")), decipher.final()]).toString("utf8");
    },
    isCurrent: (stored) => stored.startsWith(`${PREFIX}${currentId}:`),
    mac: (purpose, text) => createHmac("sha256", createHmac("sha256", currentKey).update(`aviso:${purpose}`).digest()).update(text).digest(),
  };
}

const keyrings = new WeakMap<object, Keyring>();

/** The process's keyring for this configuration (built once). */
export function keyringFor(config: KeyConfig): Keyring {
  let keyring = keyrings.get(config);
  if (!keyring) {
    const previous = (config.AVISO_ENCRYPTION_KEYS_PREVIOUS ?? "").split(",").map((k) => k.trim()).filter(Boolean);
    keyring = createKeyring(resolveEncryptionKey(config), previous);
    keyrings.set(config, keyring);
  }
  return keyring;
}
