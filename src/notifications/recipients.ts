import type { NotificationChannel, NotificationType, Prisma, Role } from "../db/client.js";
import { memberDirectoryOf, type DirectoryMember, type MemberDirectory } from "../organizations/member-directory.js";
import type { Runtime } from "../runtime.js";
import type { NotificationEvent } from "./events.js";
import type { Subject } from "./subject.js";

/** A user to notify, with everything the engine needs about them in one read. */
export interface Recipient {
  id: string;
  organizationId: string;
  role: Role;
  locale: string | null;
  /** The recipient's own organization's locale (super admins may belong to another). */
  organizationLocale: string | null;
  notifyOnNewMessage: boolean;
  whatsappNotificationNumber: string | null;
  quietHoursStart: string | null;
  quietHoursEnd: string | null;
  quietHoursTimeZone: string | null;
  /** The user's own choices for this event's type only. */
  preferences: Array<{ type: NotificationType; channel: NotificationChannel; enabled: boolean }>;
}

const ACTIVE_AGENT = { role: "AGENT", active: true } as const;

/**
 * Who hears of an event (README, "How it works"):
 * - NEW_MESSAGE: the conversation's assignee; else its queue's active agents; else all active agents.
 * - CONVERSATION_ASSIGNED: the user it names (new or previous assignee), or, for a conversation
 *   handed to a queue with nobody assigned, that queue's active agents — never the actor.
 * - NEW_MESSAGE skips users who muted the conversation until later than now.
 * - SLA_WARNING: the assignee; else the queue's agents; else the organization's admins.
 * - CAMPAIGN_FAILED, ALERT_CREATED/RESOLVED/STALE, ALERT_ESCALATED level 1: the organization's admins.
 * - ALERT_ESCALATED level 2+: every super admin, whatever their organization.
 * - a triggered event (triggerNotification): the active users of the organization it names.
 * Sorted by id, so concurrent engines take their locks in the same order.
 */
export async function recipientsFor(runtime: Runtime, tx: Prisma.TransactionClient, event: NotificationEvent, subject: Subject): Promise<Recipient[]> {
  const organizationId = event.organizationId;
  const { membersVersion } = subject.organization;
  if (event.type === "NEW_MESSAGE" && subject.conversation) {
    // Every inbound message comes here: its organization's members come from the cache of this version.
    return newMessageRecipients(await memberDirectoryOf(runtime, tx, organizationId, membersVersion), subject.conversation, subject.organization);
  }
  const admins: Prisma.UserWhereInput = { organizationId, role: "ORG_ADMIN", active: true };
  // An alert to a thousand admins read them (and their preferences) through Prisma each
  // time; the members' cache of this version has them already.
  const organizationAdmins = async (): Promise<Recipient[]> =>
    (await memberDirectoryOf(runtime, tx, organizationId, membersVersion)).members
      .filter((m) => m.active && m.role === "ORG_ADMIN")
      .map((m) => recipientOf(m, event.type, subject.organization));
  const conversation = subject.conversation;
  const candidates: Prisma.UserWhereInput[] = [];
  if ("trigger" in event) {
    const { userIds, roles, queueIds } = event.trigger.recipients;
    const anyOf: Prisma.UserWhereInput[] = [
      ...(userIds.length > 0 ? [{ id: { in: userIds } }] : []),
      ...(roles.length > 0 ? [{ role: { in: roles } }] : []),
      ...(queueIds.length > 0 ? [{ queueMemberships: { some: { queueId: { in: queueIds } } } }] : []),
    ];
    return anyOf.length === 0 ? [] : findRecipients(tx, { organizationId, active: true, OR: anyOf }, event.type, subject.organization);
  }
  switch (event.type) {
    case "NEW_MESSAGE":
    case "SLA_WARNING":
      if (conversation?.assigneeId) candidates.push({ id: conversation.assigneeId, organizationId, active: true });
      if (conversation?.queueId) candidates.push({ organizationId, ...ACTIVE_AGENT, queueMemberships: { some: { queueId: conversation.queueId } } });
      candidates.push(event.type === "NEW_MESSAGE" ? { organizationId, ...ACTIVE_AGENT } : admins);
      break;
    case "CONVERSATION_ASSIGNED":
      if (event.audience === "queue" && event.queueId) {
        candidates.push({
          organizationId,
          ...ACTIVE_AGENT,
          queueMemberships: { some: { queueId: event.queueId } },
          ...(event.actorId ? { id: { not: event.actorId } } : {}),
        });
        break;
      }
      if (!event.assigneeId || event.actorId === event.assigneeId) return [];
      candidates.push({ id: event.assigneeId, organizationId, active: true });
      break;
    case "ALERT_ESCALATED":
      if ((event.escalationLevel ?? subject.alert?.escalationLevel ?? 1) < 2) return organizationAdmins();
      candidates.push({ role: "SUPER_ADMIN", active: true });
      break;
    default:
      return organizationAdmins();
  }
  // NEW_MESSAGE gets here only without its conversation (no mutes to honour): the directory served the rest above.
  for (const where of candidates) {
    const found = await findRecipients(tx, where, event.type, subject.organization);
    if (found.length > 0) return found;
  }
  return [];
}

