import { WebhookEventStatus, type Prisma } from "../../db/client.js";
import { receiveInbound, type InboundChange } from "../../conversations/receive-inbound.js";
import { applyProviderStatus } from "../../delivery/provider-status.js";
import { inUnitOfWork } from "../../db/unit-of-work.js";
import { holdWebhookEvent, OrganizationSuspended, suspendedAmong } from "../../organizations/held-webhooks.js";
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
  const inbound: InboundChange[] = [];
  for (const change of changes) {
    const route = routes.get(change.metadata.phone_number_id);
    if (!route) {
      // Kept in WebhookEvent for inspection; no organization is touched.
      log.warn({ phoneNumberId: change.metadata.phone_number_id }, "webhook for a phone number no organization connected: ignored");
      continue;
    }
    if (change.errors?.length)
      log.warn({ organizationId: route.organizationId, codes: change.errors.map((e) => e.code) }, "webhook change carries errors from Meta");
    inbound.push(toInboundChange(change, route, log));
  }
  // A suspended organization's events are kept as they came and applied on reactivation.
  // Recording a message reads the organization's standing in the same statement; only the
  // organizations this webhook brings no message for need a read of their own.
  const withMessages = new Set(inbound.flatMap((c) => (c.messages.length > 0 ? [c.organizationId] : [])));
  const statusOnly = [...new Set(inbound.flatMap((c) => (withMessages.has(c.organizationId) ? [] : [c.organizationId])))];
  const suspended = await suspendedAmong(runtime.prisma, statusOnly);
  if (suspended && (await hold(runtime, event, changes[0]?.metadata.phone_number_id ?? null, suspended))) return { ...HELD };
  const organizationId = inbound[0]?.organizationId ?? null;
  const status = organizationId ? WebhookEventStatus.PROCESSED : WebhookEventStatus.IGNORED;

  const apply = () =>
    inUnitOfWork(
      runtime.prisma,
      log,
      async (unit) => {
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
          await insertAppliedEvent(tx, { id: event.id, payload: event.unstoredPayload, receivedAt: event.receivedAt, ...stored });
        }
        const { messagesStored, duplicates, agentMessages, messageStatusesApplied } = received;
        return { status, messagesStored, duplicates, agentMessages, statusesApplied: messageStatusesApplied + deliveriesUpdated } satisfies ProcessOutcome;
      },
      { retryRaces: true },
    );
  let outcome: ProcessOutcome;
  try {
    outcome = await apply();
  } catch (error) {
    if (!(error instanceof OrganizationSuspended)) throw error;
    // Reactivated in the meantime: apply it after all.
    if (!(await hold(runtime, event, changes[0]?.metadata.phone_number_id ?? null, error.organizationId))) outcome = await apply();
    else return { ...HELD };
  }

  log.info({ ...outcome }, "webhook processed");
  return outcome;
}

const HELD: ProcessOutcome = { status: WebhookEventStatus.HELD, messagesStored: 0, duplicates: 0, agentMessages: 0, statusesApplied: 0 };

/** Stores (or marks) the event HELD; false when the organization was reactivated meanwhile. */
async function hold(runtime: Runtime, event: WebhookEventToApply, phoneNumberId: string | null, organizationId: string): Promise<boolean> {
  if (!(await holdWebhookEvent(runtime.prisma, { ...event, phoneNumberId }, organizationId))) return false;
  runtime.log.info({ webhookEventId: event.id, organizationId }, "webhook held: organization suspended");
  return true;
}

/** The raw event with its outcome, written by the commit that applied it (raw SQL: this runs for every webhook). */
async function insertAppliedEvent(
  tx: Prisma.TransactionClient,
  row: {
    id: string;
    payload: Prisma.InputJsonValue;
    receivedAt: Date;
    status: string;
    organizationId: string | null;
    phoneNumberId: string | null;
    processedAt: Date;
  },
): Promise<void> {
  await tx.$executeRaw`
    INSERT INTO "WebhookEvent" (id, "organizationId", "phoneNumberId", payload, status, attempts, error, "receivedAt", "processedAt")
    VALUES (${row.id}::uuid, ${row.organizationId}::uuid, ${row.phoneNumberId}, ${JSON.stringify(row.payload)}::jsonb, ${row.status}::"WebhookEventStatus", 1, NULL,
            ${row.receivedAt.toISOString()}::timestamptz AT TIME ZONE 'UTC', ${row.processedAt.toISOString()}::timestamptz AT TIME ZONE 'UTC')`;
}
