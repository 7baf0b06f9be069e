/**
 * Jumio's rate limits, per tenant (docs/provider-facts.md#j-rl-1): one token
 * bucket per client id and request class, on the emulator's clock (a test
 * moves its test clock to let a bucket refill).
 *
 * | class | what counts | default | fact |
 * |---|---|---|---|
 * | `token` | `POST /oauth2/token` | 10 a second | docs/provider-facts.md#j-rl-2 |
 * | `account` | `POST /api/v1/accounts`, `PUT /api/v1/accounts/{id}` (each starts a transaction) | 1 a second, bursts of 5 | docs/provider-facts.md#j-rl-3 |
 * | `retrieval` | every request to the retrieval host (status, details, steps, parts, deletion) | 15 a second | docs/provider-facts.md#j-rl-4 |
 *
 * "N a second" is read as a bucket of N refilled at N a second. Jumio
 * tolerates "short bursts" of account requests without saying how short: the
 * emulator's burst of 5 is its own choice (a test may set another). Which
 * retrieval calls the 15 a second covers is not stated beyond "transaction
 * details"; the emulator counts every retrieval call. A refused request is
 * answered 429 with the documented body and takes no token. Jumio documents
 * no `Retry-After` header, so none is sent.
 *
 * @module
 */

/** A request class with a limit of its own. */
export type RateClass = 'token' | 'account' | 'retrieval';

/** One class's limit: a bucket of `burst` requests refilled at `perSecond`. */
export interface JumioRateLimit {
  /** Sustained requests a second. */
  perSecond: number;
  /** Requests that may arrive at once after a quiet spell (the bucket's size). */
  burst: number;
}

/** Every class's limit. */
export type JumioRateLimits = Readonly<Record<RateClass, JumioRateLimit>>;

/** The limits a tenant has unless Jumio Support raised them. */
export const JUMIO_DEFAULT_RATE_LIMITS: JumioRateLimits = {
  // docs/provider-facts.md#j-rl-2
  token: { perSecond: 10, burst: 10 },
  // docs/provider-facts.md#j-rl-3 (the burst of 5 is the emulator's choice)
  account: { perSecond: 1, burst: 5 },
  // docs/provider-facts.md#j-rl-4
  retrieval: { perSecond: 15, burst: 15 },
};

/** The `rateLimits` setting: on (the defaults), off, or some classes' limits changed. */
export type JumioRateLimitSetting =
  | boolean
  | Partial<Record<RateClass, Partial<JumioRateLimit> | undefined>>;

/** A request the limits refused. */
export interface RateLimitedRequest {
  /** The request class. */
  rateClass: RateClass;
  /** The tenant (client id). */
  clientId: string;
  method: string;
  /** The path, relative to the host's base path. */
  path: string;
  /** The emulator's time, epoch ms. */
  at: number;
}

/** The buckets of every tenant. */
export interface RateLimiter {
  /** Whether limits apply. */
  enabled(): boolean;
  /** The limits that apply (also when off: those that would). */
  limits(): JumioRateLimits;
  /** Changes the setting; the buckets start full. */
  set(setting: JumioRateLimitSetting): void;
  /** Takes a token for `clientId`'s `rateClass`; `false` when the bucket is empty (answer 429). */
  admit(clientId: string, rateClass: RateClass): boolean;
}

function resolve(setting: JumioRateLimitSetting): { on: boolean; limits: JumioRateLimits } {
  if (typeof setting === 'boolean') return { on: setting, limits: JUMIO_DEFAULT_RATE_LIMITS };
  const limits = { ...JUMIO_DEFAULT_RATE_LIMITS };
  for (const rateClass of Object.keys(limits) as RateClass[]) {
    const given = setting[rateClass];
    if (given === undefined) continue;
    const merged = { ...limits[rateClass], ...given };
    if (!(merged.perSecond > 0) || !(Number.isInteger(merged.burst) && merged.burst >= 1)) {
      throw new Error(
        `[jumio emulator] rateLimits.${rateClass} needs perSecond > 0 and a whole burst ≥ 1`,
      );
    }
    limits[rateClass] = merged;
  }
  return { on: true, limits };
}

/** Creates the buckets, on the emulator's clock. */
export function createRateLimiter(now: () => number, setting: JumioRateLimitSetting): RateLimiter {
  let current = resolve(setting);
  const buckets = new Map<string, { tokens: number; at: number }>();
  return {
    enabled: () => current.on,
    limits: () => current.limits,
    set(next) {
      current = resolve(next);
      buckets.clear();
    },
    admit(clientId, rateClass) {
      if (!current.on) return true;
      const { perSecond, burst } = current.limits[rateClass];
      const key = `${rateClass}\u0000${clientId}`;
      const time = now();
      const bucket = buckets.get(key) ?? { tokens: burst, at: time };
      const elapsed = Math.max(0, time - bucket.at);
      bucket.tokens = Math.min(burst, bucket.tokens + (elapsed * perSecond) / 1000);
      bucket.at = time;
      buckets.set(key, bucket);
      // A hair of tolerance for floating point: 1/15 s is not a whole number of ms.
      if (bucket.tokens < 1 - 1e-9) return false;
      bucket.tokens = Math.max(0, bucket.tokens - 1);
      return true;
    },
  };
}
