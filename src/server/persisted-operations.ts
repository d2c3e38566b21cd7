import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { usePersistedOperations } from "@graphql-yoga/plugin-persisted-operations";
import { GraphQLError, Kind, parse, print, visit, type DefinitionNode, type FragmentDefinitionNode, type OperationDefinitionNode } from "graphql";
import type { Plugin } from "graphql-yoga";

/**
 * Persisted operations: the documents under `operations/` (the frontend contract),
 * each known by the sha256 of its canonical text. A client sends
 * `extensions: { persistedQuery: { version: 1, sha256Hash } }` instead of `query`;
 * with PERSISTED_OPERATIONS_ONLY=true nothing else is executed.
 *
 * The canonical text of an operation is its definition followed by every fragment it
 * uses (transitively), sorted by name, each printed by graphql-js and joined by a
 * blank line. scripts/persisted-operations.ts writes the same ids for the client
 * (src/client/), so both sides hash the same bytes.
 */

/**
 * operations/ at the repository root: found from src/server/ and dist/server/ alike, from a
 * bundled dist/main.js, or in the working directory; undefined when none exists.
 */
export function findOperationsDir(): string | undefined {
  const candidates = [
    fileURLToPath(new URL("../../operations/", import.meta.url)),
    fileURLToPath(new URL("../operations/", import.meta.url)),
    join(process.cwd(), "operations"),
  ];
  return candidates.find((dir) => existsSync(dir));
}

export interface PersistedOperation {
  /** The operation's name, e.g. `InboxNotifications`. */
  name: string;
  /** sha256 of `document`, hex. */
  hash: string;
  /** The canonical text sent for execution. */
  document: string;
  /** The .graphql file it came from, relative to operations/. */
  file: string;
}

export interface PersistedOperations {
  byHash: ReadonlyMap<string, PersistedOperation>;
  byName: ReadonlyMap<string, PersistedOperation>;
}

/** Every `.graphql` file under `dir`, sorted by path, as `{ file, source }`. */
export function readOperationSources(dir: string | undefined = findOperationsDir()): Array<{ file: string; source: string }> {
  if (!dir) throw new Error("operations/ not found next to the code or in the working directory");
  const files: string[] = [];
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".graphql")) files.push(path);
    }
  };
  walk(dir);
  return files.sort().map((path) => ({ file: relative(dir, path), source: readFileSync(path, "utf8") }));
}

const isOperation = (d: DefinitionNode): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION;
const isFragment = (d: DefinitionNode): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION;

function fragmentSpreads(node: OperationDefinitionNode | FragmentDefinitionNode): string[] {
  const names: string[] = [];
  visit(node, { FragmentSpread: (spread) => void names.push(spread.name.value) });
  return names;
}

/**
 * One persisted operation per named operation in `sources` (fragments may live in any
 * file). Throws on an anonymous operation, a duplicate name or an unknown fragment:
 * the contract must be unambiguous.
 */
export function buildPersistedOperations(sources: Array<{ file: string; source: string }>): PersistedOperations {
  const fragments = new Map<string, FragmentDefinitionNode>();
  const operations: Array<{ file: string; node: OperationDefinitionNode }> = [];
  for (const { file, source } of sources) {
    for (const definition of parse(source, { noLocation: true }).definitions) {
      if (isFragment(definition)) {
        if (fragments.has(definition.name.value)) throw new Error(`operations/${file}: fragment ${definition.name.value} is defined twice`);
        fragments.set(definition.name.value, definition);
      } else if (isOperation(definition)) {
        if (!definition.name) throw new Error(`operations/${file}: every operation needs a name`);
        operations.push({ file, node: definition });
      }
    }
  }
  const byHash = new Map<string, PersistedOperation>();
  const byName = new Map<string, PersistedOperation>();
  for (const { file, node } of operations) {
    const name = node.name!.value;
    if (byName.has(name)) throw new Error(`operations/${file}: operation ${name} is defined twice`);
    const used = new Map<string, FragmentDefinitionNode>();
    const pending = fragmentSpreads(node);
    while (pending.length > 0) {
      const spread = pending.pop()!;
      if (used.has(spread)) continue;
      const fragment = fragments.get(spread);
      if (!fragment) throw new Error(`operations/${file}: ${name} uses unknown fragment ${spread}`);
      used.set(spread, fragment);
      pending.push(...fragmentSpreads(fragment));
    }
    const ordered = [...used.values()].sort((a, b) => a.name.value.localeCompare(b.name.value));
    const document = [node, ...ordered].map((definition) => print(definition)).join("\n\n");
    const operation = { name, hash: sha256(document), document, file };
    byHash.set(operation.hash, operation);
    byName.set(name, operation);
  }
  return { byHash, byName };
}

