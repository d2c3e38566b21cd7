import { DeliveryStatus, type Delivery, type Digest, type NotificationChannel } from "../db/client.js";
import { PermanentDeliveryError, type Channel, type DigestSummary } from "../delivery/channel.js";
import { loadDelivery } from "../delivery/load.js";
import { smsChannel } from "../delivery/sms.js";
import { webPushChannel } from "../delivery/web-push.js";
import type { Runtime } from "../runtime.js";
import type { DigestView } from "./render.js";

/** Channels whose digest is one short message through the channel itself (email has its own, send.ts). */
const CHANNELS: Partial<Record<NotificationChannel, Channel>> = { SMS: smsChannel, WEB_PUSH: webPushChannel };

/**
 * Sends an SMS or web push digest: one message per destination — the user's number, or
 * each subscribed browser — carried by the newest held delivery of that destination and
 * saying how many notifications came in, grouped by conversation and alert. Each
 * destination's deliveries settle together (SENT, FAILED on a permanent error, SKIPPED
 * when the channel cannot reach the user); a transient error leaves that destination's
 * deliveries SCHEDULED and throws, so the job runs again for what is left.
 */
export async function sendChannelDigest(runtime: Runtime, digest: Digest, held: Delivery[], view: DigestView): Promise<void> {
  const channel = CHANNELS[digest.channel];
  if (!channel) {
    await settleDeliveries(runtime, digest.channel, held.map((d) => d.id), DeliveryStatus.SKIPPED, { lastError: `no digests for ${digest.channel}` });
    await runtime.prisma.digest.update({ where: { id: digest.id }, data: { status: DeliveryStatus.SKIPPED, lastError: `no digests for ${digest.channel}` } });
    return;
  }
  const summary: DigestSummary = {
    total: view.total,
    groupCount: view.groupCount,
    groups: view.groups.map((g) => ({ conversation: g.conversation, alert: g.alert, count: g.count })),
    url: view.actionUrl,
  };
  const destinations = new Map<string, Delivery[]>();
  for (const delivery of held) {
    const key = delivery.webPushSubscriptionId ?? "user";
    destinations.set(key, [...(destinations.get(key) ?? []), delivery]);
  }
  let retry: Error | null = null;
  let sent = 0;
  for (const group of destinations.values()) {
    const ids = group.map((d) => d.id);
    const context = await loadDelivery(runtime.prisma, group[group.length - 1]!.id);
    if (!context) continue;
    context.digest = summary;
    const skipReason = await channel.skipReason(context, runtime);
    if (skipReason) {
      await settleDeliveries(runtime, digest.channel, ids, DeliveryStatus.SKIPPED, { lastError: skipReason });
      continue;
    }
    try {
      const result = await channel.send(context, runtime);
      await settleDeliveries(runtime, digest.channel, ids, DeliveryStatus.SENT, { sentAt: new Date(), providerMessageId: result.providerMessageId, lastError: null });
      // The segments were spent once, by the carrier.
      if (result.record) await runtime.prisma.delivery.update({ where: { id: context.delivery.id }, data: result.record });
      if (result.record?.smsSegments) runtime.metrics.smsSegments.inc({ encoding: result.record.smsEncoding ?? "unknown" }, result.record.smsSegments);
      sent += 1;
    } catch (error) {
      if (error instanceof PermanentDeliveryError) {
        await settleDeliveries(runtime, digest.channel, ids, DeliveryStatus.FAILED, { failedAt: new Date(), lastError: error.message });
        continue;
      }
      retry = error as Error;
      await runtime.prisma.delivery.updateMany({ where: { id: { in: ids }, status: DeliveryStatus.SCHEDULED }, data: { lastError: retry.message } });
    }
  }
  if (retry) {
    await runtime.prisma.digest.update({ where: { id: digest.id }, data: { lastError: retry.message } });
    throw retry;
  }
  const status = sent > 0 ? DeliveryStatus.SENT : DeliveryStatus.FAILED;
  await runtime.prisma.digest.update({ where: { id: digest.id }, data: { status, lastError: null, ...(sent > 0 ? { sentAt: new Date() } : {}) } });
  runtime.metrics.digests.inc({ status });
}

async function settleDeliveries(runtime: Runtime, channel: NotificationChannel, ids: string[], status: DeliveryStatus, data: object): Promise<void> {
  const { count } = await runtime.prisma.delivery.updateMany({ where: { id: { in: ids }, status: DeliveryStatus.SCHEDULED }, data: { status, ...data } });
  if (count > 0) runtime.metrics.deliveries.inc({ channel, status }, count);
}
