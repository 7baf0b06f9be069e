/**
 * Shared by the fuzz suites: how many inputs each property gets, and the rule
 * every suite checks first, that a call ends in a value or an `IdvError` and
 * never in any other exception.
 */
import { type IdvError, isIdvError } from 'idv-providers';

const DEFAULT_RUNS = 300;

function runsFrom(text: string | undefined): number {
  const value = Number(text);
  return Number.isInteger(value) && value > 0 ? value : DEFAULT_RUNS;
}

/** Inputs per property: `FUZZ_RUNS` from the environment, 300 by default. */
export const FUZZ_RUNS = runsFrom(process.env['FUZZ_RUNS']);

/** fast-check parameters of every property. */
export const PARAMETERS = { numRuns: FUZZ_RUNS } as const;

/** A call's end: its value, or the library error it threw. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: IdvError };

/**
 * Runs `call`. Returns its value or the `IdvError` it threw; any other
 * exception (`TypeError`, `RangeError`, `SyntaxError`, ...) is rethrown, so
 * the property fails with the input that caused it.
 */
export async function settle<T>(call: () => T | Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await call() };
  } catch (error) {
    if (isIdvError(error)) return { ok: false, error };
    throw error;
  }
}

/** {@link settle} for synchronous calls. */
export function settleSync<T>(call: () => T): Outcome<T> {
  try {
    return { ok: true, value: call() };
  } catch (error) {
    if (isIdvError(error)) return { ok: false, error };
    throw error;
  }
}

/** Names that objects inherit from `Object.prototype` (`constructor`, `toString`, `__proto__`, ...). */
export const INHERITED_NAMES: readonly string[] = Object.getOwnPropertyNames(Object.prototype);
