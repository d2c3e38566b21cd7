import { readFileSync } from "node:fs";
import { join } from "node:path";
import { signatureFor } from "../../src/webhooks/meta/signature.js";
import { sampleChange, sampleMessage, sampleWebhook, type SampleMessageOptions } from "../fixtures/meta/sample-payload.js";

export { sampleChange, sampleMessage, sampleStatus, sampleWamid, sampleWebhook } from "../fixtures/meta/sample-payload.js";

/** The app secret and verify token startTestServer configures. */
export const TEST_META_APP_SECRET = "test-app-secret";
export const TEST_META_VERIFY_TOKEN = "test-verify-token";
/** The seeded business numbers: demo's and acme's. */
export const DEMO_PHONE_NUMBER_ID = "100000000000001";
export const ACME_PHONE_NUMBER_ID = "100000000000002";

export interface PostWebhookOptions {
  /** Sign with another secret; `null` sends no signature header at all. */
  secret?: string | null;
  /** Send this header value verbatim instead of a computed signature. */
  signature?: string;
}

/** POSTs `body` (an object is JSON-encoded) to /webhooks/meta, signed like Meta signs it. */
export async function postWebhook(baseUrl: string, body: unknown, options: PostWebhookOptions = {}): Promise<Response> {
  const raw = typeof body === "string" || Buffer.isBuffer(body) ? body : JSON.stringify(body);
  const headers: Record<string, string> = { "content-type": "application/json" };
  const secret = options.secret === undefined ? TEST_META_APP_SECRET : options.secret;
  if (options.signature !== undefined) headers["x-hub-signature-256"] = options.signature;
  else if (secret !== null) headers["x-hub-signature-256"] = signatureFor(raw, secret);
  return fetch(`${baseUrl}/webhooks/meta`, { method: "POST", headers, body: typeof raw === "string" ? raw : new Uint8Array(raw) });
}

/** A webhook with one inbound message to a number (demo's by default). */
export function inboundWebhook(message: SampleMessageOptions & { name?: string } = {}, phoneNumberId = DEMO_PHONE_NUMBER_ID) {
  const built = sampleMessage(message);
  return {
    message: built as { id: string; from: string },
    body: sampleWebhook([sampleChange({ phoneNumberId, messages: [built], names: message.name ? { [String(built.from)]: message.name } : {} })]),
  };
}

/** A fixture from test/fixtures/meta (written from Meta's documented payloads), as a fresh copy. */
export function metaFixture<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(readFileSync(join(import.meta.dirname, "..", "fixtures", "meta", `${name}.json`), "utf8")) as T;
}
