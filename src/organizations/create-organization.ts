import { z } from "zod";
import type { Actor } from "../auth/actor.js";
import { recordAudit } from "../audit/record.js";
import { Prisma, Role, type Organization, type PrismaClient, type User } from "../db/client.js";
import { invalidInput } from "../errors.js";
import type { ServiceContext } from "../service-context.js";
import { organizationSettingsSchema } from "./settings.js";
import { emailSchema, localeSchema, personNameSchema } from "./users.js";

/** The organization super admins belong to (as the demo seed names it). */
export const PLATFORM_SLUG = "aviso";

const createOrganizationSchema = z.object({
  name: z.string().trim().min(1, "must not be empty").max(120),
  timeZone: organizationSettingsSchema.shape.timeZone.unwrap().nullish(),
  locale: localeSchema.nullish(),
  admin: z.object({ email: emailSchema, name: personNameSchema.nullish() }),
});

export type CreateOrganizationInput = z.input<typeof createOrganizationSchema>;

export interface CreatedOrganization {
  organization: Organization;
  admin: User;
  /** False when the organization (by slug) and its admin already existed: nothing was written. */
  created: boolean;
}

/** "Padaria São João Ltda." → "padaria-sao-joao-ltda": lower-case ASCII words joined by dashes. */
export function slugOf(name: string): string {
  return name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 50)
    .replace(/-+$/, "");
}

/**
 * Creates an organization (slug from its name) with its first ORG_ADMIN, audited, in
 * one transaction. `idempotent` (the admin CLI): an organization with that slug is
 * reused and the admin ensured in it, so running the command twice changes nothing;
 * otherwise (the API) an existing slug is BAD_USER_INPUT. `prisma` is unscoped: only
 * super admins and the CLI get here.
 */
export async function createOrganization(
  prisma: PrismaClient,
  actor: Actor | null,
  input: CreateOrganizationInput,
  options: { idempotent?: boolean } = {},
): Promise<CreatedOrganization> {
  const parsed = createOrganizationSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw invalidInput(issue.path.join(".") || "input", issue.message);
  }
  const data = parsed.data;
  const slug = slugOf(data.name);
  if (!slug) throw invalidInput("name", "needs at least one letter or digit");
  try {
    return await prisma.$transaction(async (tx) => {
      let organization = await tx.organization.findUnique({ where: { slug } });
      let created = false;
      if (organization && !options.idempotent) throw invalidInput("name", `an organization with the slug "${slug}" already exists`);
      if (!organization) {
        organization = await tx.organization.create({
          data: { slug, name: data.name, ...(data.timeZone ? { timeZone: data.timeZone } : {}), ...(data.locale ? { locale: data.locale } : {}) },
        });
        created = true;
        await recordAudit(tx, {
          organizationId: organization.id,
          actor,
          action: "organization.created",
          entityType: "Organization",
          entityId: organization.id,
          data: { name: organization.name, slug, timeZone: organization.timeZone, locale: organization.locale },
        });
      }
      let admin = await tx.user.findUnique({ where: { email: data.admin.email } });
      if (admin && (admin.organizationId !== organization.id || admin.role !== Role.ORG_ADMIN)) {
        throw invalidInput("admin.email", `${data.admin.email} is already in use`);
      }
      if (!admin) {
        admin = await tx.user.create({
          data: { organizationId: organization.id, email: data.admin.email, name: data.admin.name ?? data.admin.email.split("@")[0]!, role: Role.ORG_ADMIN },
        });
        created = true;
        await recordAudit(tx, {
          organizationId: organization.id,
          actor,
          action: "user.created",
          entityType: "User",
          entityId: admin.id,
          data: { email: admin.email, role: admin.role },
        });
      }
      return { organization, admin, created };
    });
  } catch (error) {
    // Two creations racing for one slug or email: the loser reports it as a duplicate.
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
      if (options.idempotent) return createOrganization(prisma, actor, input, options);
      throw invalidInput("name", `an organization named "${data.name}" or the admin ${data.admin.email} already exists`);
    }
    throw error;
  }
}

/**
 * Ensures a SUPER_ADMIN with this email in the platform organization (created if
 * missing). Idempotent; an email taken by someone who is not a super admin is refused.
 */
export async function ensureSuperAdmin(prisma: PrismaClient, input: { email: string; name?: string | null }): Promise<{ user: User; created: boolean }> {
  const email = emailSchema.safeParse(input.email);
  if (!email.success) throw invalidInput("email", email.error.issues[0]!.message);
  const name = input.name ? personNameSchema.safeParse(input.name) : undefined;
  if (name && !name.success) throw invalidInput("name", name.error.issues[0]!.message);
  return prisma.$transaction(async (tx) => {
    const existing = await tx.user.findUnique({ where: { email: email.data } });
    if (existing) {
      if (existing.role !== Role.SUPER_ADMIN) throw invalidInput("email", `${email.data} is already in use by a user who is not a super admin`);
      return { user: existing, created: false };
    }
    const platform =
      (await tx.organization.findUnique({ where: { slug: PLATFORM_SLUG } })) ?? (await tx.organization.create({ data: { slug: PLATFORM_SLUG, name: "Aviso" } }));
    const user = await tx.user.create({
      data: { organizationId: platform.id, email: email.data, name: name?.data ?? email.data.split("@")[0]!, role: Role.SUPER_ADMIN },
    });
    await recordAudit(tx, { organizationId: platform.id, actor: null, action: "user.created", entityType: "User", entityId: user.id, data: { email: user.email, role: user.role } });
    return { user, created: true };
  });
}

/** createOrganization for a super admin (the API): a new slug only, audited as theirs. */
export function onboardOrganization({ runtime, actor }: ServiceContext, input: CreateOrganizationInput): Promise<CreatedOrganization> {
  // A new tenant is no tenant's row: the unscoped client, on purpose.
  return createOrganization(runtime.prisma, actor, input);
}
