#!/usr/bin/env bash
# Runs the fuzz suites (test/fuzz) with FUZZ_RUNS generated inputs per property,
# 10 000 unless FUZZ_RUNS is set (CI runs them with the suites' own default of
# 300), then prints each property's run count and duration and each suite's total.
# Extra arguments go to vitest (e.g. a file filter or -t "<name>").
set -euo pipefail
cd "$(dirname "$0")/.."

export FUZZ_RUNS="${FUZZ_RUNS:-10000}"
report="$(mktemp -t idv-fuzz-XXXXXX.json)"
trap 'rm -f "$report"' EXIT

echo "fuzz: FUZZ_RUNS=$FUZZ_RUNS per property, node $(node --version), $(nproc) CPUs"
started=$(date +%s)
status=0
npx vitest run test/fuzz --testTimeout=3600000 \
  --reporter=default --reporter=json --outputFile.json="$report" "$@" || status=$?
elapsed=$(($(date +%s) - started))

node - "$report" "$FUZZ_RUNS" "$elapsed" <<'JS'
const { readFileSync } = require('node:fs');
const { relative } = require('node:path');
const [report, runs, elapsed] = process.argv.slice(2);
const results = JSON.parse(readFileSync(report, 'utf8'));
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
const rows = [];
for (const file of results.testResults) {
  const suite = relative(process.cwd(), file.name);
  let total = 0;
  for (const test of file.assertionResults) {
    total += test.duration ?? 0;
    rows.push([suite, test.title, test.status, runs, seconds(test.duration ?? 0)]);
  }
  rows.push([suite, '(suite total)', '', String(Number(runs) * file.assertionResults.length), seconds(total)]);
}
const header = ['suite', 'property', 'status', 'runs', 'duration'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
const line = (cells) => cells.map((c, i) => String(c).padEnd(widths[i])).join('  ');
console.log(`\n${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}`);
for (const row of rows) console.log(line(row));
console.log(
  `\n${results.numPassedTests}/${results.numTotalTests} properties passed, ${runs} runs each, ${elapsed} s wall clock`,
);
JS
exit "$status"
