import { queryFromInfo } from "@pothos/plugin-prisma";
import type { GraphQLResolveInfo } from "graphql";

/** What Pothos plans for a Notification field: the columns and relations its selection reads. */
export type FrameQuery = { select?: Record<string, unknown>; include?: Record<string, unknown> };

// Pothos plans a prismaField's query by walking the field's selection on every
// resolution: for a subscription, on every event — a third or more of a compiled frame's
// execution (bench/frame-execution.ts) — though one
// subscription's selection never changes. So a `notificationAdded` frame's query is planned
// on its subscription's first event and reused for the next ones: keyed by the
// subscription's context (one per subscribe), its document and its variables. Planning
// also records, in that context, that the relations it includes come with the row; the
// nested resolvers of later events find that record there, and where they would not,
// they load the relation themselves — slower, never wrong.
const planned = new WeakMap<object, WeakMap<object, { variables: string; query: FrameQuery }>>();

export function frameQuery(context: object, info: GraphQLResolveInfo): FrameQuery {
  let byOperation = planned.get(context);
  if (!byOperation) planned.set(context, (byOperation = new WeakMap()));
  const variables = JSON.stringify(info.variableValues);
  const known = byOperation.get(info.operation);
  if (known && known.variables === variables) return known.query;
  const query = queryFromInfo({ context, info }) as FrameQuery;
  byOperation.set(info.operation, { variables, query });
  return query;
}
