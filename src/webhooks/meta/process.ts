import { WebhookEventStatus, type Prisma } from "../../db/client.js";
import { recordInboundMessage } from "../../conversations/record-inbound.js";
import { maskPhone } from "../../observability/log.js";
import { notify, type NotifyResult } from "../../notifications/engine.js";
import type { Runtime } from "../../runtime.js";
import { noteAgentInbound, notificationNumberOwners, ownerOfNumber } from "./anti-loop.js";
import { messageTypeOf, readableText } from "./message-content.js";
import { messagesChanges, type MessagesValue, type WebhookEnvelope } from "./payload.js";
import { routeOfNumber, type NumberRoute } from "./number-routing.js";
import { senderOf } from "./sender.js";
import { applyStatusUpdate } from "./statuses.js";
import { withTransactionRetry } from "./transaction-retry.js";

export interface WebhookEventToApply {
  id: string;
  payload: WebhookEnvelope;
  receivedAt: Date;
  /**
   * The raw body of an event not stored yet (the inline path): it is inserted, with its
   * outcome, by the same commit that applies it. Absent when a job reprocesses a stored event.
   */
  unstoredPayload?: Prisma.InputJsonValue;
}

export interface ProcessOutcome {
  status: typeof WebhookEventStatus.PROCESSED | typeof WebhookEventStatus.IGNORED;
  messagesStored: number;
  duplicates: number;
  agentMessages: number;
  statusesApplied: number;
}

interface Effects {
  outcome: ProcessOutcome;
  /** `fromAgentNumber`: stored and published, but no NEW_MESSAGE notification (anti-loop). */
  newMessages: Array<{ organizationId: string; conversationId: string; messageId: string; fromAgentNumber?: boolean }>;
  notifications: NotifyResult[];
}

/**
 * Applies one webhook: every change, routed by phone_number_id to its organization,
 * in ONE transaction that also records the event with its outcome — so a crash
 * leaves nothing half-applied, and a retry (or Meta's redelivery) changes nothing
 * twice. After commit, tells subscribers and the notification engine's recipients;
 * that part never throws (clients catch up with `after`).
 */
export async function processWebhookEvent(runtime: Runtime, event: WebhookEventToApply): Promise<ProcessOutcome> {
  const log = runtime.log.child({ webhookEventId: event.id });
  // Routes are read before the transaction: a query on another pooled connection from
  // inside it could wait for a connection that only transactions like it hold.
  const routes = new Map<string, NumberRoute | undefined>();
  for (const change of messagesChanges(event.payload)) {
    const id = change.metadata.phone_number_id;
    if (!routes.has(id)) routes.set(id, await routeOfNumber(runtime.prisma, id));
  }
  const effects = await withTransactionRetry(runtime.prisma, async (tx) => {
    const effects: Effects = {
      outcome: { status: WebhookEventStatus.IGNORED, messagesStored: 0, duplicates: 0, agentMessages: 0, statusesApplied: 0 },
      newMessages: [],
      notifications: [],
    };
    let organizationId: string | undefined;
    const changes = messagesChanges(event.payload);
    for (const change of changes) {
      const routed = await applyChange(runtime, tx, change, routes.get(change.metadata.phone_number_id), effects, log);
      organizationId ??= routed;
    }
    // Notified once every message is recorded: the engine's locks (email limits) are then
    // always taken last, after the contact and conversation-number rows, so two bodies
    // can never hold them in opposite orders and deadlock.
    for (const { fromAgentNumber, ...message } of effects.newMessages) {
      if (fromAgentNumber) continue;
      effects.notifications.push(await notify(runtime, { type: "NEW_MESSAGE", ...message, receivedAt: event.receivedAt }, { tx }));
    }
    if (organizationId) effects.outcome.status = WebhookEventStatus.PROCESSED;
    const outcome = {
      status: effects.outcome.status,
      organizationId: organizationId ?? null,
      phoneNumberId: changes[0]?.metadata.phone_number_id ?? null,
      processedAt: new Date(),
      error: null,
    };
    if (event.unstoredPayload === undefined) {
      await tx.webhookEvent.update({ where: { id: event.id }, data: { ...outcome, attempts: { increment: 1 } } });
    } else {
      await tx.webhookEvent.create({ data: { id: event.id, payload: event.unstoredPayload, receivedAt: event.receivedAt, attempts: 1, ...outcome } });
    }
    return effects;
  });

  await announce(runtime, effects, log).catch((error: unknown) => log.warn({ err: (error as Error).message }, "realtime publish failed"));
  log.info({ ...effects.outcome }, "webhook processed");
  return effects.outcome;
}

