import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from "jose";
import { z } from "zod";
import { recordAudit } from "../audit/record.js";
import type { Config } from "../config/index.js";
import { Prisma, Role, type PrismaClient } from "../db/client.js";
import { ExpiringMap } from "../expiring-map.js";
import { AuthError, type TokenVerifier, type Viewer } from "./jwt.js";

// As src/auth/jwt.ts: a JWKS only ever verifies asymmetric signatures.
const JWKS_ALGORITHMS = ["RS256", "PS256", "ES256", "EdDSA"];
const VERIFIED_CACHE_MS = 60_000;
const RANK: Record<Role, number> = { VIEWER: 0, AGENT: 1, ORG_ADMIN: 2, SUPER_ADMIN: 3 };

const email = z.string().trim().toLowerCase().email().max(254);
const uuid = z.string().uuid();

/**
 * Single sign-on without pre-created users: with `JWT_JWKS_URL` and
 * `JWT_AUTO_PROVISION=true`, a verified identity-provider token that names an email
 * (`JWT_EMAIL_CLAIM`) and an organization (`JWT_ORG_CLAIM`, its id or slug) signs in
 * as that person — created on first sight with the role of `JWT_ROLE_CLAIM`, capped at
 * AGENT unless that role is listed in `JWT_TRUSTED_ROLES`. Later sign-ins use the
 * person's role in Aviso (admins change it with updateUser). Tokens without those
 * claims go to `base` (Aviso's own `sub`/`org`/`role` tokens).
 */
export function withAutoProvisioning(config: Config, prisma: PrismaClient, base: TokenVerifier): TokenVerifier {
  if (!config.JWT_AUTO_PROVISION || !config.JWT_JWKS_URL) return base;
  const jwks = createRemoteJWKSet(new URL(config.JWT_JWKS_URL));
  const options = {
    algorithms: JWKS_ALGORITHMS,
    requiredClaims: ["exp"],
    ...(config.JWT_ISSUER ? { issuer: config.JWT_ISSUER } : {}),
    ...(config.JWT_AUDIENCE ? { audience: config.JWT_AUDIENCE } : {}),
  };
  const verified = new ExpiringMap<string, Viewer>(10_000);
  return {
    async verify(token) {
      const hit = verified.get(token);
      if (hit) return hit;
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, jwks, options));
      } catch (error) {
        if (error instanceof errors.JWTExpired) throw new AuthError("token expired");
        if (error instanceof errors.JOSEError) throw new AuthError("invalid token");
        throw error;
      }
      const claimedEmail = payload[config.JWT_EMAIL_CLAIM];
      const claimedOrganization = payload[config.JWT_ORG_CLAIM];
      if (typeof claimedEmail !== "string" || typeof claimedOrganization !== "string") return base.verify(token);
      const viewer = await personFor(prisma, config, {
        email: claimedEmail,
        organization: claimedOrganization,
        role: payload[config.JWT_ROLE_CLAIM],
        name: payload.name,
        expiresAt: payload.exp!,
      });
      verified.set(token, viewer, Math.min(payload.exp! * 1000 - Date.now(), VERIFIED_CACHE_MS));
      return viewer;
    },
  };
}

interface Claims {
  email: string;
  organization: string;
  role: unknown;
  name: unknown;
  expiresAt: number;
}

/** The role a first sign-in gets: the claim's, capped at AGENT unless trusted; AGENT when absent or unknown. */
export function provisionedRole(claimed: unknown, trusted: readonly Role[]): Role {
  const role = typeof claimed === "string" && claimed in RANK ? (claimed as Role) : Role.AGENT;
  if (trusted.includes(role)) return role;
  return RANK[role] > RANK.AGENT ? Role.AGENT : role;
}

async function personFor(prisma: PrismaClient, config: Config, claims: Claims): Promise<Viewer> {
  const address = email.safeParse(claims.email);
  if (!address.success) throw new AuthError("the email claim is not an email address");
  const organization = await prisma.organization.findUnique({
    where: uuid.safeParse(claims.organization).success ? { id: claims.organization } : { slug: claims.organization },
    select: { id: true, suspendedAt: true },
  });
  if (!organization) throw new AuthError("unknown organization");
  if (organization.suspendedAt) throw new AuthError("organization suspended");
  const existing = await prisma.user.findUnique({ where: { email: address.data } });
  if (existing) {
    if (existing.organizationId !== organization.id) throw new AuthError("that email belongs to another organization");
    return { userId: existing.id, organizationId: existing.organizationId, role: existing.role, expiresAt: claims.expiresAt };
  }
  const role = provisionedRole(claims.role, config.JWT_TRUSTED_ROLES);
  const name = typeof claims.name === "string" && claims.name.trim() ? claims.name.trim().slice(0, 200) : address.data.split("@")[0]!;
  try {
    const user = await prisma.$transaction(async (tx) => {
      const user = await tx.user.create({ data: { organizationId: organization.id, email: address.data, name, role } });
      await recordAudit(tx, {
        organizationId: organization.id,
        actor: null,
        action: "user.provisioned",
        entityType: "User",
        entityId: user.id,
        data: { email: user.email, role, claimedRole: String(claims.role ?? "") },
      });
      return user;
    });
    return { userId: user.id, organizationId: user.organizationId, role: user.role, expiresAt: claims.expiresAt };
  } catch (error) {
    // Two first requests at once: the other one created the person.
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") return personFor(prisma, config, claims);
    throw error;
  }
}
