import type { ApiKeyScope, Role } from "../db/client.js";
import type { Viewer } from "./jwt.js";

/**
 * Who is behind a request — the one definition. A person signs in with a token (their
 * user id, organization and role); an integrator's API key acts for its organization,
 * within its scopes, and is never a person: it has no inbox, no preferences, no role.
 */
export type Actor = PersonActor | ApiKeyActor;

export type PersonActor = Viewer & { kind: "user" };

export interface ApiKeyActor {
  kind: "apiKey";
  apiKeyId: string;
  organizationId: string;
  scopes: readonly ApiKeyScope[];
}

export const personActor = (viewer: Viewer): PersonActor => ({ ...viewer, kind: "user" });

/** The person behind an actor, or null for an API key (and anonymous callers). */
export function personOf(actor: Actor | null): Viewer | null {
  return actor?.kind === "user" ? actor : null;
}

/** What the audit log records of an actor: the user or the key that acted. */
export function auditActorOf(actor: Actor | null): { actorId: string | null; apiKeyId: string | null } {
  if (!actor) return { actorId: null, apiKeyId: null };
  return actor.kind === "user" ? { actorId: actor.userId, apiKeyId: null } : { actorId: null, apiKeyId: actor.apiKeyId };
}

/** The role an actor holds for role checks; API keys hold none (scopes decide for them). */
export function roleOf(actor: Actor | null): Role | undefined {
  return actor?.kind === "user" ? actor.role : undefined;
}
