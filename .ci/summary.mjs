// Sums vitest JSON reports into the plain closing line CI readers understand, and names every
// failed test with the first lines of its failure: CI shows only the tail of its output.
import { existsSync, readFileSync } from "node:fs";

let passed = 0;
let failed = 0;
let skipped = 0;
const failures = [];
for (const file of process.argv.slice(2)) {
  if (!existsSync(file)) {
    failed += 1;
    console.error(`missing test report: ${file}`);
    continue;
  }
  const report = JSON.parse(readFileSync(file, "utf8"));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  skipped += report.numPendingTests + report.numTodoTests;
  for (const suite of report.testResults) {
    const where = suite.name.replace(`${process.cwd()}/`, "");
    const failedTests = suite.assertionResults.filter((test) => test.status === "failed");
    for (const test of failedTests) {
      failures.push({ run: file, where, title: test.fullName, message: test.failureMessages.join("\n") });
    }
    // A file that failed outside any test (an import, a hook) has no failed assertion to name.
    if (suite.status === "failed" && failedTests.length === 0) {
      failures.push({ run: file, where, title: "(the file itself)", message: suite.message ?? "" });
    }
  }
}
for (const failure of failures) {
  console.log(`\nFAILED in ${failure.run}: ${failure.where} > ${failure.title}`);
  const lines = failure.message.split("\n").slice(0, 12);
  console.log(lines.map((line) => `    ${line}`).join("\n"));
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || failures.length > 0 ? 1 : 0);
