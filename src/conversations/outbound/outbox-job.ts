import { z } from "zod";
import { raiseSystemAlert } from "../../alerts/raise-system-alert.js";
import type { Config } from "../../config/index.js";
import { MessageDirection, MessageStatus } from "../../db/client.js";
import { defineJob, type JobAttempt } from "../../jobs/define.js";
import type { Runtime } from "../../runtime.js";
import { messageBody, outboundSchema } from "./content.js";
import { GraphApiError, postMessage } from "./graph-api.js";
import { isTransient, readableReason, TOKEN_EXPIRED } from "./meta-errors.js";
import { sendRateFor } from "./send-rate.js";
import { localeOf, localeStrings } from "../../text/locale.js";

const payload = z.object({ messageId: z.string().uuid() });
const QUEUE = "send-whatsapp-message";
const DEAD_QUEUE = `${QUEUE}-dead`;

/**
 * How long a job's claim on a message holds, and how long pg-boss lets the job run
 * before it counts its worker as dead: the send's own timeout twice (rate wait + the
 * post) plus a margin. A killed worker's claim and job expire together, so the retry
 * (pg-boss fails the expired job at its next supervise pass) can take the message.
 */
export function sendLeaseSeconds(config: Pick<Config, "WHATSAPP_SEND_TIMEOUT_SECONDS">): number {
  return Math.ceil(config.WHATSAPP_SEND_TIMEOUT_SECONDS) * 2 + 10;
}

/**
 * The outbox: one job per OUTBOUND message, enqueued in the transaction that wrote the
 * message. Transient failures retry with DELIVERY_RETRY_LIMIT / DELIVERY_RETRY_DELAY_SECONDS
 * (doubling); exhausted jobs land in the dead-letter queue, which marks the message FAILED —
 * so a message always ends SENT or FAILED, never stuck PENDING.
 */
export const sendMessageJob = defineJob({
  name: QUEUE,
  schema: payload,
  queue: (config) => ({
    retryLimit: config.DELIVERY_RETRY_LIMIT,
    retryDelay: Math.max(1, Math.round(config.DELIVERY_RETRY_DELAY_SECONDS)),
    retryBackoff: true,
    expireInSeconds: sendLeaseSeconds(config),
    deadLetter: DEAD_QUEUE,
  }),
  // Many messages in flight per worker: each one mostly waits on Meta (and on its number's rate).
  work: { pollingIntervalSeconds: 0.5, notifyPollingIntervalSeconds: 0.5, batchSize: 50, localConcurrency: 2 },
  handler: (data, runtime, attempt) => sendOutboundMessage(runtime, data.messageId, attempt),
});

export const deadSendMessageJob = defineJob({
  name: DEAD_QUEUE,
  schema: payload,
  work: { pollingIntervalSeconds: 1 },
  handler: (data, runtime) => failAfterRetries(runtime, data.messageId),
});

/**
 * Sends one OUTBOUND message to Meta and records the outcome on its row. Safe to run
 * twice: a message that is no longer PENDING is left alone, and the send needs a claim
 * (sendClaimedAt) only one job holds at a time, so a duplicate job never posts it
 * again. A job that finds the message claimed comes back when the claim would expire
 * (the claimant may have died). Accepted → SENT with Meta's wamid; permanent error →
 * FAILED with the code and a readable reason (190 also raises an alert for the
 * organization's admins); transient → the reason is shown and the job throws to retry.
 */
