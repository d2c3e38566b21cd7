import { createRemoteJWKSet, errors, jwtVerify, SignJWT, type JWTVerifyGetKey } from "jose";
import { z } from "zod";
import { developmentSecret } from "../config/dev-secret.js";
import type { Config } from "../config/index.js";
import { Role } from "../db/client.js";
import { ExpiringMap } from "../expiring-map.js";
import type { PersonActor } from "./actor.js";

/** Who is calling, as the token says (an Actor whose token expires): every read and write is scoped by `organizationId`. */
export interface Viewer extends PersonActor {
  /** Seconds since epoch; a WebSocket is closed when it passes. */
  expiresAt: number;
}

export class AuthError extends Error {}

const claimsSchema = z.object({
  sub: z.string().uuid(),
  org: z.string().uuid(),
  role: z.nativeEnum(Role),
  exp: z.number(),
});

// Symmetric tokens are HS256 only; a JWKS accepts the asymmetric families. Never both,
// so an RS256 public key can never be used as an HMAC secret ("alg confusion").
const HMAC_ALGORITHMS = ["HS256"];
const JWKS_ALGORITHMS = ["RS256", "PS256", "ES256", "EdDSA"];

const VERIFIED_CACHE_MS = 60_000;
const VERIFIED_CACHE_SIZE = 10_000;

export interface TokenVerifier {
  verify(token: string): Promise<Viewer>;
}

/** In development a secret is generated once and kept under `.aviso/`, so tokens survive restarts. */
export function resolveJwtSecret(config: Pick<Config, "JWT_SECRET" | "JWT_JWKS_URL" | "NODE_ENV" | "AVISO_HOME">): string | undefined {
  if (config.JWT_SECRET) return config.JWT_SECRET;
  if (config.JWT_JWKS_URL) return undefined;
  if (config.NODE_ENV === "production") throw new Error("JWT_SECRET or JWT_JWKS_URL must be set in production");
  return developmentSecret(config.AVISO_HOME, "jwt-secret");
}

export function createTokenVerifier(config: Config): TokenVerifier {
  const secret = resolveJwtSecret(config);
  const key: Uint8Array | JWTVerifyGetKey = secret ? new TextEncoder().encode(secret) : createRemoteJWKSet(new URL(config.JWT_JWKS_URL!));
  const options = {
    algorithms: secret ? HMAC_ALGORITHMS : JWKS_ALGORITHMS,
    requiredClaims: ["exp", "sub"],
    ...(config.JWT_ISSUER ? { issuer: config.JWT_ISSUER } : {}),
    ...(config.JWT_AUDIENCE ? { audience: config.JWT_AUDIENCE } : {}),
  };
  // A client sends the same token with every request: once its signature and claims
  // checked out, the same bytes are trusted again for a minute (never past their `exp`).
  const verified = new ExpiringMap<string, Viewer>(VERIFIED_CACHE_SIZE);
  return {
    async verify(token) {
      const hit = verified.get(token);
      if (hit) return hit;
      try {
        const { payload } = await (typeof key === "function" ? jwtVerify(token, key, options) : jwtVerify(token, key, options));
        const claims = claimsSchema.parse(payload);
        const viewer: Viewer = { userId: claims.sub, organizationId: claims.org, role: claims.role, expiresAt: claims.exp };
        verified.set(token, viewer, Math.min(claims.exp * 1000 - Date.now(), VERIFIED_CACHE_MS));
        return viewer;
      } catch (error) {
        if (error instanceof errors.JWTExpired) throw new AuthError("token expired");
        if (error instanceof errors.JOSEError || error instanceof z.ZodError) throw new AuthError("invalid token");
        throw error;
      }
    },
  };
}

/** Signs an HS256 token, as `npm run token` and the tests do. */
export async function signToken(
  config: Config,
  user: { id: string; organizationId: string; role: Role },
  ttl: string | number = "12h",
): Promise<string> {
  const secret = resolveJwtSecret(config);
  if (!secret) throw new Error("tokens can only be signed with JWT_SECRET (JWT_JWKS_URL verifies tokens issued elsewhere)");
  let jwt = new SignJWT({ org: user.organizationId, role: user.role })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(user.id)
    .setIssuedAt()
    .setExpirationTime(ttl);
  if (config.JWT_ISSUER) jwt = jwt.setIssuer(config.JWT_ISSUER);
  if (config.JWT_AUDIENCE) jwt = jwt.setAudience(config.JWT_AUDIENCE);
  return jwt.sign(new TextEncoder().encode(secret));
}

/** "Bearer abc" → "abc"; anything else → undefined. */
export function bearerToken(header: unknown): string | undefined {
  if (typeof header !== "string") return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}
