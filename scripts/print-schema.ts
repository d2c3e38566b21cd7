// npm run schema:print writes schema.graphql; npm run schema:check fails when it is stale.
import { readFileSync, writeFileSync } from "node:fs";
import { printedSchema } from "../src/schema/index.js";

const file = new URL("../schema.graphql", import.meta.url);
const printed = printedSchema();
if (process.argv.includes("--check")) {
  const committed = (() => {
    try {
      return readFileSync(file, "utf8");
    } catch {
      return "";
    }
  })();
  if (committed !== printed) {
    console.error("schema.graphql is out of date: run `npm run schema:print` and commit it.");
    process.exit(1);
  }
  console.log("schema.graphql is up to date");
} else {
  writeFileSync(file, printed);
  console.log("wrote schema.graphql");
}
process.exit(0);
