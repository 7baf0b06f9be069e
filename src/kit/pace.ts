/**
 * Client-side pacing: a token bucket that makes requests wait their turn so a
 * burst stays within a provider's published rate limit instead of being
 * answered 429 and retried until the retries run out.
 *
 * A bucket holds at most `burst` tokens and gains `perSecond` tokens a second;
 * each request takes one. Waiters are served one at a time, first come first
 * served: only the first in line sleeps, for exactly the time its token needs,
 * then the next one looks at the clock again. So a manual test clock (whose
 * `sleep` moves time forward at once) advances exactly as far as the bucket
 * needs, and a real clock never has a crowd of timers firing together. (A
 * manual clock does not wait for the requests in flight, though: a server on
 * the same manual clock sees them arrive after the clock has jumped, all at
 * once. Pacing against an emulator's limits needs a clock that runs with real
 * time, however much faster.)
 *
 * The default `burst` of 1 spaces requests `1000 / perSecond` ms apart: no
 * half-open second ever holds more than `perSecond` of them, whichever way the
 * provider counts (a fixed window, a sliding window or a bucket of its own),
 * and whatever burst allowance the provider has is left to absorb the
 * network's jitter.
 *
 * Hook a pacer into an HTTP client with its `pace` option; this one paces each
 * request's first attempt and counts its retries, which wait as the retry
 * policy says (a 429's `Retry-After`, or a backoff):
 *
 * ```ts
 * const pacer = createPacer({ perSecond: 15, burst: 8 }, clock);
 * const http = createHttpClient({
 *   ...settings,
 *   pace: async ({ attempt, signal }) => {
 *     if (attempt === 1) await pacer.take(signal);
 *     else pacer.charge();
 *   },
 * });
 * ```
 *
 * @module
 */
import type { Clock } from 'idv-providers';

/** A rate: how many requests a second, and how many may go at once. */
export interface PaceRate {
  /** Sustained requests per second: a positive number. */
  perSecond: number;
  /** Requests that may go at once after a quiet spell (the bucket's size): a whole number ≥ 1. Default 1. */
  burst?: number | undefined;
}

/** One request class's bucket. Create one per provider instance and class with {@link createPacer}. */
export interface Pacer {
  /** Sustained requests per second. */
  readonly perSecond: number;
  /** The bucket's size. */
  readonly burst: number;
  /**
   * Resolves when the caller may send one request (and takes its token).
   * Resolves at once, taking nothing, when `signal` is or becomes aborted:
   * the request then fails as cancelled where it is sent.
   */
  take(signal?: AbortSignal): Promise<void>;
  /**
   * Takes one token now without waiting, even below empty: for a request that
   * goes anyway (a retry, which waits as the retry policy says). The requests
   * after it wait for the slot it used.
   */
  charge(): void;
  /** Requests waiting for their turn now. */
  waiting(): number;
}

/** Creates a token bucket of `rate` on `clock`, full at first. */
export function createPacer(rate: PaceRate, clock: Pick<Clock, 'now' | 'sleep'>): Pacer {
  const { perSecond } = rate;
  const burst = rate.burst ?? 1;
  if (!(Number.isFinite(perSecond) && perSecond > 0)) {
    throw new RangeError(`[idv] a pace needs perSecond > 0, got ${perSecond}`);
  }
  if (!(Number.isInteger(burst) && burst >= 1)) {
    throw new RangeError(`[idv] a pace needs a whole burst ≥ 1, got ${burst}`);
  }
  let tokens = burst;
  let updatedAt = clock.now();
  let queue: Promise<void> = Promise.resolve();
  let waiting = 0;

  function refill(): void {
    const now = clock.now();
    if (now > updatedAt) tokens = Math.min(burst, tokens + ((now - updatedAt) * perSecond) / 1000);
    // A clock set back starts counting from its new time.
    updatedAt = now;
  }

  async function acquire(signal: AbortSignal | undefined): Promise<void> {
    for (;;) {
      if (signal?.aborted === true) return;
      refill();
      if (tokens >= 1) {
        tokens -= 1;
        return;
      }
      await clock.sleep(Math.max(1, Math.ceil(((1 - tokens) * 1000) / perSecond)));
    }
  }

  return {
    perSecond,
    burst,
    waiting: () => waiting,
    charge() {
      refill();
      tokens -= 1;
    },
    take(signal) {
      if (signal?.aborted === true) return Promise.resolve();
      if (waiting === 0) {
        // Nobody in line: take a token now if there is one, without a turn of the event loop.
        refill();
        if (tokens >= 1) {
          tokens -= 1;
          return Promise.resolve();
        }
      }
      waiting++;
      const turn = queue.then(() => acquire(signal));
      const leave = () => {
        waiting--;
      };
      queue = turn.then(leave, leave);
      if (signal === undefined) return turn;
      // An aborted caller stops waiting at once; its place in line then takes nothing.
      return new Promise<void>((resolve, reject) => {
        const stop = () => resolve();
        signal.addEventListener('abort', stop, { once: true });
        turn.then(resolve, reject).finally(() => signal.removeEventListener('abort', stop));
      });
    },
  };
}
