import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse, type GraphQLSchema } from "graphql";

/** The label for an operation name outside the known set: metrics stay bounded whatever clients send. */
export const OTHER_OPERATION = "other";

/**
 * The operation names metrics may carry as label values: the names of the persisted /
 * documented operations in `operations/` (when present) and the schema's root field
 * names (clients commonly name an operation after the field it calls). Everything else
 * is `other`, so 5,000 random names add no series.
 */
export function knownOperationNames(schema: GraphQLSchema, operationsDir = defaultOperationsDir()): Set<string> {
  const names = new Set<string>();
  for (const root of [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()]) {
    for (const field of Object.keys(root?.getFields() ?? {})) names.add(field);
  }
  for (const file of graphqlFiles(operationsDir)) {
    try {
      for (const definition of parse(readFileSync(file, "utf8")).definitions) {
        if (definition.kind === "OperationDefinition" && definition.name) names.add(definition.name.value);
      }
    } catch {
      // A file that does not parse names nothing; schema:check reports it elsewhere.
    }
  }
  return names;
}

/** The label value for `name`: itself when known, "anonymous" when absent, else "other". */
export function operationLabel(known: ReadonlySet<string>, name: string | undefined): string {
  if (!name) return "anonymous";
  return known.has(name) ? name : OTHER_OPERATION;
}

function defaultOperationsDir(): string {
  // src/observability/ (tsx) or dist/observability/ (build): operations/ is two levels up.
  return fileURLToPath(new URL("../../operations/", import.meta.url));
}

function graphqlFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(".graphql"))
    .map((e) => join(e.parentPath ?? dir, e.name));
}