/**
 * NEW_MESSAGE's rule (above) over the organization's cached members: the assignee; else
 * the queue's active agents; else every active agent — less who muted the conversation.
 */
function newMessageRecipients(
  directory: MemberDirectory,
  conversation: NonNullable<Subject["conversation"]>,
  organization: Subject["organization"],
): Recipient[] {
  const activeAgent = (m: DirectoryMember) => m.active && m.role === "AGENT";
  const groups: Array<(m: DirectoryMember) => boolean> = [
    ...(conversation.assigneeId ? [(m: DirectoryMember) => m.id === conversation.assigneeId && m.active] : []),
    ...(conversation.queueId ? [(m: DirectoryMember) => activeAgent(m) && m.queueIds.includes(conversation.queueId!)] : []),
    activeAgent,
  ];
  for (const inGroup of groups) {
    const found = directory.members.filter(inGroup);
    if (found.length === 0) continue;
    return withoutMuted(
      found.map((m) => recipientOf(m, "NEW_MESSAGE", organization)),
      conversation.mutedUserIds,
    );
  }
  return [];
}

function recipientOf(member: DirectoryMember, type: NotificationType, organization: Subject["organization"]): Recipient {
  return {
    id: member.id,
    organizationId: member.organizationId,
    role: member.role,
    locale: member.locale,
    organizationLocale: organization.locale,
    notifyOnNewMessage: member.notifyOnNewMessage,
    whatsappNotificationNumber: member.whatsappNotificationNumber,
    quietHoursStart: member.quietHoursStart,
    quietHoursEnd: member.quietHoursEnd,
    quietHoursTimeZone: member.quietHoursTimeZone,
    preferences: member.preferences.filter((p) => p.type === type),
  };
}

/**
 * Drops who muted the conversation until later than now (read with the subject). Their
 * mute does not pass the message to the next group (the queue, the organization): they
 * chose not to hear of it.
 */
function withoutMuted(recipients: Recipient[], mutedUserIds: string[]): Recipient[] {
  if (mutedUserIds.length === 0) return recipients;
  const muted = new Set(mutedUserIds);
  return recipients.filter((r) => !muted.has(r.id));
}

async function findRecipients(
  tx: Prisma.TransactionClient,
  where: Prisma.UserWhereInput,
  type: NotificationType,
  organization: Subject["organization"],
): Promise<Recipient[]> {
  const crossOrganization = where.organizationId === undefined;
  const users = await tx.user.findMany({
    where,
    orderBy: { id: "asc" },
    select: {
      id: true,
      organizationId: true,
      role: true,
      locale: true,
      notifyOnNewMessage: true,
      whatsappNotificationNumber: true,
      quietHoursStart: true,
      quietHoursEnd: true,
      quietHoursTimeZone: true,
      preferences: { where: { type }, select: { type: true, channel: true, enabled: true } },
      // Only super admins can come from another organization; only then is it read.
      ...(crossOrganization ? { organization: { select: { locale: true } } } : {}),
    },
  });
  return users.map(({ organization: own, ...user }) => ({
    ...user,
    organizationLocale: (own as { locale: string } | undefined)?.locale ?? organization.locale,
  }));
}
