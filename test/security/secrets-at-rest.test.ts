import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { createKeyring, resolveEncryptionKey } from "../../src/secrets/encryption.js";
import { createNotificationWithDelivery, enqueue, waitForStatus } from "../delivery/fixtures.js";
import { startGraphApi } from "../helpers/graph-api.js";
import type { HttpFake } from "../helpers/http-fake.js";
import { createTestDatabase, type TestDatabase } from "../helpers/db.js";
import { startTestServer } from "../helpers/server.js";

// Issue 18: WhatsApp access tokens and Slack webhook URLs were stored in plain text.

const KEY_A = Buffer.alloc(32, 11).toString("base64");
const KEY_B = Buffer.alloc(32, 22).toString("base64");

describe("the keyring (AES-256-GCM)", () => {
  const a = createKeyring(KEY_A);
  it("stores the key id with each value, uses a fresh IV each time, and reads values back", () => {
    const one = a.encrypt("EAAG-token");
    const two = a.encrypt("EAAG-token");
    expect(one).not.toBe(two);
    expect(one.startsWith(`enc:v1:${a.currentId}:`)).toBe(true);
    expect(a.decrypt(one)).toBe("EAAG-token");
  });

  it("refuses a tampered value and a value under a key it was not given", () => {
    const value = a.encrypt("EAAG-token");
    const parts = value.split(":");
    const ct = Buffer.from(parts[5]!, "base64url");
    ct[0] = ct[0]! ^ 1;
    parts[5] = ct.toString("base64url");
    expect(() => a.decrypt(parts.join(":"))).toThrow();
    expect(() => createKeyring(KEY_B).decrypt(value)).toThrow(/unknown key/);
    expect(createKeyring(KEY_B, [KEY_A]).decrypt(value)).toBe("EAAG-token");
  });

  it("outside production generates a key once into .aviso/ (0600) and reuses it; production without one refuses", () => {
    const home = mkdtempSync(join(tmpdir(), "aviso-key-"));
    const first = resolveEncryptionKey({ AVISO_ENCRYPTION_KEY: undefined, AVISO_ENCRYPTION_KEYS_PREVIOUS: undefined, NODE_ENV: "development", AVISO_HOME: home });
    expect(Buffer.from(first, "base64")).toHaveLength(32);
    expect(statSync(join(home, "encryption-key")).mode & 0o777).toBe(0o600);
    expect(resolveEncryptionKey({ AVISO_ENCRYPTION_KEY: undefined, AVISO_ENCRYPTION_KEYS_PREVIOUS: undefined, NODE_ENV: "development", AVISO_HOME: home })).toBe(first);
    expect(() => resolveEncryptionKey({ AVISO_ENCRYPTION_KEY: undefined, AVISO_ENCRYPTION_KEYS_PREVIOUS: undefined, NODE_ENV: "production", AVISO_HOME: home })).toThrow(/AVISO_ENCRYPTION_KEY/);
  });

  it("refuses a key that is not 32 bytes", () => {
    expect(() => createKeyring(Buffer.alloc(16).toString("base64"))).toThrow(/AVISO_ENCRYPTION_KEY/);
  });
});

describe("existing rows and rotation", () => {
  let database: TestDatabase;
  let graph: HttpFake;
  beforeAll(async () => {
    database = await createTestDatabase();
    graph = await startGraphApi();
  });
  afterAll(async () => {
    await graph?.close();
    await database?.drop();
  });

  it("encrypts plaintext rows at start-up; the WhatsApp channel still sends with the token", async () => {
    const server = await startTestServer({ database, env: { AVISO_ENCRYPTION_KEY: KEY_A, WHATSAPP_API_URL: graph.url } });
    try {
      const { prisma } = server.app.runtime;
      // The seeded template holds plaintext tokens, as a database from before this change does.
      const numbers = await prisma.whatsAppNumber.findMany();
      expect(numbers.length).toBeGreaterThan(0);
      for (const n of numbers) expect(n.accessToken).toMatch(/^enc:v1:/);
      expect(JSON.stringify(numbers)).not.toContain("demo-access-token");
      const { delivery } = await createNotificationWithDelivery(prisma, { userEmail: "agent@demo.test", channel: "WHATSAPP", title: "t", body: "b" });
      await enqueue(server, "WHATSAPP", delivery.id);
      await waitForStatus(server, delivery.id, ["SENT"]);
      expect(graph.requests.at(-1)?.headers.authorization).toBe("Bearer demo-access-token");
      // The schema has no way to read them back.
      const printed = (await import("../../src/schema/index.js")).printedSchema();
      expect(printed).not.toMatch(/type WhatsAppNumber[^}]*accessToken/);
      expect(printed).not.toMatch(/type Organization[^}]*slackWebhookUrl/);
    } finally {
      await server.stop();
    }
  });

  it("npm run rotate-encryption-key re-encrypts every secret under the new key, reading old ones with the previous key", async () => {
    const root = join(import.meta.dirname, "..", "..");
    const env = { ...process.env, NODE_ENV: "test", DATABASE_URL: database.url, AVISO_ENCRYPTION_KEY: KEY_B, AVISO_ENCRYPTION_KEYS_PREVIOUS: KEY_A, LOG_LEVEL: "silent" };
    const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", "scripts/admin/rotate-encryption-key.ts"], { cwd: root, env });
    const b = createKeyring(KEY_B);
    expect(stdout).toMatch(new RegExp(`re-encrypted \\d+ secret\\(s\\) under key ${b.currentId}`));
    const server = await startTestServer({ database, env: { AVISO_ENCRYPTION_KEY: KEY_B } });
    try {
      const numbers = await server.app.runtime.prisma.whatsAppNumber.findMany();
      for (const n of numbers) {
        expect(b.isCurrent(n.accessToken)).toBe(true);
        expect(b.decrypt(n.accessToken)).toMatch(/-access-token$/);
      }
    } finally {
      await server.stop();
    }
    // Without the previous key, a value under it cannot be read: the command says so and fails.
    const failing = await promisify(execFile)(process.execPath, ["--import", "tsx", "scripts/admin/rotate-encryption-key.ts"], {
      cwd: root,
      env: { ...env, AVISO_ENCRYPTION_KEY: KEY_A, AVISO_ENCRYPTION_KEYS_PREVIOUS: "" },
    }).catch((error: { code: number; stderr: string }) => error);
    expect((failing as { code: number }).code).toBe(1);
    expect((failing as { stderr: string }).stderr).toMatch(/unknown key/);
  }, 60_000);
});
