import { createRequire } from "node:module";
import { defineConfig } from "vitest/config";

// graphql-js ships CJS (main) and ESM (module): Node loads the CJS one for every
// dependency, so our own code must get the same copy or `instanceof` checks break.
const graphqlEntry = createRequire(import.meta.url).resolve("graphql");

export default defineConfig({
  resolve: { alias: [{ find: /^graphql$/, replacement: graphqlEntry }] },
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["test/chaos/**"],
    globalSetup: ["test/setup/global.ts"],
    pool: "forks",
    // Two cores: two test files at a time, each with its own database and server.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 90_000,
    teardownTimeout: 30_000,
  },
});
