// Entry point: `node dist/main.js all|serve|worker` in production, `npm start` (tsx) in development.
// Checks Node first, before anything that would fail obscurely on an older one.
import { readFileSync } from "node:fs";

const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  console.error(`Aviso needs Node.js 22.12 or newer; this is ${process.version}. Install Node 22 (see .nvmrc) and try again.`);
  process.exit(1);
}
// The supported version is package.json's `engines` (what pg-boss and @whatwg-node declare);
// 20.19+ still runs, so it is a warning, not a refusal (README "Node.js version").
const engines = (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { engines?: { node?: string } }).engines?.node ?? "";
const [, wantMajor = 0, wantMinor = 0] = (/(\d+)\.(\d+)/.exec(engines) ?? []).map(Number);
if (major < wantMajor || (major === wantMajor && minor < wantMinor)) {
  console.error(`warning: Node.js ${process.version} is older than the supported ${engines} (package.json engines); it runs, but only Node 22 is tested in CI`);
}

const role = process.argv[2] ?? "all";
if (role !== "all" && role !== "serve" && role !== "worker") {
  console.error(`unknown role "${role}": use all, serve or worker`);
  process.exit(2);
}

try {
  const { run } = await import("./server/run.js");
  await run(role);
} catch (error) {
  // A wrong environment (ConfigError, StartupError) is said in one line per problem,
  // naming the variable; anything else is a bug and keeps its stack.
  const known = error instanceof Error && (error.name === "ConfigError" || error.name === "StartupError");
  console.error(known ? (error as Error).message : error);
  process.exit(1);
}
