import { DeliveryStatus, NotificationChannel, NotificationType, type Notification, type Prisma } from "../db/client.js";
import { withinUnitOfWork, type UnitOfWork } from "../db/unit-of-work.js";
import type { Runtime } from "../runtime.js";
import { externalChannelsFor, type PlannedDelivery } from "./channels.js";
import { coalesceSubject, findCoalescable, type CoalesceMatch, type CoalescableNotification } from "./coalesce.js";
import { describeEvent, type NotificationContent } from "./content.js";
import { holdForDigests, type HeldRow } from "../digests/hold.js";
import { insertNotifications, updateCoalesced } from "./bulk-insert.js";
import { enqueueDeliveries } from "./enqueue.js";
import { finishFanOut, recordFanOut } from "./fan-out.js";
import type { NotificationEvent } from "./events.js";
import { localeOf } from "../text/locale.js";
import { applyEmailLimit } from "./email-limit.js";
import { coalesceKey, lockKeys } from "./locks.js";
import { publishNotifications, type PublishedNotification } from "./publish.js";
import { recipientsFor, type Recipient } from "./recipients.js";
import { loadSubject, type Subject } from "./subject.js";

export interface NotifyResult {
  /** Notifications created or coalesced, one per recipient. */
  notificationIds: string[];
}

export interface NotifyOptions {
  /**
   * The engine's clock (quiet hours, the email limit, digest windows); now by default.
   * Tests pin it so a burst cannot straddle an hour.
   */
  now?: Date;
  /**
   * The event's subject as its caller already read it in the same transaction (an inbound
   * message's, with the statement that recorded it): the engine then reads none itself.
   */
  subject?: Subject;
}

/**
 * Turns an event into notifications: recipients, flags, preferences, quiet hours,
 * coalescing; writes notification + deliveries + jobs in the caller's unit of work
 * (or in one of its own), and once it commits publishes `notificationAdded` and
 * `unreadNotificationCountChanged` on each recipient's topic. A large fan-out
 * (FANOUT_SPLIT_MIN_DELIVERIES) commits its deliveries as a pending fan-out instead and
 * writes them in a second transaction once the frames are out (src/notifications/fan-out.ts).
 */
export async function notify(runtime: Runtime, event: NotificationEvent, unit?: UnitOfWork, options: NotifyOptions = {}): Promise<NotifyResult> {
  const written = await withinUnitOfWork(
    unit,
    runtime.prisma,
    runtime.log,
    async (work) => {
      const { published, fanOutId } = await writeNotifications(runtime, work.tx, event, options.now ?? new Date(), options.subject);
      work.afterCommit(async () => {
        await publishNotifications(runtime, published);
        if (event.type === "NEW_MESSAGE" && event.receivedAt && published.length > 0) {
          runtime.metrics.webhookToNotification.observe((Date.now() - event.receivedAt.getTime()) / 1000);
        }
        // Awaited, so the caller returns with the deliveries written, as with one transaction.
        if (fanOutId) await finishFanOut(runtime, fanOutId);
      });
      return published;
    },
    { timeout: 15_000, maxWait: 10_000 },
  );
  if (written.length > 0)
    runtime.log.info(
      { event: event.type, ...idsOf(event), userIds: written.map((n) => n.userId), notificationIds: written.map((n) => n.notificationId) },
      "notifications created",
    );
  return { notificationIds: written.map((n) => n.notificationId) };
}

/** A test notification for one user through one channel (src/notifications/test-notification.ts). */
export interface TestNotification {
  organizationId: string;
  userId: string;
  channel: NotificationChannel;
  title: string;
  body: string;
  /** WEB_PUSH: the browser the test goes to. */
  webPushSubscriptionId?: string | null;
}

/**
 * Writes a test: no flags, preferences, quiet hours, coalescing or email limit apply —
 * the caller asked for exactly this channel. One notification marked `data.test` and
 * one delivery (in-app, the notification row is the delivery: SENT at once; otherwise
 * PENDING with its job), published after commit like every notification. Returns the
 * delivery's id.
 */
