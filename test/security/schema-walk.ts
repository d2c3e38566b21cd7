import {
  getNamedType,
  isAbstractType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isRequiredArgument,
  isScalarType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLOutputType,
} from "graphql";
import { schema } from "../../src/schema/index.js";

/**
 * Walks the executable schema (the one the server runs, as scripts/print-schema.ts
 * imports it) so security tests cover every root field, including ones added later,
 * and build each probe's arguments and selection from the field's own types.
 */

export type RootKind = "query" | "mutation" | "subscription";

export type RootField = GraphQLField<unknown, unknown>;

export function rootFields(kind: RootKind): RootField[] {
  const type = kind === "query" ? schema.getQueryType() : kind === "mutation" ? schema.getMutationType() : schema.getSubscriptionType();
  return Object.values(type?.getFields() ?? {});
}

/** Whether an input type is, or holds somewhere inside, an ID. */
function holdsId(type: GraphQLInputType, seen = new Set<string>()): boolean {
  const named = getNamedType(type);
  if (named.name === "ID") return true;
  if (!isInputObjectType(named) || seen.has(named.name)) return false;
  seen.add(named.name);
  return Object.values(named.getFields()).some((field) => holdsId(field.type, seen));
}

/** The field's arguments that are (or contain) ids: where another organization's ids go. */
export function idArguments(field: RootField): string[] {
  return field.args.filter((arg) => holdsId(arg.type)).map((arg) => arg.name);
}

/** Values for the field's arguments: ids from `idFor`, plain placeholders for the rest, `overrides` first. */
export function argumentValues(
  field: RootField,
  idFor: (argument: string) => string | string[],
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const arg of field.args) {
    if (arg.name in overrides) values[arg.name] = overrides[arg.name];
    // Optional ids are still probed (e.g. messageAdded(conversationId)); other optional arguments are left out.
    else if (holdsId(arg.type)) values[arg.name] = idValue(arg, idFor);
    else if (isRequiredArgument(arg)) values[arg.name] = placeholder(arg.type);
  }
  return values;
}

function idValue(arg: GraphQLArgument, idFor: (argument: string) => string | string[]): unknown {
  const id = idFor(arg.name);
  const list = isListType(isNonNullType(arg.type) ? arg.type.ofType : arg.type);
  return list ? (Array.isArray(id) ? id : [id]) : id;
}

function placeholder(type: GraphQLInputType): unknown {
  if (isNonNullType(type)) return placeholder(type.ofType);
  if (isListType(type)) return [placeholder(type.ofType)];
  if (isEnumType(type)) return type.getValues()[0]!.value;
  if (isInputObjectType(type)) {
    return Object.fromEntries(
      Object.values(type.getFields())
        .filter((f) => isNonNullType(f.type))
        .map((f) => [f.name, placeholder(f.type)]),
    );
  }
  switch (type.name) {
    case "Int":
    case "Float":
      return 1;
    case "Boolean":
      return false;
    case "DateTime":
      return new Date().toISOString();
    default:
      return "probe";
  }
}

/**
 * Every field reachable without required arguments, `depth` levels down, never
 * re-entering a type already on the path: as much of the answer as can leak.
 */
export function selectionFor(type: GraphQLOutputType | GraphQLNamedType, depth: number, path: string[] = [], aliasPrefix = ""): string {
  const named = getNamedType(type);
  if (isScalarType(named) || isEnumType(named)) return "";
  const onPath = [...path, named.name];
  if (isAbstractType(named)) {
    // Aliased per type: fragments of one selection may not ask for same-named fields of different types.
    const fragments = schema.getPossibleTypes(named).map((possible) => `... on ${possible.name} ${selectionFor(possible, depth, path, `${possible.name}_`)}`);
    return `{ __typename ${fragments.join(" ")} }`;
  }
  if (!isObjectType(named)) return "";
  const name = (field: string) => (aliasPrefix ? `${aliasPrefix}${field}: ${field}` : field);
  const parts = ["__typename"];
  for (const field of Object.values(named.getFields())) {
    if (field.args.some(isRequiredArgument)) continue;
    const child = getNamedType(field.type);
    if (isScalarType(child) || isEnumType(child)) parts.push(name(field.name));
    else if (depth > 0 && !onPath.includes(child.name)) parts.push(`${name(field.name)} ${selectionFor(child, depth - 1, onPath)}`);
  }
  return `{ ${parts.join(" ")} }`;
}

/** One operation calling `field` with `values` as variables, selecting as deep as `depth`. */
export function operationFor(kind: RootKind, field: RootField, values: Record<string, unknown>, depth = 4): string {
  const used = field.args.filter((arg) => arg.name in values);
  const declarations = used.map((arg) => `$${arg.name}: ${String(arg.type)}`).join(", ");
  const passed = used.map((arg) => `${arg.name}: $${arg.name}`).join(", ");
  return `${kind} Probe${declarations ? `(${declarations})` : ""} { ${field.name}${passed ? `(${passed})` : ""} ${selectionFor(field.type, depth)} }`;
}
