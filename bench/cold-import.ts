/**
 * Cold import time of the built package: `idv-providers/onfido` and
 * `idv-providers/jumio` against the official Onfido client, `@onfido/api`.
 *
 * Each run is a fresh `node` process started in a folder whose
 * `node_modules/idv-providers` is a private build of the package (see
 * `lib/built-package.ts`), so the import resolves by name through the
 * package's `exports`, as in a host. Inside the process only the
 * `await import(...)` is timed, with `performance.now()`; the wall time is
 * from spawning the process to its exit, as the parent sees it. An empty
 * process (`node:crypto`, already built in) is the floor of that wall time.
 *
 * Each target is run once untimed (to warm the file cache), then the targets
 * take turns, RUNS times each, so that load from elsewhere on the machine
 * falls on all of them alike. Reported: medians and the range.
 *
 * Two cold-start scenarios follow, in the same kind of processes (scripts in
 * `lib/cold-scenarios.ts`), each phase timed inside the child:
 * - import + create + verify one webhook, as a serverless webhook receiver
 *   does first: ours through `idv-providers/onfido` and through the core's
 *   `createProvider`, against `@onfido/api` (`new WebhookEventVerifier(token)`,
 *   `readPayload`) and the floor (`node:crypto` HMAC and `JSON.parse`);
 *   target: ours at most 0.50x the official client;
 * - the first API call (and a second): ours `checkConnection`
 *   (`GET /applicants`) against the official `listApplicants`, both at a stub
 *   on 127.0.0.1 that answers like Onfido; target: our first call no slower
 *   than the official client's (its import already paid for its HTTP library,
 *   ours loads it on the first request).
 *
 * Run: `npx tsx bench/cold-import.ts` (IMPORT_RUNS=n, default 15).
 */
import { type BuiltPackage, buildPackage } from './lib/built-package';
import { isMain, jsonResult, runChild } from './lib/child';
import {
  firstCallScenarios,
  type Scenario,
  type ScenarioRun,
  startApplicantsStub,
  webhookFixture,
  webhookScenarios,
} from './lib/cold-scenarios';
import { ms, num, table, times } from './lib/format';
import { type BenchResult, type SummaryRow, section, summaryTable } from './lib/report';
import { median, range } from './lib/stats';

const RUNS = Math.max(3, Math.min(50, Number(process.env['IMPORT_RUNS'] ?? 15)));

interface Target {
  label: string;
  specifier: string;
}

const TARGETS: readonly Target[] = [
  { label: 'idv-providers/onfido', specifier: 'idv-providers/onfido' },
  { label: 'idv-providers/jumio', specifier: 'idv-providers/jumio' },
  { label: '@onfido/api (official)', specifier: '@onfido/api' },
  { label: 'floor: node:crypto', specifier: 'node:crypto' },
];

interface ImportRun {
  importMs: number;
  exports: number;
  wallMs: number;
}

function script(specifier: string): string {
  return [
    'const began = performance.now();',
    `const loaded = await import(${JSON.stringify(specifier)});`,
    'const importMs = performance.now() - began;',
    'console.log(JSON.stringify({ importMs, exports: Object.keys(loaded).length }));',
  ].join('\n');
}

async function once(pkg: BuiltPackage, target: Target): Promise<ImportRun> {
  const run = await runChild(['--input-type=module', '-e', script(target.specifier)], {
    cwd: pkg.root,
    timeoutMs: 30_000,
  });
  const { importMs, exports } = jsonResult<{ importMs: number; exports: number }>(
    run,
    `importing ${target.specifier}`,
  );
  return { importMs, exports, wallMs: run.wallMs };
}

interface ScenarioStats {
  scenario: Scenario;
  phases: Record<string, number>;
  total: number;
  totalRange: { min: number; max: number };
  wallMs: number;
}

/**
 * Runs each scenario once untimed, then RUNS times taking turns; checks that
 * every run printed `expected` (the work was done) and returns the medians.
 */
