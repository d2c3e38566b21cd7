import { auditActorOf, type Actor } from "../auth/actor.js";
import type { Prisma } from "../db/client.js";

/** One audited change: who (a person, an API key, or the system), what, to which entity. */
export interface AuditEntry {
  organizationId: string;
  /** The person or API key that acted; null for the system (the admin CLI, jobs). */
  actor?: Actor | null;
  /** Or, for callers that only know a user id: that user (null for the system). */
  actorId?: string | null;
  /** Dotted, past tense: "user.created", "apiKey.revoked", "organization.suspended". */
  action: string;
  entityType: string;
  entityId?: string | null;
  /** What changed: ids and masked values, never secrets ("(set)") or message texts. */
  data?: Prisma.InputJsonValue;
}

/** The short form some domains use: a person acting on one target. */
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

type AuditWriter = Pick<Prisma.TransactionClient, "auditLog">;

/**
 * Writes one audit row. Call it with the transaction that makes the change, so the
 * change and its record commit together (or neither does). Either
 * `recordAudit(tx, { organizationId, actor, action, entityType, entityId, data })` or
 * `recordAudit(tx, { userId, organizationId }, { action, targetType, targetId, data })`.
 */
export async function recordAudit(db: AuditWriter, entry: AuditEntry): Promise<void>;
export async function recordAudit(db: AuditWriter, actor: AuditActor, record: AuditRecord): Promise<void>;
export async function recordAudit(db: AuditWriter, first: AuditEntry | AuditActor, record?: AuditRecord): Promise<void> {
  const entry: AuditEntry = record
    ? { organizationId: first.organizationId, actorId: (first as AuditActor).userId, action: record.action, entityType: record.targetType, entityId: record.targetId, ...(record.data ? { data: record.data } : {}) }
    : (first as AuditEntry);
  const who = entry.actor !== undefined ? auditActorOf(entry.actor) : { actorId: entry.actorId ?? null, apiKeyId: null };
  await db.auditLog.create({
    data: {
      organizationId: entry.organizationId,
      ...who,
      action: entry.action,
      entityType: entry.entityType,
      entityId: entry.entityId ?? null,
      ...(entry.data !== undefined ? { data: entry.data } : {}),
    },
  });
}
