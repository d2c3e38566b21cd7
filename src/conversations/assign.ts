import type { Conversation } from "../db/client.js";
import type { ServiceContext } from "../service-context.js";
import { handOverConversation } from "./hand-over.js";

/**
 * Gives a conversation to an active agent (or admin) of the caller's organization, or
 * to nobody (`userId: null`). One kind of hand-over: see handOverConversation.
 */
export function assignConversation(ctx: ServiceContext, input: { conversationId: string; userId: string | null }): Promise<Conversation> {
  return handOverConversation(ctx, { conversationId: input.conversationId, assigneeId: input.userId });
}
