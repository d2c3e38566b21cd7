import type { Prisma } from "../db/client.js";

/** One audit log row: who did what to which entity. `data` holds ids and masked values, never secrets or message texts. */
export interface AuditEntry {
  organizationId: string;
  actorId: string | null;
  action: string;
  entityType: string;
  entityId?: string | null;
  data?: Prisma.InputJsonValue;
}

/**
 * Writes an audit row through the caller's client (a transaction, to commit with the
 * change it records). Minimal version for issue 18; issue 17 owns src/audit/.
 */
export async function recordAudit(db: Pick<Prisma.TransactionClient, "auditLog">, entry: AuditEntry): Promise<void> {
  await db.auditLog.create({
    data: {
      organizationId: entry.organizationId,
      actorId: entry.actorId,
      action: entry.action,
      entityType: entry.entityType,
      entityId: entry.entityId ?? null,
      ...(entry.data !== undefined ? { data: entry.data } : {}),
    },
  });
}
