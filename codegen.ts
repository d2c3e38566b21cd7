import type { CodegenConfig } from "@graphql-codegen/cli";

// Types the operations tests and clients send, from the committed schema.graphql.
// Output is regenerated on install (postinstall) and never committed.
const config: CodegenConfig = {
  schema: "schema.graphql",
  documents: ["test/operations/**/*.graphql"],
  generates: {
    "test/generated/operations.ts": {
      plugins: ["typescript-operations", "typed-document-node"],
      config: {
        scalars: { DateTime: "string", ID: "string" },
        enumsAsTypes: true,
        useTypeImports: true,
        avoidOptionals: { field: true, inputValue: false },
      },
    },
  },
};

export default config;
