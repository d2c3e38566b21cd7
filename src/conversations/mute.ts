import { recordAudit } from "../audit/record.js";
import { invalidInput, notFound } from "../errors.js";
import type { ServiceContext } from "../service-context.js";

/** The longest mute: a year (a client-controlled time is bounded). */
export const MAX_MUTE_MS = 366 * 24 * 3600 * 1000;

/**
 * Mutes a conversation for the caller until `until` (NEW_MESSAGE notifications to them
 * stop, in-app included; see recipientsFor), or unmutes it (`until` null or past).
 * Returns the mute's end, or null when unmuted.
 */
export async function muteConversation(
  { db, actor }: ServiceContext,
  { conversationId, until }: { conversationId: string; until: Date | null },
  now = new Date(),
): Promise<Date | null> {
  if (until && until.getTime() - now.getTime() > MAX_MUTE_MS) throw invalidInput("until", "at most a year from now");
  const conversation = await db.conversation.findUnique({ where: { id: conversationId }, select: { id: true } });
  if (!conversation) throw notFound("conversation");
  const active = until && until > now ? until : null;
  await db.$transaction(async (tx) => {
    if (active) {
      await tx.conversationMute.upsert({
        where: { userId_conversationId: { userId: actor.userId, conversationId } },
        create: { userId: actor.userId, conversationId, organizationId: actor.organizationId, until: active },
        update: { until: active },
      });
    } else {
      await tx.conversationMute.deleteMany({ where: { userId: actor.userId, conversationId } });
    }
    await recordAudit(tx, actor, {
      action: active ? "conversation.muted" : "conversation.unmuted",
      targetType: "Conversation",
      targetId: conversationId,
      data: { until: active?.toISOString() ?? null },
    });
  });
  return active;
}