async function runScenarios(
  pkg: BuiltPackage,
  scenarios: readonly Scenario[],
  expected: string,
): Promise<ScenarioStats[]> {
  const once = async (s: Scenario): Promise<ScenarioRun & { wallMs: number }> => {
    const run = await runChild(['--input-type=module', '-e', s.script], {
      cwd: pkg.root,
      timeoutMs: 30_000,
    });
    const result = jsonResult<ScenarioRun>(run, s.label);
    if (result.check !== expected) {
      throw new Error(`${s.label}: printed ${result.check}, expected ${expected}`);
    }
    return { ...result, wallMs: run.wallMs };
  };
  for (const s of scenarios) await once(s);
  const runs = new Map<Scenario, (ScenarioRun & { wallMs: number })[]>(
    scenarios.map((s) => [s, []]),
  );
  for (let r = 0; r < RUNS; r++) {
    for (const s of scenarios) runs.get(s)!.push(await once(s));
  }
  return scenarios.map((scenario) => {
    const list = runs.get(scenario)!;
    const names = Object.keys(list[0]!.phases);
    return {
      scenario,
      phases: Object.fromEntries(names.map((n) => [n, median(list.map((x) => x.phases[n]!))])),
      total: median(list.map((x) => x.total)),
      totalRange: range(list.map((x) => x.total)),
      wallMs: median(list.map((x) => x.wallMs)),
    };
  });
}

/** A table of scenario medians: every phase, the total, its range, the wall time, ratios to the official client. */
function scenarioTable(stats: readonly ScenarioStats[], ratioOf: readonly string[]): string {
  const official = stats.find((s) => s.scenario.official)!;
  // Every phase any contender timed: the longest list's order first.
  const byLength = [...stats].sort(
    (a, b) => Object.keys(b.phases).length - Object.keys(a.phases).length,
  );
  const phases = [...new Set(byLength.flatMap((s) => Object.keys(s.phases)))];
  const ratioName = ratioOf.length === 1 ? ratioOf[0]! : 'total';
  const value = (s: ScenarioStats) => (ratioOf.length === 1 ? s.phases[ratioOf[0]!]! : s.total);
  return table(
    [
      'contender',
      ...phases,
      'total (median)',
      'range',
      'process wall',
      `${ratioName} vs official`,
      'wall vs official',
    ],
    stats.map((s) => [
      s.scenario.label,
      ...phases.map((p) => (s.phases[p] === undefined ? '-' : ms(s.phases[p]))),
      ms(s.total),
      `${num(s.totalRange.min, 1)}-${num(s.totalRange.max, 1)}`,
      ms(s.wallMs),
      times(value(s), value(official)),
      times(s.wallMs, official.wallMs),
    ]),
    new Set(Array.from({ length: phases.length + 5 }, (_, i) => i + 1)),
  );
}

/** A summary row with a target ratio to the official client. */
function targetRow(
  bench: string,
  metric: string,
  subject: string,
  ours: number,
  official: number,
  targetRatio: number,
): SummaryRow {
  return {
    bench,
    metric,
    subject,
    ours,
    oursText: ms(ours),
    baseline: '@onfido/api',
    baselineValue: official,
    baselineText: ms(official),
    target: `<= ${targetRatio.toFixed(2)}x`,
    met: ours <= official * targetRatio,
  };
}

/** Import + create + verify one webhook. */
async function webhookSection(pkg: BuiltPackage): Promise<{ details: string; rows: SummaryRow[] }> {
  const fixture = webhookFixture();
  const stats = await runScenarios(pkg, webhookScenarios(fixture), fixture.checkId);
  const official = stats.find((s) => s.scenario.official)!;
  const rows = stats
    .filter((s) => !s.scenario.official && !s.scenario.floor)
    .map((s) =>
      targetRow(
        'cold start: import + create + verify 1 webhook',
        'time in process (lower better)',
        s.scenario.label.split(':')[0]!,
        s.total,
        official.total,
        0.5,
      ),
    );
  const details = [
    `import + create + verify one webhook: fresh processes, ${RUNS} runs each taking turns`,
    scenarioTable(stats, []),
  ].join('\n');
  return { details, rows };
}

