import {
  createSourceEventStream,
  getOperationAST,
  getVariableValues,
  GraphQLError,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from "graphql";
import { compileQuery, isCompiledQuery, type CompiledQuery } from "graphql-jit";
import { isAsyncIterable, makeSubscribe, mapAsyncIterator, type Plugin } from "graphql-yoga";

/** Compiled documents kept; past it the least recently used is compiled again when next used. */
const MAX_COMPILED = 256;
/** Query documents whose uses are counted until they turn hot; past it the least recently seen is forgotten. */
const MAX_COUNTED = 2048;
/**
 * A query is compiled on its third execution: compiling costs about what a few dozen
 * interpreted executions do, so a document sent once or twice (an explorer, a stranger
 * sending a new document each time) is never worth it, while a client's own queries —
 * the same few documents all day — turn hot at once.
 */
const COMPILE_AFTER_USES = 3;

type RunCompiled = CompiledQuery["query"];

/**
 * Hot documents through a compiled execution (graphql-jit) instead of the interpreter:
 * the queries a client repeats (its inbox page, its badge) and every subscription's
 * events (each frame). Resolvers, their scope and owner checks, error masking and the
 * results are the same — the compiled function calls the same resolvers; a document
 * graphql-jit cannot compile, a mutation, or an introspection runs as before.
 *
 * A subscription is set up as before — its arguments coerced and its `subscribe`
 * resolver (and scope check) run once by graphql-js — and each event is then executed
 * by the document's compiled function, with one mapping layer between the event stream
 * and the socket. graphql-jit's own `subscribe` is not used: it hands the subscribe
 * resolver the operation's variables instead of the field's arguments (0.8.7–0.8.9),
 * which would drop an inline `after:` or `conversationId:`.
 */
export function compiledExecution(): Plugin {
  const compiled = new Map<DocumentNode, { operationName: string | undefined; run: RunCompiled | null }>();
  const uses = new Map<DocumentNode, number>();

  const compiledFor = (schema: GraphQLSchema, document: DocumentNode, operationName: string | undefined): RunCompiled | null => {
    let entry = compiled.get(document);
    if (entry && entry.operationName === operationName) {
      // Most recently used goes last: Map keeps insertion order.
      compiled.delete(document);
    } else {
      const query = compileQuery(schema, document, operationName, { disablingCapturingStackErrors: true });
      entry = { operationName, run: isCompiledQuery(query) ? query.query : null };
    }
    compiled.set(document, entry);
    if (compiled.size > MAX_COMPILED) compiled.delete(compiled.keys().next().value!);
    return entry.run;
  };

  /** Whether this query document has now been executed often enough to be compiled. */
  const isHot = (document: DocumentNode): boolean => {
    if (compiled.has(document)) return true;
    const seen = (uses.get(document) ?? 0) + 1;
    uses.delete(document);
    if (seen >= COMPILE_AFTER_USES) return true;
    uses.set(document, seen);
    if (uses.size > MAX_COUNTED) uses.delete(uses.keys().next().value!);
    return false;
  };

  /** Subscribes as graphql-js does, then runs each event through `run`; bad variables get the executor's own answer. */
  const subscribeWith = (run: RunCompiled, fallback: SubscribeFn) =>
    makeSubscribe(async (args: ExecutionArgs) => {
      if (variablesFail(args)) return fallback(args);
      const stream = await createSourceEventStream(args);
      if (!isAsyncIterable(stream)) return stream;
      const variables = args.variableValues ?? {};
      return mapAsyncIterator(stream, (event) => run(event, args.contextValue, variables), wrapStreamError(args));
    });

  return {
    onExecute({ args, executeFn, setExecuteFn }) {
      const operation = getOperationAST(args.document, args.operationName);
      if (operation?.operation !== "query" || asksForIntrospection(operation) || !isHot(args.document)) return;
      const run = compiledFor(args.schema, args.document, args.operationName ?? undefined);
      if (!run) return;
      setExecuteFn((execution) => {
        const result = run(execution.rootValue, execution.contextValue, execution.variableValues ?? {});
        // No data at all: the variables were refused before any resolver ran. graphql-jit
        // words that differently: the executor answers, in graphql-js' words.
        const answer = (r: ExecutionResult) => (r.data === undefined ? executeFn(execution) : r);
        return result instanceof Promise ? result.then(answer) : answer(result);
      });
    },
    onSubscribe({ args, subscribeFn, setSubscribeFn }) {
      const run = compiledFor(args.schema, args.document, args.operationName ?? undefined);
      if (run) setSubscribeFn(subscribeWith(run, subscribeFn));
    },
  };
}

type SubscribeFn = (args: ExecutionArgs) => unknown;

/** `__schema` / `__type` at the top: the interpreter answers introspection (rare, and GraphiQL's). */
function asksForIntrospection(operation: OperationDefinitionNode): boolean {
  return operation.selectionSet.selections.some((s) => s.kind === "Field" && (s.name.value === "__schema" || s.name.value === "__type"));
}

function variablesFail(args: ExecutionArgs): boolean {
  const operation = getOperationAST(args.document, args.operationName);
  if (!operation) return true;
  return "errors" in getVariableValues(args.schema, operation.variableDefinitions ?? [], args.variableValues ?? {}, { maxErrors: 50 });
}

/** An error of the event stream itself (a feed's replay failing), located at the operation as graphql-yoga's executor does. */
function wrapStreamError(args: ExecutionArgs) {
  const operation = getOperationAST(args.document, args.operationName);
  return (error: unknown): never => {
    const cause = error instanceof Error ? error : new Error(String(error));
    throw new GraphQLError(cause.message, { originalError: cause, ...(operation ? { nodes: [operation] } : {}) });
  };
}
