/**
 * `npm run bench`: every bench of the library, one after the other, each
 * measured against its named baseline in the same run; prints each bench's
 * details as it finishes, then one summary table (ratio = ours / baseline).
 *
 * A full run also writes `bench/RESULTS.md`: the machine, the command and the
 * whole output. `--only=webhook,import,download,jumio,pacing,intake,postgres`
 * runs a subset and `--quick` runs every bench briefly; neither writes
 * RESULTS.md.
 *
 * The benches: `webhook-verify.ts`, `cold-import.ts`, `onfido-download.ts`,
 * `jumio-tokens.ts`, `jumio-pacing.ts`, `intake.ts`, `intake-postgres.ts`; each
 * also runs on its own with `npx tsx`.
 */
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, release, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { argValue } from './lib/child';
import { MIB, num } from './lib/format';
import { type BenchResult, type SummaryRow, section, summaryTable } from './lib/report';

const DEADLINE_MS = 8 * 60_000;

/**
 * `--quick`: every bench with the fewest repetitions and a small download,
 * to prove the benches run (CI runs it on a fresh clone, before any build).
 * Its figures are not for comparison, and it writes no RESULTS.md.
 */
const QUICK = process.argv.includes('--quick');
const QUICK_SETTINGS: Readonly<Record<string, string>> = {
  WEBHOOK_ROUNDS: '3',
  WEBHOOK_BATCH: '1000',
  IMPORT_RUNS: '3',
  DOWNLOAD_REPS: '1',
  JUMIO_ROUNDS: '1',
  JUMIO_PACING_STARTS: '5',
  JUMIO_PACING_RESULTS: '10',
  INTAKE_ROUNDS: '1',
  INTAKE_PG_ROUNDS: '1',
  INTAKE_PG_CONCURRENT: '100',
};

// Each bench module reads its settings from the environment when it loads,
// so the modules load only once `--quick` has set them.
const BENCHES: ReadonlyArray<{ key: string; run: () => Promise<BenchResult> }> = [
  { key: 'webhook', run: async () => (await import('./webhook-verify')).benchWebhookVerify() },
  { key: 'import', run: async () => (await import('./cold-import')).benchColdImport() },
  {
    key: 'download',
    run: async () => (await import('./onfido-download')).benchOnfidoDownload(QUICK ? 4 : 50),
  },
  { key: 'jumio', run: async () => (await import('./jumio-tokens')).benchJumioTokens() },
  { key: 'pacing', run: async () => (await import('./jumio-pacing')).benchJumioPacing() },
  { key: 'intake', run: async () => (await import('./intake')).benchIntake() },
  {
    key: 'postgres',
    run: async () => (await import('./intake-postgres')).benchIntakePostgres(),
  },
];

function cpuModel(): string {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('model name'));
    if (line !== undefined) return line.slice(line.indexOf(':') + 1).trim();
  } catch {
    // Not Linux: fall back to what Node reports.
  }
  return cpus()[0]?.model ?? 'unknown';
}

const load = () =>
  loadavg()
    .map((n) => n.toFixed(2))
    .join(' ');

function command(): string {
  const extra = process.argv.slice(2).join(' ');
  if (process.env['npm_lifecycle_event'] === 'bench') {
    return `npm run bench${extra === '' ? '' : ` -- ${extra}`}`;
  }
  return `npx tsx bench/run.ts${extra === '' ? '' : ` ${extra}`}`;
}

/** `bench (target)`, naming the baseline when the target is a ratio to it. */
function describeTarget(row: SummaryRow): string {
  const target = row.target ?? '';
  return `${row.bench} (${target.endsWith('x') ? `${target} of ${row.baseline}` : target})`;
}

async function main(): Promise<void> {
  if (QUICK) Object.assign(process.env, QUICK_SETTINGS);
  const only = argValue('only')?.split(',');
  const chosen = BENCHES.filter((b) => only === undefined || only.includes(b.key));
  if (chosen.length === 0) {
    throw new Error(`--only names none of: ${BENCHES.map((b) => b.key).join(', ')}`);
  }
  const out: string[] = [];
  const print = (text: string) => {
    out.push(text);
    console.log(text);
  };
  const began = new Date();
  const machine = [
    `node ${process.version} on ${process.platform} ${release()}; ${availableParallelism()} CPUs ` +
      `(nproc), ${cpuModel()}; ${num(totalmem() / MIB / 1024, 1)} GiB memory`,
    `load average at start: ${load()}`,
  ];
  print(
    `idv-providers bench, ${began.toISOString()}${QUICK ? ' (--quick: not for comparison)' : ''}`,
  );
  for (const line of machine) print(line);
  const rows: SummaryRow[] = [];
  for (const bench of chosen) {
    const t0 = performance.now();
    const result = await bench.run();
    rows.push(...result.rows);
    print(`\n${section(result)}\n(${num((performance.now() - t0) / 1000, 1)} s)`);
  }
  const seconds = (Date.now() - began.getTime()) / 1000;
  print(
    `\n== summary (every value a median of repetitions; ratio = ours / baseline, both from this run)`,
  );
  print(summaryTable(rows));
  const missed = rows.filter((r) => r.met === false);
  print(
    `\ntargets: ${rows.filter((r) => r.met === true).length} met, ${missed.length} not met` +
      `${missed.length === 0 ? '' : ` (${missed.map(describeTarget).join('; ')})`}`,
  );
  print(`load average at end: ${load()}; total ${num(seconds, 0)} s`);
  if (only === undefined && !QUICK) {
    const file = fileURLToPath(new URL('./RESULTS.md', import.meta.url));
    await writeFile(
      file,
      [
        '# Bench results',
        '',
        'The last full run of `npm run bench` (written by `bench/run.ts`).',
        '',
        `- Command: \`${command()}\``,
        `- Date: ${began.toISOString()}`,
        `- Machine: ${availableParallelism()} CPUs (nproc), ${cpuModel()}, ` +
          `${num(totalmem() / MIB / 1024, 1)} GiB memory, ${process.platform} ${release()}`,
        `- Node: ${process.version}`,
        '',
        '```text',
        ...out,
        '```',
        '',
        // Figures from earlier runs, kept by hand beside the generated part.
        ...history(),
      ].join('\n'),
    );
    console.log(`\nwrote ${file}`);
  }
}

/** `bench/HISTORY.md` (before/after tables of earlier changes), to follow the last run. */
function history(): string[] {
  try {
    return [readFileSync(fileURLToPath(new URL('./HISTORY.md', import.meta.url)), 'utf8')];
  } catch {
    return [];
  }
}

const deadline = setTimeout(() => {
  console.error(`bench: gave up after ${DEADLINE_MS / 60_000} minutes`);
  process.exit(2);
}, DEADLINE_MS);
deadline.unref();
await main();
process.exit(0);
