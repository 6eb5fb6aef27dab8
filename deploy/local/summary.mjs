#!/usr/bin/env node
// Prints the closing line of `npm test`: `N passed, N failed`, from jest's --json output.
//
//   node deploy/local/summary.mjs JEST_JSON [--jest-exit CODE] [--extra-failed N]
//
// Honest counting: a missing or unreadable JSON is `0 passed, 1 failed`; a test file that failed
// without a failing test (it did not load or crashed) counts as one failure; a non-zero jest exit
// with no failure counted counts as one; --extra-failed adds failures the caller knows about (for
// example integration tests that could not run because the stack did not start).
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const file = args[0];
const opt = (name, def) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? Number(args[i + 1]) || 0 : def;
};
const jestExit = opt('--jest-exit', 0);
const extraFailed = opt('--extra-failed', 0);

let passed = 0;
let failed = 0;
let report;
try {
  report = JSON.parse(readFileSync(file, 'utf8'));
} catch {
  report = undefined;
}
if (!report || typeof report.numPassedTests !== 'number') {
  failed = 1;
} else {
  passed = report.numPassedTests;
  failed = report.numFailedTests ?? 0;
  for (const suite of report.testResults ?? []) {
    const assertions = suite.assertionResults ?? [];
    if (suite.status === 'failed' && !assertions.some((a) => a.status === 'failed')) failed += 1;
  }
  if (jestExit !== 0 && failed === 0) failed = 1;
}
failed += extraFailed;
console.log(`${passed} passed, ${failed} failed`);
