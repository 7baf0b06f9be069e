/**
 * Which failures are retried, and how long to wait between attempts.
 *
 * - HTTP 429: retried for every method (the provider refused the request without
 *   acting on it), waiting for `Retry-After` when the provider sends one.
 * - HTTP 500, 502, 503, 504 and a connection that broke mid-request: retried only
 *   for idempotent requests (GET, HEAD, OPTIONS, DELETE, or a request marked
 *   idempotent), since the provider may have acted on it.
 * - A connection that could not be opened (refused, DNS failure): retried for
 *   every method, since nothing was sent.
 * - Everything else (4xx, malformed answers): never retried.
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
