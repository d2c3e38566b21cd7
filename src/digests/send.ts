import { DeliveryStatus } from "../db/client.js";
import { PermanentDeliveryError } from "../delivery/channel.js";
import { classifySmtpError } from "../delivery/email.js";
import { emailTransport, writeToOutbox } from "../delivery/email-transport.js";
import { publicUrl } from "../delivery/view.js";
import { localeOf } from "../text/locale.js";
import type { Runtime } from "../runtime.js";
import { sendChannelDigest } from "./send-channel.js";
import { digestView, renderDigestEmail, type DigestItem } from "./render.js";

/** Most notifications one digest lists; the email links to the rest. */
const MAX_ITEMS = 500;

/**
 * Sends one digest: closes it (SCHEDULED → PENDING, so no new delivery joins it), reads
 * the deliveries it holds, sends one email listing them grouped by conversation and
 * alert, then marks the digest and every listed delivery SENT in one transaction.
 * Run again after a crash, it finds the digest PENDING and its deliveries still
 * SCHEDULED and sends again with the same Message-ID; once SENT it does nothing.
 */
export async function sendDigest(runtime: Runtime, digestId: string): Promise<void> {
  const { prisma } = runtime;
  const closed = await prisma.digest.updateMany({
    where: { id: digestId, status: { in: [DeliveryStatus.SCHEDULED, DeliveryStatus.PENDING] } },
    data: { status: DeliveryStatus.PENDING, attempts: { increment: 1 } },
  });
  if (closed.count === 0) return;
  const digest = await prisma.digest.findUniqueOrThrow({ where: { id: digestId }, include: { user: true, organization: true } });
  const log = runtime.log.child({ digestId, userId: digest.userId, organizationId: digest.organizationId, channel: digest.channel });
  const held = await prisma.delivery.findMany({
    where: { digestId, organizationId: digest.organizationId, status: DeliveryStatus.SCHEDULED },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    take: MAX_ITEMS,
    include: { notification: { include: { conversation: { include: { contact: true } }, alert: true } } },
  });
  if (held.length === 0) {
    await prisma.digest.update({ where: { id: digestId }, data: { status: DeliveryStatus.SKIPPED, lastError: "nothing held" } });
    return;
  }
  const ids = held.map((d) => d.id);
  if (digest.channel === "EMAIL" && !runtime.config.EMAIL_ENABLED) {
    await settle(runtime, digestId, ids, DeliveryStatus.SKIPPED, { lastError: "email disabled" });
    return;
  }

  const { user, organization } = digest;
  const locale = localeOf(user.locale, organization.locale);
  // Web push holds one delivery per browser: list each notification once.
  const notifications = [...new Map(held.map((d) => [d.notificationId, d.notification])).values()];
  const items: DigestItem[] = notifications.map((n) => ({
    notificationId: n.id,
    title: n.title,
    body: n.body,
    count: n.count,
    createdAt: n.createdAt,
    conversation: n.conversation ? { id: n.conversation.id, number: n.conversation.number, contactName: n.conversation.contact.name ?? n.conversation.contact.phone ?? "?" } : null,
    alert: n.alert ? { id: n.alert.id, title: n.alert.title, severity: n.alert.severity } : null,
  }));
  const view = digestView(items, {
    organizationName: organization.name,
    userName: user.name,
    baseUrl: publicUrl(runtime.config),
    timeZone: user.quietHoursTimeZone ?? organization.timeZone,
    locale,
  });
  if (digest.channel !== "EMAIL") {
    await sendChannelDigest(runtime, digest, held, view);
    log.info({ notifications: held.length, groups: view.groupCount }, "digest sent");
    return;
  }
  const { subject, text, html } = renderDigestEmail(view, locale);
  const { config } = runtime;
  const domain = config.SMTP_FROM_EMAIL.split("@")[1] ?? "aviso.local";
  const { transporter, outbox } = emailTransport(runtime);
  try {
    const info = await transporter.sendMail({
      from: { name: config.SMTP_FROM_NAME, address: config.SMTP_FROM_EMAIL },
      to: { name: user.name, address: user.email },
      subject,
      text,
      html,
      // Stable per digest: a resend after a crash carries the same id.
      messageId: `<digest-${digestId}@${domain}>`,
      headers: { "X-Aviso-Digest": digestId },
    });
    if ((info.rejected?.length ?? 0) > 0) throw classifySmtpError({ message: "recipient rejected", responseCode: 550 });
    if (outbox && Buffer.isBuffer(info.message)) await writeToOutbox(outbox, `digest-${digestId}`, info.message);
    await settle(runtime, digestId, ids, DeliveryStatus.SENT, { sentAt: new Date(), providerMessageId: info.messageId, lastError: null });
    log.info({ notifications: held.length, groups: view.groupCount }, "digest sent");
  } catch (raw) {
    const error = raw instanceof PermanentDeliveryError || (raw as Error).name === "TransientDeliveryError" ? (raw as Error) : classifySmtpError(raw as never);
    if (error instanceof PermanentDeliveryError) {
      await settle(runtime, digestId, ids, DeliveryStatus.FAILED, { failedAt: new Date(), lastError: error.message });
      log.warn({ reason: error.message }, "digest failed permanently");
      return;
    }
    await prisma.digest.update({ where: { id: digestId }, data: { lastError: error.message } });
    await prisma.delivery.updateMany({ where: { id: { in: ids }, status: DeliveryStatus.SCHEDULED }, data: { lastError: error.message } });
    throw error;
  }
}

/** Retries ran out: the digest and what it held are DEAD; each delivery can be replayed alone. */
export async function markDigestDead(runtime: Runtime, digestId: string): Promise<void> {
  const digest = await runtime.prisma.digest.findUnique({ where: { id: digestId } });
  if (!digest || digest.status === DeliveryStatus.SENT) return;
  const held = await runtime.prisma.delivery.findMany({ where: { digestId, status: DeliveryStatus.SCHEDULED }, select: { id: true } });
  await settle(runtime, digestId, held.map((d) => d.id), DeliveryStatus.DEAD, { failedAt: new Date(), lastError: digest.lastError ?? "retries exhausted" });
}

export async function settle(runtime: Runtime, digestId: string, deliveryIds: string[], status: DeliveryStatus, data: { sentAt?: Date; failedAt?: Date; providerMessageId?: string; lastError: string | null }) {
  const { sentAt, failedAt, providerMessageId, lastError } = data;
  let digestChannel = "EMAIL";
  const count = await runtime.prisma.$transaction(async (tx) => {
    ({ channel: digestChannel } = await tx.digest.update({ where: { id: digestId }, data: { status, lastError, ...(sentAt ? { sentAt } : {}), ...(providerMessageId ? { providerMessageId } : {}) } }));
    const { count } = await tx.delivery.updateMany({
      where: { id: { in: deliveryIds }, status: DeliveryStatus.SCHEDULED },
      data: { status, lastError, ...(sentAt ? { sentAt } : {}), ...(failedAt ? { failedAt } : {}), ...(providerMessageId ? { providerMessageId } : {}) },
    });
    return count;
  });
  if (count > 0) runtime.metrics.deliveries.inc({ channel: digestChannel, status }, count);
  runtime.metrics.digests.inc({ status });
}
