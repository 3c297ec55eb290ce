#!/usr/bin/env bash
# The whole test suite (`npm test`): installs what the tests need, builds, runs every jest
# project, and ends with one plain line "tests: N passed, M failed" read by CI.
set -uo pipefail
cd "$(dirname "$0")/.."
results=.jest-results.json
rm -f "$results"
if ! bash .ci/setup.sh test; then
  echo "tests: 0 passed, 1 failed (setup failed)"
  exit 1
fi
if ! npm run --silent build; then
  echo "tests: 0 passed, 1 failed (build failed)"
  exit 1
fi
npx jest --ci --json --outputFile="$results" "$@"
rc=$?
node -e '
  const fs = require("fs");
  let r;
  try { r = JSON.parse(fs.readFileSync(process.argv[1], "utf8")); } catch { console.log("tests: 0 passed, 1 failed (no jest results)"); process.exit(1); }
  const failed = r.numFailedTests + r.numRuntimeErrorTestSuites;
  const skipped = r.numPendingTests + r.numTodoTests;
  console.log(`tests: ${r.numPassedTests} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ""));
  process.exit(failed > 0 || !r.success ? 1 : 0);
' "$results"
summary=$?
[ $rc -ne 0 ] && [ $summary -eq 0 ] && exit $rc
exit $summary
