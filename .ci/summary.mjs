// Sums vitest JSON reports into the plain closing line CI readers understand, and names every
// failed test with the first lines of its failure: CI shows only the tail of its output.
// An error outside any test (an unhandled rejection) fails a run without a failed test in its
// report, so each report's run log (same name, .log) is searched for vitest's section on them.
import { existsSync, readFileSync } from "node:fs";

const ansi = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, "g");

function unhandledErrorsIn(log) {
  if (!existsSync(log)) return [];
  const lines = readFileSync(log, "utf8").replace(ansi, "").split("\n");
  const start = lines.findIndex((line) => line.includes("Unhandled Error"));
  return start === -1 ? [] : [lines.slice(start, start + 40).join("\n")];
}

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
  for (const message of unhandledErrorsIn(file.replace(/\.json$/, ".log"))) {
    failures.push({ run: file, where: "(outside any test)", title: "unhandled error", message });
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
  const lines = failure.message.split("\n").slice(0, failure.title === "unhandled error" ? 40 : 12);
  console.log(lines.map((line) => `    ${line}`).join("\n"));
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || failures.length > 0 ? 1 : 0);
