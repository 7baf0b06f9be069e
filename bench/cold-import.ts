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
 * Run: `npx tsx bench/cold-import.ts` (IMPORT_RUNS=n, default 15).
 */
import { type BuiltPackage, buildPackage } from './lib/built-package';
import { isMain, jsonResult, runChild } from './lib/child';
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
    return { title: 'cold import (built package)', details, rows };
  } finally {
    await pkg.remove();
  }
}

if (isMain(import.meta.url)) {
  const result = await benchColdImport();
  console.log(`${section(result)}\n\n${summaryTable(result.rows)}`);
}
