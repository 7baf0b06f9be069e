/**
 * The fail-closed mapping reader: how a provider's verdict labels become
 * reason codes, for every adapter.
 *
 * A mapping is data: an array of {@link MappingRow}s, one per label, each
 * naming the key it matches and the reason it yields. An adapter turns the
 * provider's answer into keys (`document.suspected.police_record`,
 * `usability.REJECTED.BLURRED`, `DENIED_FRAUD.106`) and hands them to
 * {@link readMapping}, which:
 *
 * - looks every key up among the table's own entries only (a provider value
 *   such as `constructor` or `__proto__` finds nothing), exactly, then each of
 *   its fallback keys in turn (a wildcard row such as
 *   `*.NOT_EXECUTED.TECHNICAL_ERROR`, or a row for a whole status);
 * - gives `UNKNOWN` for a key no row matches, and lists it in `unmatched`;
 * - treats a row whose reason is `null` as a label that needs explaining
 *   (a check skipped, a decision that says "rejected" without saying why):
 *   it yields nothing itself, and the reading is `UNKNOWN` unless another
 *   label gives a reason other than `CLEAR`;
 * - orders the reasons by the core's fixed priority (`orderReasons`), so the
 *   most severe one decides and an empty reading is `UNKNOWN`: `CLEAR` only
 *   ever comes from a row that says `CLEAR`, with nothing else found;
 * - keeps the provider's own labels, in the order given, for audit.
 *
 * @module
 */
import { isReasonCode, type ProviderLabel, type ReasonCode } from 'idv-providers';
import { ownEntry } from '../shared/own-entry';
import { orderReasons } from './outcome';

/**
 * A mapping table row: when a key matches, it yields a reason. Adapters keep
 * their mappings as arrays of rows and read them with {@link readMapping}.
 * Only `key` and `reason` take part in the reading; the other fields say what
 * the row stands for, for readers and tests.
 */
export interface MappingRow<K extends string = string> {
  /** The key this row matches, exactly (e.g. `"document.suspected.compromised_document"`). */
  key: K;
  /**
   * The reason it yields; `null` for a label that needs explaining: it gives
   * no reason of its own, and a reading with nothing but such labels (and
   * `CLEAR`) is `UNKNOWN`.
   */
  reason: ReasonCode | null;
  /** The provider's check or capability the label belongs to (`usability`, `document`), `*` for any. */
  capability?: string | undefined;
  /** The provider's decision type for that check (Jumio: `PASSED`, `REJECTED`, `WARNING`, `NOT_EXECUTED`). */
  decision?: string | undefined;
  /** The provider's label itself (`BLURRED`, `police_record`). */
  label?: string | undefined;
  /** Where the row comes from: the provider's documentation, a section, a fact id. */
  source?: string | undefined;
  /** What the row means, in the provider's terms. */
  note?: string | undefined;
}

/** A mapping table indexed for reading; build it once with {@link mappingTable}. */
export interface MappingTable<R extends MappingRow = MappingRow> {
  /** The rows, as given. */
  readonly rows: readonly R[];
  /** The rows by key, in an object without a prototype; read it by own entries only. */
  readonly byKey: Readonly<Record<string, R>>;
}

/**
 * Indexes a table's rows by key. Throws a `TypeError` for a row whose reason
 * is neither a reason code nor `null`, and for two rows with the same key: a
 * table is data written by hand, and an ambiguous or misspelled row must fail
 * when the table is built, not decide a verdict.
 */
export function mappingTable<R extends MappingRow>(rows: readonly R[]): MappingTable<R> {
  const byKey: Record<string, R> = Object.create(null);
  for (const row of rows) {
    if (row.reason !== null && !isReasonCode(row.reason)) {
      throw new TypeError(
        `[idv] mapping row "${row.key}" has reason ${JSON.stringify(row.reason)}, not a reason code`,
      );
    }
    if (Object.hasOwn(byKey, row.key)) {
      throw new TypeError(`[idv] mapping table has two rows for "${row.key}"`);
    }
    byKey[row.key] = row;
  }
  return { rows, byKey };
}

function indexed<R extends MappingRow>(table: MappingTable<R> | readonly R[]): MappingTable<R> {
  return Array.isArray(table) ? mappingTable(table as readonly R[]) : (table as MappingTable<R>);
}

