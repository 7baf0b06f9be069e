/**
 * Which failures are retried, and how long to wait between attempts: the pure
 * policy ({@link decideRetry}) the HTTP client's loop asks after every attempt.
 *
 * - HTTP 429: retried for every method (the provider refused the request without
 *   acting on it), waiting for `Retry-After` when the provider sends one, and not
 *   at all when that is longer than `maxRetryAfterMs`.
 * - HTTP 500, 502, 503, 504 and a connection that broke mid-request: retried only
 *   for idempotent requests (GET, HEAD, OPTIONS, DELETE, or a request marked
 *   idempotent), since the provider may have acted on it.
 * - A connection that could not be opened (refused, DNS failure): retried for
 *   every method, since nothing was sent.
 * - Everything else (4xx, malformed answers, a cancelled request): never retried.
 *
 * An HTTP 401 answered to a client with an `onUnauthorized` hook (Jumio's OAuth2
 * bearer token) earns one more attempt with a fresh credential; the client grants
 * it before asking this policy, and it does not count as a retry.
 *
 * @module
 */

/** Methods that are safe to repeat. PUT is not among them: Jumio's `PUT /accounts/{id}` starts a new transaction. */
export const IDEMPOTENT_METHODS: ReadonlySet<string> = new Set([
  'GET',
  'HEAD',
  'OPTIONS',
  'DELETE',
]);

/** Statuses retried for idempotent requests. */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([500, 502, 503, 504]);

/** System errors raised before a request left the machine: retrying cannot send it twice. */
export const NOT_SENT_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/** System errors after which the request may have reached the provider. */
export const MAYBE_SENT_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ECONNABORTED',
  'ERR_BAD_RESPONSE',
  'ESOCKETTIMEDOUT',
]);

/** Backoff settings. */
export interface BackoffOptions {
  /** First delay, milliseconds. Default 300. */
  baseMs?: number | undefined;
  /** Longest delay, milliseconds. Default 10 000. */
  capMs?: number | undefined;
}

/**
 * Exponential backoff with jitter: attempt `n` (0-based) waits a random time
 * between half and all of `min(cap, base * 2^n)`.
 */
export function backoffDelay(
  attempt: number,
  random: () => number,
  options: BackoffOptions = {},
): number {
  const base = options.baseMs ?? 300;
  const cap = options.capMs ?? 10_000;
  const ceiling = Math.min(cap, base * 2 ** attempt);
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}

/**
 * Parses a `Retry-After` header (delay in seconds, or an HTTP date) into
 * milliseconds from `now`. Returns `undefined` when absent or unreadable.
 */
