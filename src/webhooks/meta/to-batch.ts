import type { Prisma } from "../../db/client.js";
import type { InboundChange, InboundMessage } from "../../conversations/receive-inbound.js";
import type { StatusReport } from "../../conversations/message-status.js";
import type { Logger } from "../../observability/log.js";
import { messageTypeOf, readableText } from "./message-content.js";
import type { MessagesValue, MetaError, MessageStatusUpdate } from "./payload.js";
import type { NumberRoute } from "./number-routing.js";
import { senderOf } from "./sender.js";

/**
 * One `messages` change of Meta's webhook, read into the provider-neutral change the
 * conversations domain receives, for the organization `route` names. A message with
 * neither wa_id nor user_id names nobody: it is logged and left out.
 */
export function toInboundChange(change: MessagesValue, route: NumberRoute, log: Logger): InboundChange {
  const { organizationId } = route;
  const messages: InboundMessage[] = [];
  for (const message of change.messages ?? []) {
    const sender = senderOf(message, change.contacts);
    if (!sender.waId && !sender.bsuid) {
      log.warn({ organizationId, wamid: message.id }, "inbound message without wa_id or user_id: skipped");
      continue;
    }
    messages.push({
      sender,
      externalId: message.id,
      type: messageTypeOf(message),
      text: readableText(message),
      payload: message as Prisma.InputJsonValue,
      ...(message.errors?.length ? { errors: message.errors as Prisma.InputJsonValue } : {}),
      sentAt: new Date(message.timestamp * 1000),
    });
  }
  return { organizationId, queueId: route.defaultQueueId, whatsAppNumberId: route.id, messages, statuses: (change.statuses ?? []).map(toStatusReport) };
}

function toStatusReport(update: MessageStatusUpdate): StatusReport {
  return {
    providerMessageId: update.id,
    status: update.status,
    at: new Date(update.timestamp * 1000),
    ...(update.errors?.length ? { errors: update.errors as Prisma.InputJsonValue } : {}),
    errorText: describeErrors(update.errors),
    ...(update.errors?.[0] ? { errorCode: update.errors[0].code } : {}),
  };
}

/** "131047 Re-engagement message: More than 24 hours have passed…" — what an admin needs to act. */
export function describeErrors(errors: MetaError[] | undefined): string {
  if (!errors?.length) return "failed (Meta gave no reason)";
  return errors
    .map((e) => {
      const details = e.error_data?.details ?? (e.message !== e.title ? e.message : undefined);
      return [`${e.code} ${e.title ?? e.message ?? ""}`.trim(), details].filter(Boolean).join(": ");
    })
    .join("; ");
}
