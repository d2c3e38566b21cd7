// Entry point for `npm start` (all), `npm run serve` and `npm run worker`.
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
const { run } = await import("./server/run.js");
await run(role);
