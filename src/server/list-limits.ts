import { GraphQLError, Kind, type DocumentNode, type ValueNode } from "graphql";
import type { Plugin } from "graphql-yoga";
import type { Context } from "../schema/context.js";

/**
 * What one list item costs against GRAPHQL_MAX_COST: each id of `nodes(ids:)` is a row
 * read, as expensive as a field several levels deep. With the defaults (cost 20,000,
 * lists ≤ 100) an operation may carry 100 such items in all.
 */
export const LIST_ITEM_COST = 200;

/**
 * Refuses, before any resolver runs, an operation whose list arguments — literal or
 * passed in variables, nested in input objects too — hold more than `maxLength` items
 * in one list, or whose items together cost more than `maxCost`. Answers
 * BAD_USER_INPUT with the limit, so a 10,000-id `nodes` call costs a parse and no query.
 */
export function listArgumentLimits(limits: { maxLength: number; maxCost: number }): Plugin<Context> {
  const check = (document: DocumentNode, variables: Record<string, unknown> | undefined | null): GraphQLError | null => {
    const shape = listShapeOf(document);
    let total = shape.literalItems;
    let longest = shape.longestLiteral;
    const countValue = (value: unknown) => {
      if (Array.isArray(value)) {
        longest = Math.max(longest, value.length);
        total += value.length;
        for (const item of value) if (typeof item === "object" && item !== null) countValue(item);
      } else if (typeof value === "object" && value !== null) {
        for (const v of Object.values(value)) countValue(v);
      }
    };
    for (const name of shape.variablesInArguments) countValue(variables?.[name]);
    if (longest > limits.maxLength) {
      return new GraphQLError(`A list argument holds ${longest} items; at most ${limits.maxLength} are allowed`, { extensions: { code: "BAD_USER_INPUT" } });
    }
    if (total * LIST_ITEM_COST > limits.maxCost) {
      return new GraphQLError(`List arguments cost ${total * LIST_ITEM_COST}; the limit is ${limits.maxCost}`, { extensions: { code: "BAD_USER_INPUT" } });
    }
    return null;
  };
  /** The longest array anywhere in the variables (checked before parsing, so a flood costs only the JSON parse). */
  const longestArray = (value: unknown, depth = 0): number => {
    if (depth > 20 || typeof value !== "object" || value === null) return 0;
    const own = Array.isArray(value) ? value.length : 0;
    let inner = 0;
    for (const v of Array.isArray(value) ? value.slice(0, limits.maxLength + 1) : Object.values(value)) inner = Math.max(inner, longestArray(v, depth + 1));
    return Math.max(own, inner);
  };
  return {
    onParams({ params, setResult }) {
      const longest = longestArray(params.variables);
      if (longest > limits.maxLength) {
        setResult({
          errors: [
            new GraphQLError(`A list argument holds ${longest} items; at most ${limits.maxLength} are allowed`, { extensions: { code: "BAD_USER_INPUT" } }),
          ],
        });
      }
    },
    onExecute({ args, setResultAndStopExecution }) {
      const error = check(args.document, args.variableValues as Record<string, unknown> | undefined);
      if (error) setResultAndStopExecution({ errors: [error] });
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const error = check(args.document, args.variableValues as Record<string, unknown> | undefined);
      if (error) setResultAndStopExecution({ errors: [error] });
    },
  };
}

/** What a document's arguments hold in lists: its literal items, and the variables they pass (once per use). */
interface ListShape {
  literalItems: number;
  longestLiteral: number;
  variablesInArguments: string[];
}

// Documents are parsed once and cached by Yoga: their shape is walked once too, then
// each request only counts its variables. Weak keys: a forgotten document takes its entry.
const shapes = new WeakMap<DocumentNode, ListShape>();

function listShapeOf(document: DocumentNode): ListShape {
  const known = shapes.get(document);
  if (known) return known;
  const shape: ListShape = { literalItems: 0, longestLiteral: 0, variablesInArguments: [] };
  const countNode = (node: ValueNode) => {
    if (node.kind === Kind.LIST) {
      shape.longestLiteral = Math.max(shape.longestLiteral, node.values.length);
      shape.literalItems += node.values.length;
      node.values.forEach(countNode);
    } else if (node.kind === Kind.OBJECT) {
      for (const field of node.fields) countNode(field.value);
    } else if (node.kind === Kind.VARIABLE) shape.variablesInArguments.push(node.name.value);
  };
  const seen = new Set<ValueNode>();
  const visit = (node: unknown): void => {
    if (typeof node !== "object" || node === null) return;
    const n = node as { kind?: string; arguments?: readonly { value: ValueNode }[] };
    if ((n.kind === Kind.FIELD || n.kind === Kind.DIRECTIVE) && n.arguments) {
      for (const arg of n.arguments) {
        if (seen.has(arg.value)) continue;
        seen.add(arg.value);
        countNode(arg.value);
      }
    }
    for (const [key, child] of Object.entries(node)) {
      if (key === "loc") continue;
      if (Array.isArray(child)) child.forEach(visit);
      else if (typeof child === "object") visit(child);
    }
  };
  visit(document);
  shapes.set(document, shape);
  return shape;
}
