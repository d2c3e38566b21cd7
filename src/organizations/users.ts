import { z } from "zod";
import { announceStandingChange } from "../auth/standing-changes.js";
import { recordAudit } from "../audit/record.js";
import { Prisma, Role, type User } from "../db/client.js";
import { invalidInput, notFound } from "../errors.js";
import { maskPhone } from "../observability/log.js";
import { preferencesInputSchema } from "../preferences/update.js";
import type { ServiceContext } from "../service-context.js";
import { parseInput } from "../validation.js";

/**
 * An organization's people, managed by its admins (seed 004): create, update,
 * deactivate, reactivate. Every function takes the caller's tenant-scoped client, so
 * another organization's user is NOT_FOUND; each change is audited in its own
 * transaction; the organization always keeps one active admin.
 */

const uuid = z.string().uuid();
/** Roles an organization's admin hands out; SUPER_ADMIN is the platform's (`npm run admin -- create-super-admin`). */
const assignableRole = z.enum([Role.ORG_ADMIN, Role.AGENT, Role.VIEWER], { message: "must be ORG_ADMIN, AGENT or VIEWER" });

export const emailSchema = z.string().trim().toLowerCase().email("not an email address").max(254);
export const personNameSchema = z.string().trim().min(1, "must not be empty").max(200);
export const localeSchema = z.enum(["pt-BR", "en"], { message: "must be pt-BR or en" });

const createUserSchema = z.object({
  email: emailSchema,
  name: personNameSchema,
  role: assignableRole.default(Role.AGENT),
  queueIds: z.array(uuid).max(50).default([]),
  whatsappNumber: preferencesInputSchema.shape.whatsappNumber,
  locale: localeSchema.nullish(),
});

const updateUserSchema = z.object({
  name: personNameSchema.nullish(),
  role: assignableRole.nullish(),
  locale: localeSchema.nullish(),
  whatsappNumber: preferencesInputSchema.shape.whatsappNumber,
  notifyOnNewMessage: z.boolean().nullish(),
  /** The user's queues, replacing the current ones. */
  queueIds: z.array(uuid).max(50).nullish(),
});

export type CreateUserInput = z.input<typeof createUserSchema>;
export type UpdateUserInput = z.input<typeof updateUserSchema>;

export async function createUser({ db, actor }: ServiceContext, input: CreateUserInput): Promise<User> {
  const data = parseInput(createUserSchema, input);
  try {
    return await db.$transaction(async (tx) => {
      await assertQueues(tx, data.queueIds);
      const user = await tx.user.create({
        data: {
          organizationId: actor.organizationId,
          email: data.email,
          name: data.name,
          role: data.role,
          whatsappNotificationNumber: data.whatsappNumber ?? null,
          locale: data.locale ?? null,
        },
      });
      if (data.queueIds.length > 0) {
        await tx.queueMember.createMany({ data: data.queueIds.map((queueId) => ({ organizationId: actor.organizationId, queueId, userId: user.id })) });
      }
      await recordAudit(tx, {
        organizationId: actor.organizationId,
        actor,
        action: "user.created",
        entityType: "User",
        entityId: user.id,
        data: { email: data.email, role: data.role, queueIds: data.queueIds, whatsappNumber: data.whatsappNumber ? maskPhone(data.whatsappNumber) : null },
      });
      return user;
    });
  } catch (error) {
    // Emails are unique across Aviso (sign-in and `npm run token` find people by email).
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") throw invalidInput("email", `${data.email} is already in use`);
    throw error;
  }
}

