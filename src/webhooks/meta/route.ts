import type { IncomingMessage, ServerResponse } from "node:http";
import { v7 as uuidv7 } from "uuid";
import type { Prisma } from "../../db/client.js";
import { processState } from "../../process-state.js";
import type { Runtime } from "../../runtime.js";
import { sendJson, sendText } from "../../http-response.js";
import { MAX_WEBHOOK_BYTES, readRawBody } from "./body.js";
import { reprocessWebhookEventJob } from "./jobs.js";
import { webhookEnvelopeSchema } from "./payload.js";
import { processWebhookEvent } from "./process.js";
import { resolveMetaAppSecret } from "./secret.js";
import { isSignedBy, isVerifyToken } from "./signature.js";

/** `/webhooks/meta`: Meta's verification handshake (GET) and its event deliveries (POST). */
export async function metaWebhookRoute(req: IncomingMessage, res: ServerResponse, runtime: Runtime): Promise<void> {
  if (req.method === "GET") return verifySubscription(req, res, runtime);
  if (req.method === "POST") return receiveEvent(req, res, runtime);
  res.setHeader("allow", "GET, POST");
  sendJson(res, 405, { error: "method not allowed" });
}

/** Meta calls GET with hub.mode=subscribe and our verify token when the webhook is configured. */
function verifySubscription(req: IncomingMessage, res: ServerResponse, runtime: Runtime): void {
  const query = new URL(req.url ?? "/", "http://localhost").searchParams;
  const expected = runtime.config.META_VERIFY_TOKEN;
  const challenge = query.get("hub.challenge");
  if (query.get("hub.mode") === "subscribe" && expected && isVerifyToken(query.get("hub.verify_token"), expected) && challenge !== null) {
    return sendText(res, 200, challenge);
  }
  runtime.log.warn("webhook verification refused");
  sendText(res, 403, "forbidden");
}

/**
 * Accepts one delivery: size cap, signature, JSON, shape — then stores and applies it
 * in ONE commit (the raw event with its outcome), so agents hear of a message within
 * milliseconds and nothing answered 200 is ever lost. If applying it fails, the raw
 * event is stored on its own and a retrying job takes over. Only when it cannot be
 * stored at all is the answer 503, which makes Meta deliver it again.
 */
async function receiveEvent(req: IncomingMessage, res: ServerResponse, runtime: Runtime): Promise<void> {
  const { log, metrics } = runtime;
  const refuse = (status: number, outcome: string, error: string) => {
    metrics.webhooks.inc({ outcome });
    // The rest of a refused body is not read: close the connection instead.
    if (status === 413 || status === 408) res.setHeader("connection", "close");
    sendJson(res, status, { error });
  };

  const secret = secretFor(runtime);
  if (!secret) {
    log.error("META_APP_SECRET is not set: webhook refused");
    return refuse(401, "unsigned", "webhook signature cannot be verified");
  }
  const signature = req.headers["x-hub-signature-256"];
  if (typeof signature !== "string") return refuse(401, "unsigned", "missing X-Hub-Signature-256");

  const body = await readRawBody(req, MAX_WEBHOOK_BYTES, runtime.config.WEBHOOK_BODY_TIMEOUT_SECONDS * 1000);
  if (!body.ok && body.reason === "too-slow") {
    log.warn("webhook body too slow: cut off");
    return refuse(408, "too_slow", "request body not received in time");
  }
  if (!body.ok) return refuse(413, "too_large", "payload too large");
  if (!isSignedBy(body.bytes, signature, secret)) {
    log.warn("webhook with a wrong signature refused");
    return refuse(401, "bad_signature", "invalid signature");
  }

  let json: unknown;
  try {
    json = JSON.parse(body.bytes.toString("utf8"));
  } catch {
    return refuse(400, "malformed", "body is not JSON");
  }
  const envelope = webhookEnvelopeSchema.safeParse(json);
  if (!envelope.success) return refuse(400, "malformed", "not a WhatsApp Business Account webhook");

  const event = { id: uuidv7(), payload: envelope.data, receivedAt: new Date() };
  const raw = json as Prisma.InputJsonValue;
  try {
    const outcome = await processWebhookEvent(runtime, { ...event, unstoredPayload: raw });
    metrics.webhooks.inc({ outcome: outcome.status.toLowerCase() });
    return sendJson(res, 200, { received: true });
  } catch (error) {
    log.warn({ err: (error as Error).message, webhookEventId: event.id }, "inline webhook processing failed: deferred to a job");
    if (!(await storeForRetry(runtime, event.id, raw, event.receivedAt, error))) {
      return refuse(503, "store_failed", "temporarily unavailable");
    }
    metrics.webhooks.inc({ outcome: "deferred" });
    sendJson(res, 200, { received: true });
  }
}

/**
 * Stores the raw event RECEIVED, with the error that kept it from being applied, and
 * its reprocess job in the same commit: a 200 always means applied or queued. True
 * when stored — also when the failed attempt had in fact committed (its id is then
 * taken; the job finds it processed) — false when the database cannot take it.
 */
async function storeForRetry(runtime: Runtime, id: string, payload: Prisma.InputJsonValue, receivedAt: Date, cause: unknown): Promise<boolean> {
  try {
    const error = String((cause as Error)?.message ?? cause).slice(0, 1000);
    await runtime.prisma.$transaction(async (tx) => {
      await tx.webhookEvent.createMany({ data: [{ id, payload, receivedAt, attempts: 1, error }], skipDuplicates: true });
      await runtime.jobs.send(reprocessWebhookEventJob, { webhookEventId: id }, { tx, singletonKey: id });
    });
    return true;
  } catch (error) {
    runtime.log.error({ err: (error as Error).message, webhookEventId: id }, "webhook could not be stored: asking Meta to retry");
    return false;
  }
}

// Resolved once per runtime (it may read .aviso/meta-app-secret).
const appSecret = processState("meta-app-secret", (): { resolved?: { secret: string | undefined } } => ({}));
function secretFor(runtime: Runtime): string | undefined {
  const holder = runtime.state.get(appSecret);
  return (holder.resolved ??= { secret: resolveMetaAppSecret(runtime.config) }).secret;
}