/** After commit: the recipients' notifications, then each new message and its conversation. */
async function announce(runtime: Runtime, effects: Effects, log: Runtime["log"]): Promise<void> {
  for (const result of effects.notifications) {
    await result.publish().catch((error: unknown) => log.warn({ err: (error as Error).message }, "notification publish failed"));
  }
  const conversations = new Map<string, string>();
  for (const message of effects.newMessages) {
    await runtime.pubsub.publish("messageAdded", message.organizationId, { messageId: message.messageId, conversationId: message.conversationId });
    conversations.set(message.conversationId, message.organizationId);
  }
  for (const [conversationId, organizationId] of conversations) {
    await runtime.pubsub.publish("conversationUpdated", organizationId, { conversationId });
  }
}

/** One `messages` change; returns the organization it belongs to, or undefined for an unknown number. */
async function applyChange(
  runtime: Runtime,
  tx: Prisma.TransactionClient,
  change: MessagesValue,
  number: NumberRoute | undefined,
  effects: Effects,
  log: Runtime["log"],
): Promise<string | undefined> {
  const phoneNumberId = change.metadata.phone_number_id;
  if (!number) {
    // Kept in WebhookEvent for inspection; no organization is touched.
    log.warn({ phoneNumberId }, "webhook for a phone number no organization connected: ignored");
    return undefined;
  }
  const { organizationId } = number;
  if (change.errors?.length) log.warn({ organizationId, codes: change.errors.map((e) => e.code) }, "webhook change carries errors from Meta");

  const owners = change.messages?.length ? await notificationNumberOwners(tx, organizationId) : [];
  for (const message of change.messages ?? []) {
    const sender = senderOf(message, change.contacts);
    const sentAt = new Date(message.timestamp * 1000);
    if (!sender.waId && !sender.bsuid) {
      log.warn({ organizationId, wamid: message.id }, "inbound message without wa_id or user_id: skipped");
      continue;
    }
    // Anti-loop: a message from an agent's VERIFIED notification number is still stored
    // (a customer's message is never dropped, even if someone claimed their number), but
    // raises no notification, so notifications cannot loop.
    const agent = ownerOfNumber(owners, sender.waId);
    if (agent) {
      effects.outcome.agentMessages += 1;
      await noteAgentInbound(tx, agent.id, sentAt);
      log.info({ organizationId, userId: agent.id, from: maskPhone(sender.waId) }, "message from an agent's notification number: stored without notification");
    }
    const outcome = await recordInboundMessage(tx, {
      organizationId,
      queueId: number.defaultQueueId,
      sender,
      message: {
        externalId: message.id,
        type: messageTypeOf(message),
        text: readableText(message),
        payload: message as Prisma.InputJsonValue,
        ...(message.errors?.length ? { errors: message.errors as Prisma.InputJsonValue } : {}),
        sentAt,
      },
    });
    if (!outcome.stored) {
      effects.outcome.duplicates += 1;
      continue;
    }
    effects.outcome.messagesStored += 1;
    log.info({ organizationId, conversationId: outcome.conversationId, messageId: outcome.messageId, from: maskPhone(sender.waId) }, "inbound message stored");
    effects.newMessages.push({ organizationId, conversationId: outcome.conversationId, messageId: outcome.messageId, ...(agent ? { fromAgentNumber: true } : {}) });
  }
  for (const status of change.statuses ?? []) {
    const applied = await applyStatusUpdate(tx, organizationId, status);
    effects.outcome.statusesApplied += applied.messagesUpdated + applied.deliveriesUpdated;
  }
  return organizationId;
}
