import { createSourceEventStream, getOperationAST, getVariableValues, GraphQLError, type DocumentNode, type ExecutionArgs, type GraphQLSchema } from "graphql";
import { compileQuery, isCompiledQuery, type CompiledQuery } from "graphql-jit";
import { isAsyncIterable, makeSubscribe, mapAsyncIterator, type Plugin } from "graphql-yoga";

/** Compiled subscription documents kept; past it the least recently used is compiled again when next used. */
const MAX_COMPILED = 256;

type RunEvent = CompiledQuery["query"];

/**
 * Subscription frames through a compiled execution (graphql-jit). A subscription is
 * set up as before — its arguments coerced and its `subscribe` resolver (and scope
 * check) run once by graphql-js — and each event is then executed by the document's
 * compiled function instead of the interpreter, with one mapping layer between the
 * event stream and the socket. Resolvers, their owner checks, error masking and the
 * results are the same; a document graphql-jit cannot compile runs as before.
 *
 * graphql-jit's own `subscribe` is not used: it hands the subscribe resolver the
 * operation's variables instead of the field's arguments (0.8.7–0.8.9), which would
 * drop an inline `after:` or `conversationId:`.
 */
export function compiledSubscriptions(): Plugin {
  const compiled = new Map<DocumentNode, { operationName: string | undefined; run: RunEvent | null }>();

  const compiledFor = (schema: GraphQLSchema, document: DocumentNode, operationName: string | undefined): RunEvent | null => {
    let entry = compiled.get(document);
    if (entry && entry.operationName === operationName) {
      // Most recently used goes last: Map keeps insertion order.
      compiled.delete(document);
    } else {
      const query = compileQuery(schema, document, operationName);
      entry = { operationName, run: isCompiledQuery(query) ? query.query : null };
    }
    compiled.set(document, entry);
    if (compiled.size > MAX_COMPILED) compiled.delete(compiled.keys().next().value!);
    return entry.run;
  };

  /** Subscribes as graphql-js does, then runs each event through `run`; bad variables get the executor's own answer. */
  const subscribeWith = (run: RunEvent, fallback: SubscribeFn) =>
    makeSubscribe(async (args: ExecutionArgs) => {
      if (variablesFail(args)) return fallback(args);
      const stream = await createSourceEventStream(args);
      if (!isAsyncIterable(stream)) return stream;
      const variables = args.variableValues ?? {};
      return mapAsyncIterator(stream, (event) => run(event, args.contextValue, variables), wrapStreamError(args));
    });

  return {
    onSubscribe({ args, subscribeFn, setSubscribeFn }) {
      const run = compiledFor(args.schema, args.document, args.operationName ?? undefined);
      if (run) setSubscribeFn(subscribeWith(run, subscribeFn));
    },
  };
}

type SubscribeFn = (args: ExecutionArgs) => unknown;

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
