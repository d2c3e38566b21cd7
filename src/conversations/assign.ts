import type { Viewer } from "../auth/jwt.js";
import type { Conversation, PrismaClient } from "../db/client.js";
import type { Runtime } from "../runtime.js";
import { handOverConversation } from "./hand-over.js";

/**
 * Gives a conversation to an active agent (or admin) of the caller's organization, or
 * to nobody (`userId: null`). One kind of hand-over: see handOverConversation.
 */
export function assignConversation(
  runtime: Runtime,
  db: PrismaClient,
  actor: Viewer,
  input: { conversationId: string; userId: string | null },
): Promise<Conversation> {
  return handOverConversation(runtime, db, actor, { conversationId: input.conversationId, assigneeId: input.userId });
}
