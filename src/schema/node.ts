import { decodeGlobalID, resolveNodes } from "@pothos/plugin-relay";
import { isObjectType, type GraphQLResolveInfo } from "graphql";
import { Prisma } from "../db/client.js";
import { builder } from "./builder.js";
import type { Context } from "./context.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The row behind a global id, through the caller's tenant-scoped client. Not a global
 * id, not a Node type, not a uuid, or no such row for this caller: null, never an
 * error — another organization's row must look exactly like a missing one.
 */
async function loadNode(globalId: string, ctx: Context, info: GraphQLResolveInfo): Promise<unknown> {
  let decoded: { typename: string; id: string };
  try {
    decoded = decodeGlobalID(globalId);
  } catch {
    return null;
  }
  const type = info.schema.getType(decoded.typename);
  const isNode = isObjectType(type) && type.getInterfaces().some((i) => i.name === "Node");
  if (!isNode || !UUID.test(decoded.id)) return null;
  try {
    const [node] = await resolveNodes(builder, ctx, info, [decoded]);
    return node ?? null;
  } catch (error) {
    // The Prisma plugin loads nodes with findUniqueOrThrow: "no row" is P2025.
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2025") return null;
    throw error;
  }
}

// The relay plugin's own node/nodes parse ids before the resolver runs, answering a
// malformed id with an error; these take plain IDs (same printed schema).
builder.queryField("node", (t) =>
  t.field({
    type: builder.nodeInterfaceRef(),
    nullable: true,
    description:
      "Refetches any object by its global id. Any caller: it never gives UNAUTHENTICATED or NOT_FOUND — an anonymous caller, a malformed id, " +
      "an id of another organization or of nothing all answer null.",
    args: { id: t.arg.id({ required: true, description: "A global id (`id` of any Node)." }) },
    resolve: (_root, args, ctx, info) => loadNode(args.id, ctx, info),
  }),
);

builder.queryField("nodes", (t) =>
  t.field({
    type: [builder.nodeInterfaceRef()],
    nullable: { list: false, items: true },
    description:
      "Refetches several objects by global id, in the order asked; like `node`, each id that is malformed, foreign or missing answers null. " +
      "Any caller: never UNAUTHENTICATED or NOT_FOUND.",
    args: { ids: t.arg.idList({ required: true, description: "Global ids (`id` of any Node)." }) },
    resolve: (_root, args, ctx, info) => args.ids.map((id) => loadNode(id, ctx, info)),
  }),
);