/** The first API call (and the second) against a local stub of Onfido. */
async function firstCallSection(
  pkg: BuiltPackage,
): Promise<{ details: string; rows: SummaryRow[] }> {
  const stub = await startApplicantsStub();
  try {
    const stats = await runScenarios(pkg, firstCallScenarios(stub.baseUrl), 'true');
    const official = stats.find((s) => s.scenario.official)!;
    const ours = stats.find((s) => !s.scenario.official && !s.scenario.preloaded)!;
    const preloaded = stats.find((s) => s.scenario.preloaded)!;
    const bench = 'cold start: first API call (local stub)';
    /** A row (no target) of `value` against the official client's first call. */
    const against = (metric: string, subject: string, value: number): SummaryRow => ({
      bench,
      metric,
      subject,
      ours: value,
      oursText: ms(value),
      baseline: "@onfido/api's first call",
      baselineValue: official.phases['first call']!,
      baselineText: ms(official.phases['first call']!),
    });
    const rows = [
      targetRow(
        bench,
        'first call (lower better)',
        'onfido().checkConnection',
        ours.phases['first call']!,
        official.phases['first call']!,
        1,
      ),
      targetRow(
        bench,
        'import + create + first call (lower better)',
        'idv-providers/onfido',
        ours.phases['import']! + ours.phases['create']! + ours.phases['first call']!,
        official.phases['import']! + official.phases['create']! + official.phases['first call']!,
        1,
      ),
      against(
        'first call, axios loaded before it (lower better)',
        'onfido().checkConnection',
        preloaded.phases['first call']!,
      ),
      against(
        'loading axios alone (the lazy load)',
        "require('axios')",
        preloaded.phases['axios']!,
      ),
    ];
    const details = [
      `first API call, GET /applicants at a stub on 127.0.0.1: fresh processes, ${RUNS} runs each taking turns`,
      scenarioTable(stats, ['first call']),
    ].join('\n');
    return { details, rows };
  } finally {
    await stub.close();
  }
}

/** Runs the cold-import bench. */
export async function benchColdImport(): Promise<BenchResult> {
  const pkg = await buildPackage();
  try {
    const runs = new Map<Target, ImportRun[]>(TARGETS.map((t) => [t, []]));
    for (const target of TARGETS) {
      const warm = await once(pkg, target);
      if (target.specifier !== 'node:crypto' && warm.exports === 0) {
        throw new Error(`${target.specifier} exported nothing`);
      }
    }
    for (let r = 0; r < RUNS; r++) {
      for (const target of TARGETS) runs.get(target)!.push(await once(pkg, target));
    }
    const stats = TARGETS.map((target) => {
      const list = runs.get(target)!;
      return {
        target,
        importMs: median(list.map((x) => x.importMs)),
        importRange: range(list.map((x) => x.importMs)),
        wallMs: median(list.map((x) => x.wallMs)),
        wallRange: range(list.map((x) => x.wallMs)),
      };
    });
    const official = stats[2]!;
    const details = [
      `fresh node ${process.version} processes, ${RUNS} runs per target taking turns; ` +
        `package built with tsup in ${num(pkg.buildMs)} ms`,
      table(
        [
          'import',
          'import (median)',
          'range',
          'process wall (median)',
          'range',
          'import vs official',
        ],
        stats.map((s) => [
          s.target.label,
          ms(s.importMs),
          `${num(s.importRange.min, 1)}-${num(s.importRange.max, 1)}`,
          ms(s.wallMs),
          `${num(s.wallRange.min, 1)}-${num(s.wallRange.max, 1)}`,
          times(s.importMs, official.importMs),
        ]),
        new Set([1, 2, 3, 4, 5]),
      ),
    ].join('\n');
    const rows: SummaryRow[] = [];
    for (const ours of stats.slice(0, 2)) {
      rows.push({
        bench: 'cold import (built)',
        metric: 'import time (lower better)',
        subject: ours.target.specifier,
        ours: ours.importMs,
        oursText: ms(ours.importMs),
        baseline: '@onfido/api',
        baselineValue: official.importMs,
        baselineText: ms(official.importMs),
      });
      rows.push({
        bench: 'cold import (built)',
        metric: 'process wall time (lower better)',
        subject: ours.target.specifier,
        ours: ours.wallMs,
        oursText: ms(ours.wallMs),
        baseline: '@onfido/api',
        baselineValue: official.wallMs,
        baselineText: ms(official.wallMs),
      });
    }
    const webhook = await webhookSection(pkg);
    const firstCall = await firstCallSection(pkg);
    return {
      title: 'cold import and cold start (built package)',
      details: [details, webhook.details, firstCall.details].join('\n\n'),
      rows: [...rows, ...webhook.rows, ...firstCall.rows],
    };
  } finally {
    await pkg.remove();
  }
}

if (isMain(import.meta.url)) {
  const result = await benchColdImport();
  console.log(`${section(result)}\n\n${summaryTable(result.rows)}`);
}
