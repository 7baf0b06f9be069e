/**
 * How `idv-providers intake` prints what it found: the statistics (by state,
 * and by tenant when events name one) and the dead letters with their last
 * error, as text or JSON. Errors stored in the intake are secret-free by
 * construction; they are printed with the values of any secret-looking
 * `IDV_*` variable of the environment redacted all the same.
 *
 * @module
 */
import { EVENT_STATES, type IntakeStats, type StoredEvent } from 'idv-providers';
import { redact } from '../shared/redact';
import type { CliIO } from './io';
import { isSecretOption } from './mask';
import type { Out } from './term';

/** The values of the environment's secret-looking `IDV_*` variables, never to be printed. */
export function environmentSecrets(env: CliIO['env']): string[] {
  return Object.entries(env)
    .filter(
      ([name, value]) => name.startsWith('IDV_') && value !== undefined && isSecretOption(name),
    )
    .map(([, value]) => value as string);
}

const iso = (ms: number | undefined): string =>
  ms === undefined ? '-' : new Date(ms).toISOString();

function ago(ms: number, now: number): string {
  const minutes = Math.round((now - ms) / 60_000);
  if (minutes < 1) return 'just now';
  if (minutes < 120) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  return hours < 48 ? `${hours} h ago` : `${Math.round(hours / 24)} days ago`;
}

/** A table with a header row, columns padded to one width. */
function table(out: Out, rows: ReadonlyArray<readonly string[]>, indent = 2): void {
  const widths = (rows[0] ?? []).map((_, i) => Math.max(...rows.map((row) => row[i]?.length ?? 0)));
  for (const [index, row] of rows.entries()) {
    const text = row
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
    out.line(`${' '.repeat(indent)}${index === 0 ? out.style('dim', text) : text}`);
  }
}

/** Prints `stats` for the store `shown`. */
export function printStats(out: Out, shown: string, stats: IntakeStats, now: number): void {
  out.line(`${out.style('bold', 'store')} ${shown}`);
  out.rows([
    ...EVENT_STATES.map((state): [string, string] => [state, String(stats.states[state])]),
    [
      'backlog',
      stats.due === 0
        ? 'nothing due'
        : `${stats.due} due now, the oldest due since ${iso(stats.oldestDueAt)} (${ago(stats.oldestDueAt ?? now, now)})`,
    ],
    ['deadlines', `${stats.deadlines} waiting for their link to run out`],
  ]);
  if (stats.tenants.length === 0) return;
  out.line(out.style('bold', 'by tenant'));
  table(out, [
    ['tenant', ...EVENT_STATES],
    ...stats.tenants.map(({ tenant, states }) => [
      tenant,
      ...EVENT_STATES.map((state) => String(states[state])),
    ]),
  ]);
}

/** Prints dead letters, most recent first, their last error redacted of `secrets`. */
export function printDeadLetters(
  out: Out,
  shown: string,
  dead: readonly StoredEvent[],
  secrets: readonly string[],
): void {
  out.line(`${out.style('bold', 'store')} ${shown}`);
  out.line(
    dead.length === 0
      ? 'no dead letters'
      : `${dead.length} dead letter${dead.length === 1 ? '' : 's'}, most recent first:`,
  );
  for (const event of dead) {
    out.line();
    const session = [
      event.session.subjectId === undefined ? undefined : `subject ${event.session.subjectId}`,
      event.session.attemptId === undefined ? undefined : `attempt ${event.session.attemptId}`,
    ].filter((part) => part !== undefined);
    out.rows([
      ['id', event.id],
      ['provider', event.provider],
      ['event', event.deadline === undefined ? event.type : `${event.type} (deadline)`],
      ...(session.length === 0 ? [] : [['session', session.join(', ')] as [string, string]]),
      ...(event.tenant === undefined ? [] : [['tenant', event.tenant] as [string, string]]),
      ['received', iso(event.receivedAt)],
      ['dead since', iso(event.finishedAt)],
      ['attempts', String(event.attempts)],
      ['last error', redact(event.lastError ?? '(none)', secrets)],
    ]);
  }
}

/** A dead letter as `--json` prints it (the last error redacted). */
export function deadLetterJson(event: StoredEvent, secrets: readonly string[]): StoredEvent {
  return event.lastError === undefined
    ? event
    : { ...event, lastError: redact(event.lastError, secrets) };
}
