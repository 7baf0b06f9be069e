/**
 * Options every provider accepts, and the zod pieces provider schemas are built from.
 *
 * @module
 */
import { z } from 'zod';
import type { OutcomePolicy } from '../outcome';

/** Time and randomness, injectable so tests run instantly and deterministically. */
export interface Clock {
  /** Milliseconds since the epoch. Default `Date.now`. */
  now(): number;
  /** Waits `ms` milliseconds. Default a `setTimeout` promise. */
  sleep(ms: number): Promise<void>;
  /** A number in `[0, 1)`, for retry jitter. Default `Math.random`. */
  random(): number;
}

/** The real clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: () => Math.random(),
};

const isFunction = (value: unknown): boolean => typeof value === 'function';

/** A policy function. */
export const policySchema = z.custom<OutcomePolicy>(isFunction, {
  message: 'expected a function (result) => status',
});

/** A clock object with `now`, `sleep` and `random` functions. */
export const clockSchema = z.custom<Clock>(
  (value) =>
    typeof value === 'object' &&
    value !== null &&
    isFunction((value as Clock).now) &&
    isFunction((value as Clock).sleep) &&
    isFunction((value as Clock).random),
  { message: 'expected an object with now(), sleep(ms) and random() functions' },
);

/** An absolute http(s) URL. */
export const httpUrl = z.url({ protocol: /^https?$/, message: 'expected an absolute http(s) URL' });

/** A non-empty string (trimmed of surrounding white space). */
export const nonEmpty = z.string().trim().min(1, { message: 'must not be empty' });

/** Options shared by every provider. */
export const commonOptionsShape = {
  /** Register a `CLEAR` identity without review. Default `false`. */
  autoRegistration: z.boolean().default(false),
  /** Host policy applied to every final result. */
  policy: policySchema.optional(),
  /** Per-request timeout in milliseconds. Default 30 000. */
  timeoutMs: z.number().int().positive().max(600_000).default(30_000),
  /** Retries after the first attempt for retryable failures. Default 3. */
  maxRetries: z.number().int().min(0).max(10).default(3),
  /** Longest `Retry-After` the client will wait for, in milliseconds. Default 60 000. */
  maxRetryAfterMs: z.number().int().min(0).default(60_000),
  /** Largest document download accepted, in bytes. Default 64 MiB. */
  maxDownloadBytes: z
    .number()
    .int()
    .positive()
    .default(64 * 1024 * 1024),
  /** Your application's name and version, prefixed to the library's `User-Agent` (`"AcmeATM/2.1"`). */
  userAgent: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .regex(/^[\x20-\x7e]+$/, { message: 'must be printable ASCII' })
    .optional(),
  /** Injectable time, sleep and randomness (tests). */
  clock: clockSchema.optional(),
} as const;

/** The validated common options (the output of {@link commonOptionsShape}). */
export type CommonOptions = z.output<z.ZodObject<typeof commonOptionsShape>>;

/** Options shared by every provider, as a host writes them (everything optional). */
export interface CommonOptionsInput {
  /** Register a `CLEAR` identity without review. Default `false`. */
  autoRegistration?: boolean | undefined;
  /** Host policy applied to every final result. */
  policy?: OutcomePolicy | undefined;
  /** Per-request timeout in milliseconds. Default 30 000. */
  timeoutMs?: number | undefined;
  /** Retries after the first attempt for retryable failures (429, 5xx, network). Default 3. */
  maxRetries?: number | undefined;
  /** Longest `Retry-After` the client will wait for, in milliseconds. Default 60 000. */
  maxRetryAfterMs?: number | undefined;
  /** Largest document download accepted, in bytes. Default 64 MiB. */
  maxDownloadBytes?: number | undefined;
  /** Your application's name and version, prefixed to the library's `User-Agent`. */
  userAgent?: string | undefined;
  /** Injectable time, sleep and randomness (tests). */
  clock?: Clock | undefined;
}
