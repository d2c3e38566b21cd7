import { ExpiringMap } from "../expiring-map.js";
import type { NotificationChannel, NotificationType, Prisma, Role } from "../db/client.js";
import { processState } from "../process-state.js";
import type { Runtime } from "../runtime.js";

/** One user of the organization, with what recipients and the anti-loop rule need. */
export interface DirectoryMember {
  id: string;
  organizationId: string;
  role: Role;
  active: boolean;
  locale: string | null;
  notifyOnNewMessage: boolean;
  whatsappNotificationNumber: string | null;
  /** Verified (or set by an ORG_ADMIN): only then does the number count for the anti-loop rule. */
  whatsappNumberVerified: boolean;
  quietHoursStart: string | null;
  quietHoursEnd: string | null;
  quietHoursTimeZone: string | null;
  queueIds: string[];
  /** The user's own choices, every type. */
  preferences: Array<{ type: NotificationType; channel: NotificationChannel; enabled: boolean }>;
}

/** An organization's users as of one `membersVersion`, sorted by id. */
export interface MemberDirectory {
  organizationId: string;
  version: number;
  members: DirectoryMember[];
}

// Every inbound message needs the organization's members (anti-loop numbers, recipients,
// preferences). They change rarely; triggers bump Organization.membersVersion on every
// change that matters, and each message reads that version in its own transaction, so a
// stale copy is never used — on any instance. The TTL only frees memory of quiet ones.
const TTL_MS = 5 * 60_000;
const directories = processState("member-directories", () => new ExpiringMap<string, MemberDirectory>(1_000));

interface MemberRow extends Omit<DirectoryMember, "queueIds" | "preferences"> {
  version: number;
  queueIds: string[] | null;
  preferences: DirectoryMember["preferences"] | null;
}

/**
 * The organization's members at `version` (read in the caller's transaction): the cached
 * copy when it is that version, else read again in one statement (and kept when newer).
 */
export async function memberDirectoryOf(runtime: Runtime, tx: Prisma.TransactionClient, organizationId: string, version: number): Promise<MemberDirectory> {
  const cache = runtime.state.get(directories);
  const cached = cache.get(organizationId);
  if (cached?.version === version) return cached;
  const loaded = await loadMembers(tx, organizationId);
  const current = cache.get(organizationId);
  if (!current || current.version <= loaded.version) cache.set(organizationId, loaded, TTL_MS);
  return loaded;
}

async function loadMembers(tx: Prisma.TransactionClient, organizationId: string): Promise<MemberDirectory> {
  // The version comes from the same statement (one snapshot) as the members it describes.
  const rows = await tx.$queryRaw<MemberRow[]>`
    SELECT o."membersVersion" AS version, u.id::text AS id, u."organizationId"::text AS "organizationId", u.role::text AS role, u.active,
           u.locale, u."notifyOnNewMessage", u."whatsappNotificationNumber",
           (u."whatsappNumberVerifiedAt" IS NOT NULL) AS "whatsappNumberVerified",
           u."quietHoursStart", u."quietHoursEnd", u."quietHoursTimeZone",
           (SELECT array_agg(q."queueId"::text) FROM "QueueMember" q WHERE q."userId" = u.id) AS "queueIds",
           (SELECT json_agg(json_build_object('type', p.type, 'channel', p.channel, 'enabled', p.enabled))
              FROM "NotificationPreference" p WHERE p."userId" = u.id) AS preferences
    FROM "Organization" o LEFT JOIN "User" u ON u."organizationId" = o.id
    WHERE o.id = ${organizationId}::uuid
    ORDER BY u.id`;
  const version = rows[0]?.version ?? 0;
  const members = rows
    .filter((row) => row.id !== null)
    .map(({ version: _, queueIds, preferences, ...member }) => ({ ...member, queueIds: queueIds ?? [], preferences: preferences ?? [] }));
  return { organizationId, version, members };
}
