// Entry point: `node dist/main.js all|serve|worker` in production, `npm start` (tsx) in development.
// Checks Node first, before anything that would fail obscurely on an older one.
const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  console.error(`Aviso needs Node.js 20.19 or newer; this is ${process.version}. Install a current LTS and try again.`);
  process.exit(1);
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