export const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

let loaded: PersistedOperations | undefined;

/**
 * The operations/ manifest, read once per process. Without an operations/ directory (a
 * deployment that did not ship it) it is empty — every hash is unknown — unless only
 * persisted operations may run, which then cannot start.
 */
export function persistedOperations(options: { required?: boolean } = {}): PersistedOperations {
  if (loaded) return loaded;
  const dir = findOperationsDir();
  if (!dir) {
    if (options.required) throw new Error("PERSISTED_OPERATIONS_ONLY=true but operations/ is missing: ship the operations/ directory beside the code");
    return { byHash: new Map(), byName: new Map() };
  }
  loaded = buildPersistedOperations(readOperationSources(dir));
  return loaded;
}

const ONLY_PERSISTED_MESSAGE =
  "This server runs only persisted operations (PERSISTED_OPERATIONS_ONLY=true): send `extensions.persistedQuery` " +
  "{ version: 1, sha256Hash } of an operation from operations/ instead of `query`";
const UNKNOWN_HASH_MESSAGE = "No persisted operation has this sha256Hash: the client and the server were built from different operations/";

export const persistedOperationErrors = {
  required: () => new GraphQLError(ONLY_PERSISTED_MESSAGE, { extensions: { code: "PERSISTED_OPERATION_REQUIRED" } }),
  notFound: () => new GraphQLError(UNKNOWN_HASH_MESSAGE, { extensions: { code: "PERSISTED_OPERATION_NOT_FOUND" } }),
  noQuery: () =>
    new GraphQLError("Send `query`, or `extensions.persistedQuery` { version: 1, sha256Hash } of a persisted operation", {
      extensions: { code: "BAD_USER_INPUT" },
    }),
};

/**
 * Yoga's persisted-operations plugin over the operations/ manifest (HTTP). A request
 * carrying a known hash runs that document; with `onlyPersisted` a request carrying
 * `query` is refused with PERSISTED_OPERATION_REQUIRED.
 */
export function persistedOperationsPlugin(options: { onlyPersisted: boolean }): Plugin {
  const manifest = persistedOperations({ required: options.onlyPersisted });
  return usePersistedOperations({
    allowArbitraryOperations: !options.onlyPersisted,
    getPersistedOperation: (hash) => manifest.byHash.get(hash)?.document ?? null,
    customErrors: {
      persistedQueryOnly: persistedOperationErrors.required,
      notFound: persistedOperationErrors.notFound,
      keyNotFound: persistedOperationErrors.noQuery,
    },
  });
}

/**
 * The same rule for a graphql-ws `subscribe` payload (src/server/ws.ts), where Yoga's
 * params hook does not run: a payload with a persisted hash gets its document
 * (graphql-ws requires `query` to be a string: clients send ""), and with
 * `onlyPersisted` a payload without one is refused.
 */
export function resolvePersistedPayload<P extends { query: string; extensions?: Record<string, unknown> | null }>(
  payload: P,
  options: { onlyPersisted: boolean },
): P | GraphQLError {
  const persisted = payload.extensions?.persistedQuery as { version?: unknown; sha256Hash?: unknown } | undefined;
  if (persisted && persisted.version === 1 && typeof persisted.sha256Hash === "string") {
    const operation = persistedOperations({ required: options.onlyPersisted }).byHash.get(persisted.sha256Hash);
    return operation ? { ...payload, query: operation.document } : persistedOperationErrors.notFound();
  }
  if (options.onlyPersisted) return persistedOperationErrors.required();
  return payload;
}
