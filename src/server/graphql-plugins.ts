import { isApiKey } from "../auth/actor.js";
import { EnvelopArmorPlugin } from "@escape.tech/graphql-armor";
import { GraphQLError, NoSchemaIntrospectionCustomRule, type DefinitionNode, type OperationDefinitionNode } from "graphql";
import type { Plugin } from "graphql-yoga";
import type { Context } from "../schema/context.js";
import type { Runtime } from "../runtime.js";
import { persistedOperationsPlugin } from "./persisted-operations.js";
import { knownOperationNames, operationLabel } from "../observability/operation-names.js";
import { schema } from "../schema/index.js";
import { compiledExecution } from "./compiled-execution.js";
import { listArgumentLimits } from "./list-limits.js";
import type { RateLimits } from "./rate-limits.js";

/**
 * Envelop plugins every operation goes through — over HTTP and over WebSocket alike,
 * since src/server/ws.ts executes through Yoga's envelop too.
 */
export function graphqlPlugins(runtime: Runtime, rateLimits: RateLimits): Plugin<Context>[] {
  const { config, metrics } = runtime;
  const knownNames = knownOperationNames(schema);
  const plugins: Plugin<Context>[] = [
    // Runs operations/ documents by hash; with PERSISTED_OPERATIONS_ONLY, nothing else.
    persistedOperationsPlugin({ onlyPersisted: config.PERSISTED_OPERATIONS_ONLY }) as Plugin<Context>,
    // Depth, aliases, tokens, directives, cost; and no "did you mean" field suggestions.
    EnvelopArmorPlugin({
      maxDepth: { n: config.GRAPHQL_MAX_DEPTH, ignoreIntrospection: true },
      maxAliases: { n: config.GRAPHQL_MAX_ALIASES },
      maxTokens: { n: config.GRAPHQL_MAX_TOKENS },
      maxDirectives: { n: 20 },
      costLimit: { maxCost: config.GRAPHQL_MAX_COST, ignoreIntrospection: true },
      blockFieldSuggestion: { enabled: true },
    }) as Plugin<Context>,
    // graphql-armor cannot see list arguments (a variable may hold 10,000 ids): bounded here.
    listArgumentLimits({ maxLength: config.GRAPHQL_MAX_LIST_LENGTH, maxCost: config.GRAPHQL_MAX_COST }),
    // Hot queries and every subscription event (a frame) run their document's compiled function, not the interpreter.
    compiledExecution() as Plugin<Context>,
    {
      onExecute({ args }) {
        const operation = args.document.definitions.find((d: DefinitionNode): d is OperationDefinitionNode => d.kind === "OperationDefinition");
        const started = performance.now();
        return {
          onExecuteDone({ result }) {
            const seconds = (performance.now() - started) / 1000;
            const type = operation?.operation ?? "unknown";
            // A client picks the name: only known names become label values (else "other").
            const name = operationLabel(knownNames, operation?.name?.value);
            metrics.graphqlDuration.observe({ type, name }, seconds);
            // Error codes only: messages may quote input.
            const codes = "errors" in result && result.errors ? result.errors.map((e) => String(e.extensions?.code ?? "INTERNAL")) : undefined;
            args.contextValue.log.info({ operation: type, operationName: name, durationMs: Math.round(seconds * 1000), errors: codes }, "graphql operation");
          },
        };
      },
    },
    {
      // Mutations per user; anonymous mutations fail on auth anyway.
      async onExecute({ args, setResultAndStopExecution }) {
        const isMutation = args.document.definitions.some((d: DefinitionNode) => d.kind === "OperationDefinition" && d.operation === "mutation");
        const actor = args.contextValue.actor;
        if (!isMutation || !actor) return;
        if (!(await rateLimits.allow("mutation", isApiKey(actor) ? `apiKey:${actor.apiKeyId}` : actor.userId))) {
          setResultAndStopExecution({
            errors: [new GraphQLError("Too many mutations: slow down and retry in a minute", { extensions: { code: "RATE_LIMITED" } })],
          });
        }
      },
    },
  ];
  if (!config.GRAPHIQL_ENABLED) {
    plugins.push({
      onValidate({ addValidationRule }) {
        addValidationRule(NoSchemaIntrospectionCustomRule);
      },
    });
  }
  return plugins;
}