export function parseRetryAfter(value: unknown, now: number): number | undefined {
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/** The request an attempt belonged to. */
export interface AttemptRequest {
  /** HTTP method, upper case. */
  method: string;
  /**
   * The request's own word on whether it is safe to repeat, whatever its method
   * (the Jumio OAuth2 token request is a POST that changes nothing). Default: by
   * method ({@link IDEMPOTENT_METHODS}); a "creating" request is one that is not.
   */
  idempotent?: boolean | undefined;
  /**
   * Retries already made before this attempt (0 after the first attempt). An
   * attempt granted by a credential refresh is not a retry, so after one this is
   * the attempt number minus 2.
   */
  retries: number;
}

/** The provider answered with an HTTP status. */
export interface StatusAttempt extends AttemptRequest {
  kind: 'status';
  status: number;
  /** Response headers with lower-case names; `retry-after` is read. */
  headers?: Readonly<Record<string, string | undefined>> | undefined;
}

/** The transport failed: no status came back, or the body broke off. */
export interface TransportAttempt extends AttemptRequest {
  kind: 'transport';
  /**
   * The system or transport code: `ECONNREFUSED`, `ENOTFOUND` (nothing sent),
   * `ECONNRESET`, `ETIMEDOUT` (no answer within the timeout), `ERR_BAD_RESPONSE`
   * (a body shorter than its `Content-Length`), ...; `''` when there is none.
   */
  code: string;
  /** Whether a response (status line) had come back before the failure. */
  responded: boolean;
}

/** The caller cancelled the request (its `AbortSignal`). */
export interface CancelledAttempt extends AttemptRequest {
  kind: 'cancelled';
}

/** The attempt failed with something other than a transport error (a bug, a throwing hook). */
export interface ExceptionAttempt extends AttemptRequest {
  kind: 'exception';
}

/** How one finished attempt ended, as {@link decideRetry} reads it. */
export type AttemptOutcome = StatusAttempt | TransportAttempt | CancelledAttempt | ExceptionAttempt;

/** The policy's knobs, and the clock's readings as plain values. */
export interface RetryOptions {
  /** Retries after the first attempt. */
  maxRetries: number;
  /** Longest `Retry-After` honoured; a longer one ends the retries. */
  maxRetryAfterMs: number;
  /** Backoff base and cap (default 300 ms and 10 s). */
  backoff?: BackoffOptions | undefined;
  /**
   * The current time, epoch milliseconds, for a `Retry-After` given as an HTTP
   * date. Read only for a 429 that may still be retried.
   */
  now: number;
  /**
   * A number in `[0, 1)` for the backoff's jitter. Read at most once, and only
   * for a backoff. (So a caller may define `now` and `random` as getters over a
   * live clock and draw from it only when a decision needs it.)
   */
  random: number;
}

/** Why an attempt is tried again. */
export type RetryReason =
  /** 429 with a `Retry-After` within `maxRetryAfterMs`: wait as told. */
  | 'retry_after'
  /** 429 without a readable `Retry-After`: back off. */
  | 'rate_limited'
  /** 500, 502, 503, 504 for an idempotent request. */
  | 'server_error'
  /** The connection could not be opened: nothing was sent. */
  | 'not_sent'
  /** The connection broke, timed out or the body was cut short, for an idempotent request. */
  | 'connection_failed';

/** Why an attempt is final. */
export type NoRetryReason =
  /** The provider answered (below 400): nothing to retry. */
  | 'answered'
  /** The failure would be retried, but `maxRetries` retries were made. */
  | 'retries_exhausted'
  /** 429 asking to wait longer than `maxRetryAfterMs`. */
  | 'retry_after_too_long'
  /** A status that is never retried (4xx other than 429, 501, ...). */
  | 'not_retryable_status'
  /** A 5xx or a broken connection for a request that is not idempotent: the provider may have acted. */
  | 'may_have_acted'
  /** A transport error after a response came back, with a code that is not retried. */
  | 'not_retryable_error'
  /** The caller cancelled the request. */
  | 'cancelled'
  /** Not a transport failure. */
  | 'exception';

/** What {@link decideRetry} says about one finished attempt. */
export type RetryDecision =
  | { retry: true; delayMs: number; reason: RetryReason }
  | { retry: false; reason: NoRetryReason };

/**
 * Decides whether to try a request again after one finished attempt, and how
 * long to wait first. Pure: no I/O, no timers, no clock but the readings given.
 */
export function decideRetry(outcome: AttemptOutcome, options: RetryOptions): RetryDecision {
  const idempotent = outcome.idempotent ?? IDEMPOTENT_METHODS.has(outcome.method);
  const exhausted = outcome.retries >= options.maxRetries;
  const backoff = (reason: RetryReason): RetryDecision =>
    exhausted
      ? { retry: false, reason: 'retries_exhausted' }
      : {
          retry: true,
          delayMs: backoffDelay(outcome.retries, () => options.random, options.backoff),
          reason,
        };
  switch (outcome.kind) {
    case 'status': {
      const { status } = outcome;
      if (status < 400) return { retry: false, reason: 'answered' };
      if (status === 429) {
        if (exhausted) return { retry: false, reason: 'retries_exhausted' };
        const after = parseRetryAfter(outcome.headers?.['retry-after'], options.now);
        if (after === undefined) return backoff('rate_limited');
        return after <= options.maxRetryAfterMs
          ? { retry: true, delayMs: after, reason: 'retry_after' }
          : { retry: false, reason: 'retry_after_too_long' };
      }
      if (!RETRYABLE_STATUSES.has(status)) return { retry: false, reason: 'not_retryable_status' };
      return idempotent ? backoff('server_error') : { retry: false, reason: 'may_have_acted' };
    }
    case 'transport': {
      if (NOT_SENT_CODES.has(outcome.code)) return backoff('not_sent');
      if (!idempotent) return { retry: false, reason: 'may_have_acted' };
      return MAYBE_SENT_CODES.has(outcome.code) || !outcome.responded
        ? backoff('connection_failed')
        : { retry: false, reason: 'not_retryable_error' };
    }
    case 'cancelled':
      return { retry: false, reason: 'cancelled' };
    case 'exception':
      return { retry: false, reason: 'exception' };
  }
}
