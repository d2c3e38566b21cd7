import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import webpush from "web-push";
import type { Config } from "../config/index.js";

export interface VapidKeys {
  /** Uncompressed P-256 public key, base64url: what a browser passes as `applicationServerKey`. */
  publicKey: string;
  privateKey: string;
  /** mailto: or https: — who push services contact about our traffic. */
  subject: string;
}

const DEFAULT_SUBJECT = "mailto:notificacoes@aviso.local";
const resolved = new WeakMap<object, VapidKeys | null>();

/**
 * The VAPID key pair from `VAPID_PUBLIC_KEY` / `VAPID_PRIVATE_KEY` / `VAPID_SUBJECT`.
 * Outside production, when unset, a pair is generated once into `AVISO_HOME/vapid.json`
 * so subscriptions survive restarts (a browser subscription is bound to the public key).
 * In production without keys web push is off: null.
 */
export function vapidKeys(config: Pick<Config, "VAPID_PUBLIC_KEY" | "VAPID_PRIVATE_KEY" | "VAPID_SUBJECT" | "NODE_ENV" | "AVISO_HOME">): VapidKeys | null {
  if (resolved.has(config)) return resolved.get(config)!;
  const keys = readVapidKeys(config);
  resolved.set(config, keys);
  return keys;
}

function readVapidKeys(config: Pick<Config, "VAPID_PUBLIC_KEY" | "VAPID_PRIVATE_KEY" | "VAPID_SUBJECT" | "NODE_ENV" | "AVISO_HOME">): VapidKeys | null {
  const subject = config.VAPID_SUBJECT ?? DEFAULT_SUBJECT;
  if (config.VAPID_PUBLIC_KEY && config.VAPID_PRIVATE_KEY) return { publicKey: config.VAPID_PUBLIC_KEY, privateKey: config.VAPID_PRIVATE_KEY, subject };
  if (config.NODE_ENV === "production") return null;
  const file = join(config.AVISO_HOME, "vapid.json");
  if (!existsSync(file)) {
    mkdirSync(config.AVISO_HOME, { recursive: true });
    try {
      writeFileSync(file, JSON.stringify(webpush.generateVAPIDKeys()), { mode: 0o600, flag: "wx" });
    } catch (error) {
      // Another process of this installation wrote it first: use theirs.
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
  }
  const stored = JSON.parse(readFileSync(file, "utf8")) as { publicKey: string; privateKey: string };
  return { publicKey: stored.publicKey, privateKey: stored.privateKey, subject };
}
