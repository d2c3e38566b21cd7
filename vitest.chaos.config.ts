import { createRequire } from "node:module";
import { defineConfig } from "vitest/config";

// graphql-js ships CJS (main) and ESM (module): Node loads the CJS one for every
// dependency, so our own code must get the same copy or `instanceof` checks break.
const graphqlEntry = createRequire(import.meta.url).resolve("graphql");

// `npm run test:chaos`: the long crash storm, kept out of `npm test`.
export default defineConfig({
  resolve: { alias: [{ find: /^graphql$/, replacement: graphqlEntry }] },
  test: {
    include: ["test/chaos/**/*.test.ts"],
    globalSetup: ["test/setup/global.ts"],
    pool: "forks",
    // The storm is long and uses both cores: one file at a time.
    maxWorkers: 1,
    testTimeout: 600_000,
    hookTimeout: 90_000,
    teardownTimeout: 30_000,
  },
});
