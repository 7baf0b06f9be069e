/**
 * A per-sender token bucket: each sender may record `burst` events at once
 * and `perSecond` more every second. Used by the intake for providers whose
 * callbacks are not signed (Jumio), where anyone who can reach the route can
 * send a well-formed one: what a sender can make the processor do is bounded.
 *
 * @module
 */
import { ConfigError } from '../errors';

/** The limit for one sender. */
export interface SenderLimit {
  /** Events a sender may record at once. */
  burst: number;
  /** Events a sender may record per second, on average. */
  perSecond: number;
  /** Senders remembered at once; the longest-unseen are forgotten first. Default 10 000. */
  maxSenders?: number | undefined;
}

/** The default for providers whose callbacks are unsigned: 100 at once, 20 a second per sender. */
export const DEFAULT_UNSIGNED_SENDER_LIMIT: SenderLimit = { burst: 100, perSecond: 20 };

/** Takes one token for a sender; `retryAfterMs` when it has none. */
export type SenderGate = (
  sender: string,
  now: number,
) => { ok: true } | { ok: false; retryAfterMs: number };

/** Builds a {@link SenderGate} for a limit (checked here). */
export function createSenderGate(limit: SenderLimit): SenderGate {
  const { burst, perSecond } = limit;
  const maxSenders = limit.maxSenders ?? 10_000;
  for (const [name, value] of [
    ['burst', burst],
    ['perSecond', perSecond],
    ['maxSenders', maxSenders],
  ] as const) {
    if (!Number.isFinite(value) || value <= 0) {
      throw new ConfigError(
        `[idv] [intake] option "senderLimit.${name}" must be a positive number`,
        {
          option: 'senderLimit',
        },
      );
    }
  }
  const buckets = new Map<string, { tokens: number; at: number }>();
  return (sender, now) => {
    const bucket = buckets.get(sender) ?? { tokens: burst, at: now };
    buckets.delete(sender);
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * perSecond);
    bucket.at = now;
    buckets.set(sender, bucket);
    if (buckets.size > maxSenders) {
      const oldest = buckets.keys().next().value;
      if (oldest !== undefined) buckets.delete(oldest);
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterMs: Math.ceil(((1 - bucket.tokens) / perSecond) * 1000) };
  };
}