/**
 * The row for `key`, else for the first fallback key that has one; own
 * entries only, so `constructor` or `__proto__` finds nothing.
 */
export function findMappingRow<R extends MappingRow>(
  table: MappingTable<R> | readonly R[],
  key: string,
  fallbacks: readonly string[] = [],
): R | undefined {
  const { byKey } = indexed(table);
  for (const candidate of [key, ...fallbacks]) {
    const row = ownEntry(byKey, candidate);
    if (row !== undefined) return row;
  }
  return undefined;
}

/**
 * One thing read from a provider's answer: a key to look up (a string, or
 * with fallbacks and the provider's label), or a label kept for audit only
 * (one that decides nothing by itself, such as a workflow's status once it
 * is known to be finished).
 */
export type LabelRead =
  | string
  | {
      /** The key looked up, e.g. `usability.REJECTED.BLURRED`; reported in `unmatched` when no row has it. */
      key: string;
      /** Keys tried in turn when `key` has no row (`*.REJECTED.BLURRED`, `status.ERROR_NOT_READABLE_ID`). */
      fallbacks?: readonly string[] | undefined;
      /** The provider's own label, kept for audit. */
      label?: ProviderLabel | undefined;
    }
  | {
      key?: undefined;
      /** The provider's own label, kept for audit only. */
      label: ProviderLabel;
    };

/** What {@link readMapping} found. */
export interface MappingReading<R extends MappingRow = MappingRow> {
  /** The reasons, in priority order; never empty (`["UNKNOWN"]` when nothing decided). */
  reasons: [ReasonCode, ...ReasonCode[]];
  /** The rows that matched, in the order read. */
  matched: R[];
  /** The keys no row matched (each gave `UNKNOWN`), in the order read. */
  unmatched: string[];
  /** The provider's labels, in the order read, for audit. */
  providerLabels: ProviderLabel[];
}

interface Collected<R> {
  reasons: ReasonCode[];
  matched: R[];
  unmatched: string[];
  providerLabels: ProviderLabel[];
}

function collect<R extends MappingRow>(
  table: MappingTable<R> | readonly R[],
  reads: Iterable<LabelRead>,
): Collected<R> {
  const index = indexed(table);
  const found: Collected<R> = { reasons: [], matched: [], unmatched: [], providerLabels: [] };
  let unexplained = false;
  for (const read of reads) {
    const entry = typeof read === 'string' ? { key: read } : read;
    if (entry.label !== undefined) found.providerLabels.push(entry.label);
    if (entry.key === undefined) continue;
    const row = findMappingRow(index, entry.key, entry.fallbacks ?? []);
    if (row === undefined) {
      found.unmatched.push(entry.key);
      found.reasons.push('UNKNOWN');
      continue;
    }
    found.matched.push(row);
    if (row.reason === null) unexplained = true;
    else found.reasons.push(row.reason);
  }
  // A label that needs explaining, which nothing explains, is not a clear verdict.
  if (unexplained && !found.reasons.some((r) => r !== 'CLEAR')) found.reasons.push('UNKNOWN');
  return found;
}

/**
 * Reads a provider's labels through a mapping table, failing closed: see the
 * module description. Pass a table built once with {@link mappingTable}, or
 * the rows themselves (indexed on each call).
 *
 * @example
 * ```ts
 * const TABLE = mappingTable([
 *   { key: 'document.fake', reason: 'SUSPECTED_COMPROMISED_DOCUMENT' },
 *   { key: 'document.ok', reason: 'CLEAR' },
 * ]);
 * readMapping(TABLE, ['document.ok', 'document.hologram']).reasons; // ['UNKNOWN']
 * ```
 */
export function readMapping<R extends MappingRow>(
  table: MappingTable<R> | readonly R[],
  reads: Iterable<LabelRead>,
): MappingReading<R> {
  const found = collect(table, reads);
  return { ...found, reasons: orderReasons(found.reasons) };
}

/**
 * Looks every key up in a mapping table and returns the reasons of the rows
 * that match, in the order of the keys and not yet ordered by priority: the
 * raw form of {@link readMapping}. A key with no row yields `UNKNOWN` (fail
 * closed).
 */
export function mapLabels(
  table: readonly MappingRow[],
  keys: Iterable<string>,
): { reasons: ReasonCode[]; unmatched: string[] } {
  const { reasons, unmatched } = collect(table, keys);
  return { reasons, unmatched };
}
