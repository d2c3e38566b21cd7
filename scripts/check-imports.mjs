#!/usr/bin/env node
// Checks the import rules of src/ (README, "Layout"): no import cycles between files
// (type-only imports count), delivery's channel adapters import nothing from GraphQL,
// webhooks import nothing from notifications, no domain folder imports src/server/, and
// no resolver file touches the unscoped client.
// Usage: node scripts/check-imports.mjs  (exit status 1 and a list when a rule breaks)
import { readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const root = resolve(dirname(new URL(import.meta.url).pathname), "..");
const src = join(root, "src");
const SKIP = new Set([join(src, "generated")]);

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (SKIP.has(path)) return [];
    if (statSync(path).isDirectory()) return files(path);
    return path.endsWith(".ts") ? [path] : [];
  });
}

const SPECIFIER = /(?:^|[\s;])(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\s+from\s+)?["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;

/** Every module `file` imports: relative ones resolved to paths under src/, packages as their names. */
function importsOf(file) {
  const text = readFileSync(file, "utf8");
  const found = [];
  for (const match of text.matchAll(SPECIFIER)) {
    const spec = match[1] ?? match[2];
    if (spec.startsWith(".")) found.push(resolve(dirname(file), spec).replace(/\.js$/, ".ts"));
    else found.push(spec);
  }
  return found;
}

const all = files(src);
const graph = new Map(all.map((f) => [f, importsOf(f)]));
const rel = (f) => relative(root, f);
const problems = [];

// Cycles (Tarjan's strongly connected components).
let index = 0;
const indexOf = new Map();
const low = new Map();
const stack = [];
const onStack = new Set();
function connect(v) {
  indexOf.set(v, index);
  low.set(v, index++);
  stack.push(v);
  onStack.add(v);
  for (const w of graph.get(v) ?? []) {
    if (!graph.has(w)) continue;
    if (!indexOf.has(w)) {
      connect(w);
      low.set(v, Math.min(low.get(v), low.get(w)));
    } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), indexOf.get(w)));
  }
  if (low.get(v) === indexOf.get(v)) {
    const component = [];
    let w;
    do {
      w = stack.pop();
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1) problems.push(`import cycle: ${component.map(rel).sort().join(" ⇄ ")}`);
  }
}
for (const file of all) if (!indexOf.has(file)) connect(file);

const inFolder = (file, folder) => file.startsWith(join(src, folder) + "/");
const DOMAINS = readdirSync(src).filter((name) => statSync(join(src, name)).isDirectory() && !["server", "generated"].includes(name));
// Channel adapters and everything they load (deliver.ts and what it imports, transitively).
const reachable = (start) => {
  const seen = new Set([start]);
  const pending = [start];
  while (pending.length > 0) for (const next of graph.get(pending.pop()) ?? []) if (graph.has(next) && !seen.has(next)) seen.add(next), pending.push(next);
  return seen;
};
const adapterFiles = reachable(join(src, "delivery", "deliver.ts"));

for (const [file, imports] of graph) {
  for (const target of imports) {
    if (inFolder(file, "webhooks") && inFolder(target, "notifications")) problems.push(`${rel(file)} imports ${rel(target)} (webhooks must not import notifications)`);
    if (DOMAINS.some((d) => inFolder(file, d)) && inFolder(target, "server")) problems.push(`${rel(file)} imports ${rel(target)} (domains must not import src/server/)`);
    if (inFolder(file, "delivery") && inFolder(target, "notifications")) problems.push(`${rel(file)} imports ${rel(target)} (delivery must not import notifications)`);
    const adapter = adapterFiles.has(file);
    if (adapter && (inFolder(target, "schema") || /^(graphql$|@pothos\/)/.test(target) || target.endsWith("/schema.ts"))) {
      problems.push(`${rel(file)} imports ${rel(target)} (channel adapters must not import GraphQL)`);
    }
  }
}

// Resolvers use only the tenant-scoped client (ctx.db); the unscoped one stays in services.
for (const file of all) {
  const graphql = inFolder(file, "schema") || file.endsWith("/schema.ts") || file.endsWith("/types.ts");
  if (graphql && /\bruntime\.prisma\b/.test(readFileSync(file, "utf8"))) problems.push(`${rel(file)} uses runtime.prisma (resolvers get only ctx.db)`);
}

if (problems.length > 0) {
  console.error(problems.join("\n"));
  process.exit(1);
}
console.log(`imports ok: ${all.length} files, no cycles`);
