import { Prisma } from "../db/client.js";
import type { Runtime } from "../runtime.js";

const DAY_MS = 24 * 3600_000;

/**
 * Retention (seed 000 / LGPD art. 15-16): raw webhook bodies older than
 * WEBHOOK_EVENT_RETENTION_DAYS are deleted (they were applied long ago; the stored
 * messages remain); in organizations with `messageRetentionDays`, messages older than
 * that lose their text, payload and errors (rows and counts remain).
 */
export async function applyRetention(runtime: Runtime, now: Date = new Date()): Promise<{ webhookEventsDeleted: number; messagesAnonymized: number }> {
  const { prisma, config, log } = runtime;
  const eventCutoff = new Date(now.getTime() - config.WEBHOOK_EVENT_RETENTION_DAYS * DAY_MS);
  const events = await prisma.webhookEvent.deleteMany({ where: { receivedAt: { lt: eventCutoff } } });
  let messagesAnonymized = 0;
  const organizations = await prisma.organization.findMany({ where: { messageRetentionDays: { not: null } }, select: { id: true, messageRetentionDays: true } });
  for (const org of organizations) {
    const cutoff = new Date(now.getTime() - org.messageRetentionDays! * DAY_MS);
    const { count } = await prisma.message.updateMany({
      where: { organizationId: org.id, createdAt: { lt: cutoff }, OR: [{ text: { not: null } }, { payload: { not: Prisma.DbNull } }] },
      data: { text: null, payload: Prisma.DbNull, errors: Prisma.DbNull },
    });
    messagesAnonymized += count;
  }
  if (events.count + messagesAnonymized > 0) log.info({ webhookEventsDeleted: events.count, messagesAnonymized }, "retention applied");
  return { webhookEventsDeleted: events.count, messagesAnonymized };
}
