import type { ApiKeyScope, Role } from "../db/client.js";

/**
 * Who is behind a request — the one definition. A person signs in with a token (their
 * user id, organization and role); an integrator's API key (src/auth/api-key.ts) acts for
 * its organization, within its scopes, and is never a person: no inbox, no preferences,
 * no role. Services that only people may call take a PersonActor (ServiceContext's
 * default); the few an API key may call take an Actor and narrow on `kind`.
 */
export type Actor = PersonActor | ApiKeyActor;

/** A user of an organization, with the role their token carries. (`kind` may be left out.) */
export interface PersonActor {
  kind?: "user";
  userId: string;
  organizationId: string;
  role: Role;
}

export interface ApiKeyActor {
  kind: "apiKey";
  apiKeyId: string;
  organizationId: string;
  scopes: readonly ApiKeyScope[];
}

/** The caller of a request: a person whose token expires (src/auth/jwt.ts's Viewer), or an API key. */
export type RequestActor = (PersonActor & { expiresAt: number }) | ApiKeyActor;

export const isApiKey = (actor: Actor): actor is ApiKeyActor => actor.kind === "apiKey";

/** The person behind an actor, or null for an API key (and anonymous callers). */
export function personOf<A extends Actor>(actor: A | null): Exclude<A, ApiKeyActor> | null {
  return actor && !isApiKey(actor) ? (actor as Exclude<A, ApiKeyActor>) : null;
}

/** What the audit log records of an actor: the user or the key that acted. */
export function auditActorOf(actor: Actor | null): { actorId: string | null; apiKeyId: string | null } {
  if (!actor) return { actorId: null, apiKeyId: null };
  return isApiKey(actor) ? { actorId: null, apiKeyId: actor.apiKeyId } : { actorId: actor.userId, apiKeyId: null };
}