export async function updateUser({ db, runtime, actor }: ServiceContext, { userId, changes: input }: { userId: string; changes: UpdateUserInput }): Promise<User> {
  const data = parseInput(updateUserSchema, input);
  const { user, roleChanged } = await db.$transaction(async (tx) => {
    const before = await existingUser(tx, userId);
    if (data.role && data.role !== before.role && before.role === Role.ORG_ADMIN && before.active) await assertAnotherActiveAdmin(tx, actor.organizationId, before.id);
    if (before.role === Role.SUPER_ADMIN && data.role) throw invalidInput("role", "a super admin's role is not changed here");
    if (data.queueIds) await assertQueues(tx, data.queueIds);
    const changes: Prisma.UserUpdateInput = {
      ...(data.name != null ? { name: data.name } : {}),
      ...(data.role != null ? { role: data.role } : {}),
      ...(data.locale !== undefined ? { locale: data.locale } : {}),
      ...(data.whatsappNumber !== undefined ? { whatsappNotificationNumber: data.whatsappNumber } : {}),
      ...(data.notifyOnNewMessage != null ? { notifyOnNewMessage: data.notifyOnNewMessage } : {}),
    };
    const user = await tx.user.update({ where: { id: before.id }, data: changes });
    if (data.queueIds) {
      await tx.queueMember.deleteMany({ where: { userId: user.id, queueId: { notIn: data.queueIds } } });
      await tx.queueMember.createMany({
        data: data.queueIds.map((queueId) => ({ organizationId: actor.organizationId, queueId, userId: user.id })),
        skipDuplicates: true,
      });
    }
    await recordAudit(tx, {
      organizationId: actor.organizationId,
      actor,
      action: "user.updated",
      entityType: "User",
      entityId: user.id,
      data: {
        ...Object.fromEntries(Object.entries(changes).filter(([key]) => key !== "whatsappNotificationNumber")),
        ...(data.whatsappNumber !== undefined ? { whatsappNumber: data.whatsappNumber ? maskPhone(data.whatsappNumber) : null } : {}),
        ...(data.queueIds ? { queueIds: data.queueIds } : {}),
        ...(data.role && data.role !== before.role ? { previousRole: before.role } : {}),
      } as Prisma.InputJsonObject,
    });
    return { user, roleChanged: data.role != null && data.role !== before.role };
  });
  // Their tokens name the old role: refused from now on, their sockets closed.
  if (roleChanged) await announceStandingChange(runtime, { userIds: [user.id], organizationId: null });
  return user;
}

/**
 * Deactivates a user: their tokens are refused and their open sockets closed (4403) on
 * every instance. The organization's last active admin cannot be deactivated.
 */
export async function deactivateUser({ db, runtime, actor }: ServiceContext, userId: string): Promise<User> {
  const user = await db.$transaction(async (tx) => {
    const before = await existingUser(tx, userId);
    if (!before.active) return before;
    if (before.role === Role.ORG_ADMIN) await assertAnotherActiveAdmin(tx, actor.organizationId, before.id);
    const user = await tx.user.update({ where: { id: before.id }, data: { active: false } });
    await recordAudit(tx, { organizationId: actor.organizationId, actor, action: "user.deactivated", entityType: "User", entityId: user.id });
    return user;
  });
  await announceStandingChange(runtime, { userIds: [user.id], organizationId: null });
  return user;
}

export async function reactivateUser({ db, runtime, actor }: ServiceContext, userId: string): Promise<User> {
  const user = await db.$transaction(async (tx) => {
    const before = await existingUser(tx, userId);
    if (before.active) return before;
    const user = await tx.user.update({ where: { id: before.id }, data: { active: true } });
    await recordAudit(tx, { organizationId: actor.organizationId, actor, action: "user.reactivated", entityType: "User", entityId: user.id });
    return user;
  });
  // Instances that cached "inactive" forget it, so the user's new tokens work at once.
  await announceStandingChange(runtime, { userIds: [user.id], organizationId: null });
  return user;
}

async function existingUser(tx: Prisma.TransactionClient, userId: string): Promise<User> {
  if (!uuid.safeParse(userId).success) throw notFound("user");
  const user = await tx.user.findUnique({ where: { id: userId } });
  if (!user) throw notFound("user");
  return user;
}

/**
 * Refuses to leave the organization without an active admin. The organization row is
 * locked first, so two admins deactivating each other at once cannot both succeed.
 */
async function assertAnotherActiveAdmin(tx: Prisma.TransactionClient, organizationId: string, leavingUserId: string): Promise<void> {
  await tx.$queryRaw`SELECT 1 FROM "Organization" WHERE id = ${organizationId}::uuid FOR UPDATE`;
  const others = await tx.user.count({ where: { role: Role.ORG_ADMIN, active: true, id: { not: leavingUserId } } });
  if (others === 0) throw invalidInput("id", "this is the organization's last active admin");
}

async function assertQueues(tx: Prisma.TransactionClient, queueIds: string[]): Promise<void> {
  if (queueIds.length === 0) return;
  const found = await tx.queue.count({ where: { id: { in: [...new Set(queueIds)] } } });
  if (found !== new Set(queueIds).size) throw notFound("queue");
}
