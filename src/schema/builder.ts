import SchemaBuilder from "@pothos/core";
import ErrorsPlugin from "@pothos/plugin-errors";
import PrismaPlugin from "@pothos/plugin-prisma";
import RelayPlugin from "@pothos/plugin-relay";
import ScopeAuthPlugin from "@pothos/plugin-scope-auth";
import { GraphQLError, GraphQLScalarType } from "graphql";
import { Role, type ApiKeyScope } from "../db/client.js";
import type PrismaTypes from "../generated/pothos-types.js";
import { getDatamodel } from "../generated/pothos-types.js";
import type { Context } from "./context.js";

/**
 * The one Pothos builder. It defines no types: each domain adds its own in its
 * `schema.ts`, and src/schema/index.ts imports them all.
 *
 * Scopes map roles: SUPER_ADMIN ⊃ ORG_ADMIN ⊃ AGENT ⊃ VIEWER. Fields default to
 * `loggedIn`; mutations that change shared state ask for `agent` or `orgAdmin`.
 */
export const builder = new SchemaBuilder<{
  Context: Context;
  PrismaTypes: PrismaTypes;
  DefaultFieldNullability: false;
  /** `apiKey`: an integrator's key holding that scope (src/auth/api-key.ts); the others are a person's role. */
  AuthScopes: { loggedIn: boolean; agent: boolean; orgAdmin: boolean; superAdmin: boolean; apiKey: ApiKeyScope };
  Scalars: {
    DateTime: { Input: Date; Output: Date };
    ID: { Input: string; Output: string };
  };
}>({
  plugins: [ScopeAuthPlugin, ErrorsPlugin, PrismaPlugin, RelayPlugin],
  defaultFieldNullability: false,
  scopeAuth: {
    authScopes: (ctx) => {
      const role = ctx.viewer?.role;
      return {
        loggedIn: !!ctx.viewer,
        agent: role === Role.AGENT || role === Role.ORG_ADMIN || role === Role.SUPER_ADMIN,
        orgAdmin: role === Role.ORG_ADMIN || role === Role.SUPER_ADMIN,
        superAdmin: role === Role.SUPER_ADMIN,
        apiKey: (scope) => ctx.actor?.kind === "apiKey" && ctx.actor.scopes.includes(scope),
      };
    },
    unauthorizedError: (_parent, ctx) =>
      ctx.actor
        ? new GraphQLError("You are not allowed to do this", { extensions: { code: "FORBIDDEN" } })
        : new GraphQLError("Authentication required", { extensions: { code: "UNAUTHENTICATED" } }),
  },
  prisma: {
    client: (ctx) => ctx.db,
    dmmf: getDatamodel(),
    filterConnectionTotalCount: true,
    onUnusedQuery: null,
  },
  relay: {
    clientMutationId: "omit",
    cursorType: "String",
    // Defined in src/schema/node.ts instead: they take ids unparsed, so a malformed one is null.
    nodeQueryOptions: false,
    nodesQueryOptions: false,
  },
});

builder.addScalarType(
  "DateTime",
  new GraphQLScalarType<Date, string>({
    name: "DateTime",
    description: "An ISO-8601 instant, e.g. 2026-11-22T10:00:00.000Z",
    serialize: (value) => (value instanceof Date ? value : new Date(String(value))).toISOString(),
    parseValue: (value) => {
      const date = new Date(String(value));
      if (Number.isNaN(date.getTime())) throw new GraphQLError("DateTime must be an ISO-8601 string", { extensions: { code: "BAD_USER_INPUT" } });
      return date;
    },
  }),
);

builder.queryType({});
builder.mutationType({});
builder.subscriptionType({});
