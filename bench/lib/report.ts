/**
 * The shape every bench returns and the summary table `bench/run.ts` prints.
 *
 * @module
 */
import { table, times } from './format';

/** One line of the summary: our figure against a named baseline measured in the same run. */
export interface SummaryRow {
  /** What was measured, e.g. `webhook verify + parse + validate`. */
  bench: string;
  /** The unit and which way is better, e.g. `verifications/s (higher is better)`. */
  metric: string;
  /** What "ours" is, e.g. `onfido().verifyWebhook`. */
  subject: string;
  ours: number;
  oursText: string;
  /** The baseline's name, e.g. `@onfido/api WebhookEventVerifier`. */
  baseline: string;
  baselineValue: number;
  baselineText: string;
  /**
   * The ratio, when the bench measured it in pairs: the median over rounds of
   * each round's ours / baseline, both measured in that round (which cancels
   * the drift of a shared machine between rounds). Absent: `ours / baselineValue`.
   */
  ratio?: number;
  /** The target in words, when the brief sets one. */
  target?: string;
  /** Whether the target was met (absent when there is none). */
  met?: boolean;
}

/** What a bench hands back: its own detailed section and its summary rows. */
export interface BenchResult {
  title: string;
  /** The bench's detailed output (every contender, spreads, checks). */
  details: string;
  rows: SummaryRow[];
}

/** The summary table: one line per row, ratio = ours / baseline (paired where the bench says so). */
export function summaryTable(rows: readonly SummaryRow[]): string {
  return table(
    ['bench', 'metric', 'ours', 'value', 'baseline', 'value', 'ours/base', 'target', 'met'],
    rows.map((r) => [
      r.bench,
      r.metric,
      r.subject,
      r.oursText,
      r.baseline,
      r.baselineText,
      r.ratio === undefined ? times(r.ours, r.baselineValue) : `${times(r.ratio, 1)} (paired)`,
      r.target ?? '-',
      r.met === undefined ? '-' : r.met ? 'yes' : 'NO',
    ]),
    new Set([3, 5, 6]),
  );
}

/** Prints a bench's section: a title, a rule and its details. */
export function section(result: BenchResult): string {
  return `== ${result.title}\n${result.details}`;
}