export async function notifyTest(runtime: Runtime, unit: UnitOfWork, test: TestNotification): Promise<string> {
  const now = new Date();
  const [notification] = await insertNotifications(
    unit.tx,
    { organizationId: test.organizationId, type: NotificationType.NEW_MESSAGE, conversationId: null, alertId: null, data: { test: true }, at: now },
    [{ userId: test.userId, title: test.title, body: test.body }],
  );
  const base = { organizationId: test.organizationId, notificationId: notification!.id, userId: test.userId };
  let deliveryId: string;
  if (test.channel === NotificationChannel.IN_APP) {
    ({ id: deliveryId } = await unit.tx.delivery.create({
      data: { ...base, channel: test.channel, status: DeliveryStatus.SENT, sentAt: now },
      select: { id: true },
    }));
  } else {
    const [delivery] = await enqueueDeliveries(
      runtime,
      unit.tx,
      [{ ...base, channel: test.channel, status: "PENDING", scheduledFor: null, lastError: null, webPushSubscriptionId: test.webPushSubscriptionId ?? null }],
      now,
    );
    deliveryId = delivery!.id;
  }
  const published: PublishedNotification = {
    userId: test.userId,
    notificationId: notification!.id,
    seq: notification!.seq,
    updatedAt: notification!.updatedAt,
    row: notification!,
  };
  unit.afterCommit(() => publishNotifications(runtime, [published]));
  return deliveryId;
}

interface WrittenNotification {
  id: string;
  /** As written (inserted or coalesced): what `notificationAdded` carries. */
  row: Notification;
  recentChannels: Set<string>;
}

interface WrittenEvent {
  published: PublishedNotification[];
  /** The pending fan-out whose deliveries phase two writes after the commit; null when written already. */
  fanOutId: string | null;
}

interface RecipientPlan {
  recipient: Recipient;
  deliveries: PlannedDelivery[];
}

async function writeNotifications(
  runtime: Runtime,
  tx: Prisma.TransactionClient,
  event: NotificationEvent,
  now: Date,
  knownSubject: Subject | undefined,
): Promise<WrittenEvent> {
  const nothing: WrittenEvent = { published: [], fanOutId: null };
  const subject = knownSubject ?? (await loadSubject(tx, event));
  if (!subject) {
    runtime.log.warn({ event: event.type, organizationId: event.organizationId }, "notification subject not found; nothing notified");
    return nothing;
  }
  const recipients = await recipientsFor(runtime, tx, event, subject);
  if (recipients.length === 0) return nothing;
  const plans: RecipientPlan[] = recipients.map((recipient) => ({
    recipient,
    deliveries: externalChannelsFor(recipient, event.type, subject, { newMessageEnabledGlobally: runtime.config.NOTIFY_NEW_MESSAGE_ENABLED, now }),
  }));

  const coalesceWindow = subject.organization.coalesceWindowSeconds * 1000;
  const match = coalesceWindow > 0 ? coalesceMatchOf(event, subject) : null;
  const coalesceKeys = match ? recipients.map((r) => coalesceKey(r.id, coalesceSubject(match))) : [];
  await lockKeys(tx, coalesceKeys);
  const windowStart = new Date(now.getTime() - coalesceWindow);
  const existing = match
    ? await findCoalescable(
        tx,
        recipients.map((r) => r.id),
        match,
        windowStart,
      )
    : new Map<string, CoalescableNotification>();

  const pushUsers = plans.filter((p) => p.deliveries.some((d) => d.channel === "WEB_PUSH")).map((p) => p.recipient.id);
  const pushSubscriptions =
    pushUsers.length > 0
      ? await tx.webPushSubscription.findMany({ where: { userId: { in: pushUsers } }, select: { id: true, userId: true }, orderBy: { createdAt: "asc" } })
      : [];

  const content = describeEvent(event, subject, now);
  const notificationOf = await writeInApp(tx, plans, existing, content, subject, now);

  const rows: HeldRow[] = [];
  // Slack posts to the organization's channel: one post per event, not one per admin.
  let slackTaken = false;
  for (const { recipient, deliveries } of plans) {
    const notification = notificationOf.get(recipient.id)!;
    for (const planned of deliveries) {
      // At most one external delivery per channel per coalescing window.
      if (notification.recentChannels.has(planned.channel)) continue;
      if (planned.channel === "SLACK" && slackTaken) continue;
      if (planned.channel === "SLACK") slackTaken = true;
      if (planned.channel === "WEB_PUSH") {
        // One delivery per browser the user subscribed from; none subscribed, none sent.
        for (const subscription of pushSubscriptions) {
          if (subscription.userId === recipient.id)
            rows.push({ ...deliveryRow(subject, recipient, notification.id, planned), webPushSubscriptionId: subscription.id });
        }
        continue;
      }
      rows.push(deliveryRow(subject, recipient, notification.id, planned));
    }
  }
  // The hourly email limit is decided by whichever transaction writes the rows, under its locks.
  let fanOutId: string | null = null;
  const emailHourlyLimit = subject.organization.emailHourlyLimit;
  if (rows.length >= runtime.config.FANOUT_SPLIT_MIN_DELIVERIES) {
    const zoneOf = new Map(recipients.map((r) => [r.id, r.quietHoursTimeZone]));
    fanOutId = await recordFanOut(tx, { organizationId: subject.organization.id, plannedAt: now, rows, zoneOf, emailHourlyLimit });
  } else {
    const limited = await applyEmailLimit(tx, rows, emailHourlyLimit, now);
    await enqueueDeliveries(runtime, tx, await holdForDigests(runtime, tx, limited, { recipients, organization: subject.organization, now }), now);
  }
  const published = plans.map(({ recipient }) => {
    const notification = notificationOf.get(recipient.id)!;
    const { row } = notification;
    return { userId: recipient.id, notificationId: row.id, seq: row.seq, updatedAt: row.updatedAt, row };
  });
  return { published, fanOutId };
}