export async function sendOutboundMessage(runtime: Runtime, messageId: string, _attempt?: JobAttempt): Promise<void> {
  const { prisma } = runtime;
  const message = await prisma.message.findUnique({
    where: { id: messageId },
    include: {
      conversation: { select: { contact: { select: { waId: true } } } },
      replyTo: { select: { externalId: true } },
      organization: { select: { locale: true } },
    },
  });
  if (!message || message.direction !== MessageDirection.OUTBOUND || message.status !== MessageStatus.PENDING) return;
  // Reasons and the alert are read by the organization's agents and admins: in its locale.
  const locale = localeOf(null, message.organization.locale);
  const words = localeStrings(locale).outbound;
  const log = runtime.log.child({ messageId, conversationId: message.conversationId, organizationId: message.organizationId });
  const leaseMs = sendLeaseSeconds(runtime.config) * 1000;

  const claimed = await prisma.message.updateMany({
    where: { id: messageId, status: MessageStatus.PENDING, OR: [{ sendClaimedAt: null }, { sendClaimedAt: { lt: new Date(Date.now() - leaseMs) } }] },
    data: { sendClaimedAt: new Date(), sendAttempts: { increment: 1 } },
  });
  if (claimed.count === 0) {
    const current = await prisma.message.findUnique({ where: { id: messageId }, select: { status: true, sendClaimedAt: true } });
    if (current?.status === MessageStatus.PENDING && current.sendClaimedAt) {
      await runtime.jobs.send(sendMessageJob, { messageId }, { startAfter: new Date(current.sendClaimedAt.getTime() + leaseMs + 1000) });
      log.info("message is being sent by another job: checking again when its claim expires");
    }
    return;
  }

  const outbound = outboundSchema.safeParse(message.outbound);
  const number = outbound.success
    ? await prisma.whatsAppNumber.findFirst({ where: { id: outbound.data.whatsAppNumberId, organizationId: message.organizationId } })
    : null;
  if (!outbound.success || !number || !message.conversation.contact.waId) {
    await settle(runtime, message, { status: MessageStatus.FAILED, error: !number ? words.errors.disconnected! : words.errors.unbuildable!, errorCode: null });
    return;
  }

  await sendRateFor(runtime).take(number.phoneNumberId);
  let wamid: string;
  try {
    wamid = await postMessage(
      runtime.config,
      number,
      messageBody({ to: message.conversation.contact.waId, text: message.text, outbound: outbound.data, replyToWamid: message.replyTo?.externalId ?? null }),
    );
  } catch (error) {
    if (!(error instanceof GraphApiError) || isTransient(error)) {
      const reason = error instanceof GraphApiError ? readableReason(error, locale) : (error as Error).message;
      // Shown while it waits; the claim is given back so the retry can take it at once.
      await prisma.message.updateMany({
        where: { id: messageId, status: MessageStatus.PENDING },
        data: { sendClaimedAt: null, error: `${words.errors.retrying}: ${reason}`.slice(0, 500), errorCode: error instanceof GraphApiError ? (error.code ?? null) : null },
      });
      log.warn({ reason }, "outbound message not sent yet, will retry");
      throw new Error(reason);
    }
    const reason = readableReason(error, locale);
    await settle(runtime, message, { status: MessageStatus.FAILED, error: reason, errorCode: error.code ?? null });
    log.warn({ reason, code: error.code }, "outbound message failed");
    if (error.code === TOKEN_EXPIRED) {
      await raiseSystemAlert(runtime, {
        organizationId: message.organizationId,
        title: words.tokenExpiredAlert.title.replace("{{number}}", number.displayPhoneNumber),
        description: words.tokenExpiredAlert.description.replaceAll("{{number}}", number.displayPhoneNumber),
        severity: "HIGH",
        category: "whatsapp",
        dedupeKey: `whatsapp-token-expired:${number.phoneNumberId}`,
      }).catch((alertError: unknown) => log.error({ err: (alertError as Error).message }, "could not raise the token-expired alert"));
    }
    return;
  }
  await settle(runtime, message, { status: MessageStatus.SENT, externalId: wamid, sentAt: new Date(), error: null, errorCode: null });
  log.info({ attempts: message.sendAttempts + 1 }, "outbound message sent");
}

async function settle(
  runtime: Runtime,
  message: { id: string; organizationId: string; conversationId: string },
  data: { status: MessageStatus; error: string | null; errorCode: number | null; externalId?: string; sentAt?: Date },
): Promise<void> {
  const { count } = await runtime.prisma.message.updateMany({ where: { id: message.id, status: MessageStatus.PENDING }, data: { ...data, sendClaimedAt: null } });
  if (count === 1) await runtime.pubsub.publish("messageUpdated", message.organizationId, { messageId: message.id, conversationId: message.conversationId });
}

/** Retries ran out (the dead-letter queue's handler): FAILED, keeping the last reason. */
export async function failAfterRetries(runtime: Runtime, messageId: string): Promise<void> {
  const message = await runtime.prisma.message.findUnique({ where: { id: messageId }, include: { organization: { select: { locale: true } } } });
  if (!message || message.status !== MessageStatus.PENDING) return;
  const words = localeStrings(localeOf(null, message.organization.locale)).outbound.errors;
  const last = message.error?.replace(`${words.retrying}: `, "") ?? "Graph API";
  await settle(runtime, message, { status: MessageStatus.FAILED, error: `${words.retriesExhausted}: ${last}`.slice(0, 500), errorCode: message.errorCode });
  runtime.log.warn({ messageId, conversationId: message.conversationId }, "outbound message failed after its retries");
}
