import type { PrismaClient } from "../db/client.js";
import { createTurnBatcher } from "../db/turn-batch.js";
import { processState, type ProcessState } from "../process-state.js";

/** The to-one relations a frame can follow by the row's own foreign key, and the model each reads. */
export const FOLLOWED_BY_KEY = { conversation: { model: "conversation", key: "conversationId" }, alert: { model: "alert", key: "alertId" } } as const;
type Model = (typeof FOLLOWED_BY_KEY)[keyof typeof FOLLOWED_BY_KEY]["model"];

type Selection = true | { select?: Record<string, unknown>; include?: Record<string, unknown> };
type Row = Record<string, unknown> & { id: string };

interface Read {
  prisma: PrismaClient;
  model: Model;
  selection: Selection;
}

// 100 agents told of one customer message hold 100 notifications of ONE conversation: read that
// conversation once (per selection, per event-loop turn), not once per notification joined to it.
const loaders = processState("notification-frame-relations", () =>
  createTurnBatcher<Read, Row>(async ({ prisma, model, selection }, ids) => {
    const shape = selection === true ? {} : selection.select ? { select: { ...selection.select, id: true } } : selection;
    const where = { where: { id: { in: ids } } };
    return (model === "conversation"
      ? await prisma.conversation.findMany({ ...shape, ...where } as never)
      : await prisma.alert.findMany({ ...shape, ...where } as never)) as unknown as Row[];
  }),
);

/**
 * The row a frame's relation points at, by id (null when it is gone), batched across
 * subscribers. Reads with the unscoped client: the caller has already checked that the
 * notification is the subscriber's own, and the id is that row's foreign key — the row
 * the relation itself would have followed.
 */
export async function loadRelatedRow(state: ProcessState, prisma: PrismaClient, model: Model, id: string, selection: Selection): Promise<Row | null> {
  const load = state.get(loaders);
  return (await load(`${model} ${JSON.stringify(selection)}`, { prisma, model, selection }, id)) ?? null;
}