/**
 * The in-app notification of each recipient: a new row, or the coalescable one
 * updated (count + 1, latest preview). Keyed by user id.
 */
async function writeInApp(
  tx: Prisma.TransactionClient,
  plans: RecipientPlan[],
  existing: Map<string, CoalescableNotification>,
  content: NotificationContent,
  subject: Subject,
  now: Date,
): Promise<Map<string, WrittenNotification>> {
  const notificationOf = new Map<string, WrittenNotification>();
  // Coalesce first: a row found coalescable may have been read, archived or deleted since
  // (the coalesce lock does not stop those); such a recipient gets a fresh notification.
  const coalesced = await updateCoalesced(
    tx,
    { data: content.data, at: now },
    plans.flatMap(({ recipient }) => {
      const previous = existing.get(recipient.id);
      if (!previous) return [];
      const count = previous.count + 1;
      return [{ id: previous.id, count, ...content.render(localeOf(recipient.locale, recipient.organizationLocale), count) }];
    }),
  );
  for (const row of coalesced) notificationOf.set(row.userId, { id: row.id, row, recentChannels: existing.get(row.userId)!.recentChannels });
  const fresh = plans.filter((p) => !notificationOf.has(p.recipient.id));
  const created = await insertNotifications(
    tx,
    // The subject's organization, even for a super admin of another one, so links resolve.
    {
      organizationId: subject.organization.id,
      type: content.type,
      conversationId: content.conversationId,
      alertId: content.alertId,
      data: content.data,
      at: now,
    },
    fresh.map(({ recipient }) => ({ userId: recipient.id, ...content.render(localeOf(recipient.locale, recipient.organizationLocale), 1) })),
  );
  for (const row of created) notificationOf.set(row.userId, { id: row.id, row, recentChannels: new Set() });

  return notificationOf;
}

/** A planned delivery as a row: held until the quiet hours end, or pending now; the email limit comes later (applyEmailLimit). */
function deliveryRow(subject: Subject, recipient: Recipient, notificationId: string, planned: PlannedDelivery): HeldRow {
  const base = { organizationId: subject.organization.id, notificationId, userId: recipient.id, channel: planned.channel };
  return planned.deferUntil
    ? { ...base, status: "SCHEDULED", scheduledFor: planned.deferUntil, lastError: null }
    : { ...base, status: "PENDING", scheduledFor: null, lastError: null };
}

/** The correlation ids an event carries, for logs (never its free text: campaign reasons, names). */
function idsOf(event: NotificationEvent): Record<string, string> {
  const ids: Record<string, string> = { organizationId: event.organizationId };
  if ("conversationId" in event) ids.conversationId = event.conversationId;
  if ("messageId" in event) ids.messageId = event.messageId;
  if ("alertId" in event) ids.alertId = event.alertId;
  return ids;
}

/** What a new event folds into within the window: a conversation's burst, or a triggered event's dedupe key. */
function coalesceMatchOf(event: NotificationEvent, subject: Subject): CoalesceMatch | null {
  if (event.type === "NEW_MESSAGE" && subject.conversation) return { conversationId: subject.conversation.id };
  if ("trigger" in event && event.trigger.dedupeKey) return { type: event.type, dedupeKey: event.trigger.dedupeKey };
  return null;
}
