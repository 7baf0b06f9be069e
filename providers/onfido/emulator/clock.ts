/**
 * The emulator's clock. By default a manual one (time moves only when told,
 * and `sleep` returns at once), shared with the adapter through `config()` so
 * link expiry and retry waits agree on one time line.
 *
 * @module
 */
import type { Clock } from 'idv-providers';
import { createTestClock } from '../../../src/testing/clock';

/** A clock the emulator can move forward (a `TestClock` from `idv-providers/testing` fits). */
export interface AdvanceableClock extends Clock {
  /** Moves time forward by `ms` milliseconds. */
  advance(ms: number): void;
}

/** A manual clock starting at `start`. */
export function manualClock(start: number): AdvanceableClock & { readonly sleeps: number[] } {
  return createTestClock({ start });
}

/** True when `clock` can be moved forward. */
export function canAdvance(clock: Clock): clock is AdvanceableClock {
  return typeof (clock as Partial<AdvanceableClock>).advance === 'function';
}
