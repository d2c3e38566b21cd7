import { auditActorOf, type Actor } from "../auth/actor.js";
import type { Prisma } from "../db/client.js";

/** One audited change: who (`actor`), what (`action` on `entityType`/`entityId`), with which details. */
export interface AuditEntry {
  organizationId: string;
  /** The person or API key that acted; null for the system (the admin CLI, jobs). */
  actor: Actor | null;
  /** Dotted, past tense: "user.created", "apiKey.revoked", "organization.suspended". */
  action: string;
  entityType: string;
  entityId?: string | null;
  /** What changed. Never secrets: callers pass "(set)" for them. */
  data?: Prisma.InputJsonObject;
}

type AuditWriter = Pick<Prisma.TransactionClient, "auditLog">;

/**
 * Writes one audit row. Call it with the transaction that makes the change, so the
 * change and its record commit together (or neither does).
 */
export async function recordAudit(db: AuditWriter, entry: AuditEntry): Promise<void> {
  await db.auditLog.create({
    data: {
      organizationId: entry.organizationId,
      ...auditActorOf(entry.actor),
      action: entry.action,
      entityType: entry.entityType,
      entityId: entry.entityId ?? null,
      ...(entry.data ? { data: entry.data } : {}),
    },
  });
}
