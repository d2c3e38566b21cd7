import { z } from "zod";
import { MessageDirection, type Prisma } from "../../db/client.js";
import { defineJob } from "../../jobs/define.js";
import type { Runtime } from "../../runtime.js";
import { GraphApiError, markMessageRead } from "./graph-api.js";
import { isTransient, readableReason } from "./meta-errors.js";

const payload = z.object({ messageId: z.string().uuid() });

/**
 * Tells WhatsApp the customer's last message was read (`status: "read"`; WhatsApp marks
 * every earlier message read too). Best effort: transient failures retry a few times,
 * a refusal is logged — a missing blue tick is not worth an alert.
 */
export const readReceiptJob = defineJob({
  name: "send-read-receipt",
  schema: payload,
  queue: { retryLimit: 3, retryDelay: 2, retryBackoff: true, expireInSeconds: 120 },
  work: { pollingIntervalSeconds: 1, batchSize: 20 },
  handler: (data, runtime) => sendReadReceipt(runtime, data.messageId),
});

/**
 * After an agent read a conversation: queues the read receipt for its last inbound
 * message, when the organization sends them (`sendReadReceipts`, on by default). The
 * job commits with the caller's transaction (`tx`, of the caller's tenant-scoped client).
 */
export async function queueReadReceipt(runtime: Runtime, tx: Prisma.TransactionClient, conversationId: string): Promise<boolean> {
  const conversation = await tx.conversation.findUnique({ where: { id: conversationId }, select: { organization: { select: { sendReadReceipts: true } } } });
  if (!conversation?.organization.sendReadReceipts) return false;
  const last = await tx.message.findFirst({
    where: { conversationId, direction: MessageDirection.INBOUND, externalId: { not: null } },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    select: { id: true },
  });
  if (!last) return false;
  await runtime.jobs.send(readReceiptJob, { messageId: last.id }, { singletonKey: `read:${last.id}`, tx });
  return true;
}

export async function sendReadReceipt(runtime: Runtime, messageId: string): Promise<void> {
  const message = await runtime.prisma.message.findUnique({
    where: { id: messageId },
    select: { externalId: true, organizationId: true, conversation: { select: { whatsAppNumberId: true } } },
  });
  if (!message?.externalId) return;
  const number =
    (message.conversation.whatsAppNumberId ? await runtime.prisma.whatsAppNumber.findUnique({ where: { id: message.conversation.whatsAppNumberId } }) : null) ??
    (await runtime.prisma.whatsAppNumber.findFirst({ where: { organizationId: message.organizationId }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] }));
  if (!number) return;
  try {
    await markMessageRead(runtime.config, number, message.externalId);
  } catch (error) {
    if (error instanceof GraphApiError && !isTransient(error)) {
      runtime.log.warn({ messageId, reason: readableReason(error) }, "read receipt refused by Meta");
      return;
    }
    throw error;
  }
}
