/**
 * A manual clock for tests: time moves only when told, and `sleep` returns at
 * once after moving it, so retry and expiry logic runs instantly.
 *
 * @module
 */
import type { Clock } from 'idv-providers';

/** A {@link Clock} whose time the test controls, recording every sleep. */
export interface TestClock extends Clock {
  /** Every `sleep(ms)` asked for, in order. */
  readonly sleeps: number[];
  /** Moves time forward. */
  advance(ms: number): void;
  /** Sets the time. */
  set(epochMs: number): void;
}

/**
 * Creates a {@link TestClock} starting at `start` (default 2026-01-01T00:00:00Z)
 * whose `random()` returns `random` (default 0.5).
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
