import { WebhookEventStatus, type Prisma } from "../../db/client.js";
import { receiveInbound, type InboundChange } from "../../conversations/receive-inbound.js";
import { applyProviderStatus } from "../../delivery/provider-status.js";
import { inUnitOfWork } from "../../db/unit-of-work.js";
import { holdWebhookEvent, suspendedAmong } from "../../organizations/held-webhooks.js";
import type { Runtime } from "../../runtime.js";
import { messagesChanges, type WebhookEnvelope } from "./payload.js";
import { routeOfNumber, type NumberRoute } from "./number-routing.js";
import { toInboundChange } from "./to-batch.js";

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
  status: typeof WebhookEventStatus.PROCESSED | typeof WebhookEventStatus.IGNORED | typeof WebhookEventStatus.HELD;
  messagesStored: number;
  duplicates: number;
  agentMessages: number;
  statusesApplied: number;
}

/**
 * Applies one webhook (already verified and parsed): routes each change by
 * phone_number_id to its organization, hands WhatsApp delivery reports to delivery and
 * the rest of the batch to conversations, and records the raw event with its outcome —
 * all in ONE transaction, so a crash leaves nothing half-applied and a retry (or Meta's
 * redelivery) changes nothing twice. The unit of work publishes what changed after the
 * commit; that part never throws (clients catch up with `after`).
 */
export async function processWebhookEvent(runtime: Runtime, event: WebhookEventToApply): Promise<ProcessOutcome> {
  const log = runtime.log.child({ webhookEventId: event.id });
  const changes = messagesChanges(event.payload);
  // Routes are read before the transaction: a query on another pooled connection from
  // inside it could wait for a connection that only transactions like it hold.
  const routes = new Map<string, NumberRoute | undefined>();
  for (const change of changes) {
    const id = change.metadata.phone_number_id;
    if (!routes.has(id)) routes.set(id, await routeOfNumber(runtime, id));
  }
  // A suspended organization's events are kept as they came and applied on reactivation.
  const suspended = await suspendedAmong(runtime.prisma, [...new Set([...routes.values()].flatMap((r) => (r ? [r.organizationId] : [])))]);
  if (suspended && (await holdWebhookEvent(runtime.prisma, { ...event, phoneNumberId: changes[0]?.metadata.phone_number_id ?? null }, suspended))) {
    log.info({ organizationId: suspended }, "webhook held: organization suspended");
    return { status: WebhookEventStatus.HELD, messagesStored: 0, duplicates: 0, agentMessages: 0, statusesApplied: 0 };
  }
  const inbound: InboundChange[] = [];
  for (const change of changes) {
    const route = routes.get(change.metadata.phone_number_id);
    if (!route) {
      // Kept in WebhookEvent for inspection; no organization is touched.
      log.warn({ phoneNumberId: change.metadata.phone_number_id }, "webhook for a phone number no organization connected: ignored");
      continue;
    }
    if (change.errors?.length) log.warn({ organizationId: route.organizationId, codes: change.errors.map((e) => e.code) }, "webhook change carries errors from Meta");
    inbound.push(toInboundChange(change, route, log));
  }
  const organizationId = inbound[0]?.organizationId ?? null;
  const status = organizationId ? WebhookEventStatus.PROCESSED : WebhookEventStatus.IGNORED;

  const outcome = await inUnitOfWork(runtime.prisma, log, async (unit) => {
    const { tx } = unit;
    let deliveriesUpdated = 0;
    for (const change of inbound) {
      for (const report of change.statuses) deliveriesUpdated += await applyProviderStatus(tx, change.organizationId, report);
    }
    const received = await receiveInbound(runtime, unit, { receivedAt: event.receivedAt, changes: inbound }, log);
    const stored = { status, organizationId, phoneNumberId: changes[0]?.metadata.phone_number_id ?? null, processedAt: new Date(), error: null };
    if (event.unstoredPayload === undefined) {
      await tx.webhookEvent.update({ where: { id: event.id }, data: { ...stored, attempts: { increment: 1 } } });
    } else {
      await tx.webhookEvent.create({ data: { id: event.id, payload: event.unstoredPayload, receivedAt: event.receivedAt, attempts: 1, ...stored } });
    }
    const { messagesStored, duplicates, agentMessages, messageStatusesApplied } = received;
    return { status, messagesStored, duplicates, agentMessages, statusesApplied: messageStatusesApplied + deliveriesUpdated } satisfies ProcessOutcome;
  }, { retryRaces: true });

  log.info({ ...outcome }, "webhook processed");
  return outcome;
}
