import type { CodegenConfig } from "@graphql-codegen/cli";

// Types the operations tests and clients send, from the committed schema.graphql.
// Output is regenerated on install (postinstall) and never committed.
const typedDocuments = {
  plugins: ["typescript-operations", "typed-document-node"],
  config: {
    scalars: { DateTime: "string", ID: "string" },
    enumsAsTypes: true,
    useTypeImports: true,
    avoidOptionals: { field: true, inputValue: false },
  },
};

const config: CodegenConfig = {
  schema: "schema.graphql",
  generates: {
    // Only what the tests need beyond operations/: a screen's document that fits a test is
    // imported from src/client instead of copied here.
    "test/generated/operations.ts": { documents: ["test/operations/**/*.graphql"], ...typedDocuments },
    // The frontend contract: every operation under operations/, typed, for src/client/.
    // An operation that no longer matches schema.graphql fails here (and so in CI).
    "src/client/generated/operations.ts": { documents: ["operations/**/*.graphql"], ...typedDocuments },
  },
};

export default config;
