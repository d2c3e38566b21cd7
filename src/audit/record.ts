import type { Prisma } from "../db/client.js";

/** Who did something: a user of an organization. */
export interface AuditActor {
  userId: string;
  organizationId: string;
}

export interface AuditRecord {
  action: string;
  targetType: string;
  targetId: string;
  data?: Prisma.InputJsonObject;
}

/**
 * Writes one audit row inside the caller's transaction, so the row exists exactly when
 * the change it describes does. The one writer the inbox uses (hand-overs, contact edits,
 * mutes); it stores into the existing `AuditLog` table.
 */
export function recordAudit(tx: Prisma.TransactionClient, actor: AuditActor, record: AuditRecord): Promise<unknown> {
  return tx.auditLog.create({
    data: {
      organizationId: actor.organizationId,
      actorId: actor.userId,
      action: record.action,
      entityType: record.targetType,
      entityId: record.targetId,
      ...(record.data ? { data: record.data } : {}),
    },
  });
}
