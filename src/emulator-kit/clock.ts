/**
 * The emulators' time: a manual clock (time moves only when told, and `sleep`
 * returns at once after moving it), so link expiry, token expiry and retry
 * waits run instantly and agree on one time line. Every emulator defaults to
 * {@link createTestClock}, and tests pass the same clock to the adapter.
 *
 * @module
 */
import type { Clock } from 'idv-providers';

/** A {@link Clock} an emulator can move forward (to let a link run out). */
export interface AdvanceableClock extends Clock {
  /** Moves time forward by `ms` milliseconds. */
  advance(ms: number): void;
}

/** A {@link Clock} whose time the test controls, recording every sleep. */
export interface TestClock extends AdvanceableClock {
  /** Every `sleep(ms)` asked for, in order. */
  readonly sleeps: number[];
  /** Sets the time. */
  set(epochMs: number): void;
}

/**
 * Creates a {@link TestClock} starting at `start` (default 2026-01-01T00:00:00Z)
 * whose `random()` returns `random` (default 0.5). The default clock of every
 * emulator.
 */
export function createTestClock(
  options: { start?: number | undefined; random?: number | undefined } = {},
): TestClock {
  let now = options.start ?? Date.UTC(2026, 0, 1);
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
    random: () => options.random ?? 0.5,
    advance: (ms) => {
      now += ms;
    },
    set: (epochMs) => {
      now = epochMs;
    },
  };
}
