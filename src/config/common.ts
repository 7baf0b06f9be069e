/**
 * Options every provider accepts, and the zod pieces provider schemas are built from.
 *
 * @module
 */
import { z } from 'zod';
import type { IdvLogger, IdvTracer } from '../observability/types';
import type { OutcomePolicy } from '../outcome';
import { isInsecureHttpUrl, isOnDomain } from '../shared/url';

// For provider definitions, which import only zod and this folder.
export { trimTrailingSlashes } from '../shared/url';

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

/** A logger: an object with `debug`, `info`, `warn` and `error` functions (`console` is one). */
export const loggerSchema = z.custom<IdvLogger>(
  (value) =>
    typeof value === 'object' &&
    value !== null &&
    ['debug', 'info', 'warn', 'error'].every((level) =>
      isFunction((value as Record<string, unknown>)[level]),
    ),
  { message: 'expected an object with debug(), info(), warn() and error() functions' },
);

/** A tracer (an OpenTelemetry `Tracer`: an object with `startActiveSpan`), or `false` for no spans. */
export const tracerSchema = z.custom<IdvTracer | false>(
  (value) =>
    value === false ||
    (typeof value === 'object' &&
      value !== null &&
      isFunction((value as IdvTracer).startActiveSpan)),
  { message: 'expected an OpenTelemetry Tracer (with startActiveSpan()) or false' },
);

/** An absolute http(s) URL. */
export const httpUrl = z.url({ protocol: /^https?$/, message: 'expected an absolute http(s) URL' });

/**
 * A base URL option (`baseUrl`, or a name ending in `BaseUrl`): an absolute
 * http(s) URL. Name the option so, and run {@link checkBaseUrls} on the
 * provider's options schema: `http:` is then refused unless the host is this
 * machine (`127.0.0.1`, `localhost`, `[::1]`) or the options set
 * `allowInsecureBaseUrl: true` (for tests). A user name and password in it
 * (a proxy's) are sent and never printed.
 */
export const baseUrlOption = httpUrl;

/** True for an option name that {@link checkBaseUrls} checks: `baseUrl`, or one ending in `BaseUrl`. */
export function isBaseUrlOption(option: string): boolean {
  return option === 'baseUrl' || option.endsWith('BaseUrl');
}

/**
 * The refinement every provider's options schema runs
 * (`z.strictObject(shape).superRefine(checkBaseUrls)`): each base URL option
 * ({@link isBaseUrlOption}) that is `http:` to another machine is refused,
 * unless `allowInsecureBaseUrl` is `true`. Over plain HTTP the credentials the
 * adapter sends, and the answers it trusts, can be read and changed on the way.
 */
export function checkBaseUrls<T extends object>(value: T, ctx: z.core.$RefinementCtx<T>): void {
  const options = value as Readonly<Record<string, unknown>>;
  if (options['allowInsecureBaseUrl'] === true) return;
  for (const [option, url] of Object.entries(options)) {
    if (!isBaseUrlOption(option) || typeof url !== 'string' || !isInsecureHttpUrl(url)) continue;
    ctx.addIssue({
      code: 'custom',
      path: [option],
      message:
        'must be an https URL: http is accepted only for 127.0.0.1, localhost and [::1], or with "allowInsecureBaseUrl: true" (for tests)',
    });
  }
}

/**
 * A URL of the host's own site that customers are sent to (a verification
 * page): an absolute http(s) URL on none of `providerDomains` (the provider's
 * own hosts, `onfido.com`), where the host's page cannot be.
 */
export function siteUrlOption(providerDomains: readonly string[]) {
  return httpUrl.refine(
    (text) => {
      try {
        const host = new URL(text).hostname;
        return !providerDomains.some((domain) => isOnDomain(host, domain));
      } catch {
        return true;
      }
    },
    {
      message: `must be your own site, not a host of the provider (${providerDomains.join(', ')})`,
    },
  );
}

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
  /** Where the provider's failed calls are logged (`debug`). Default: nowhere. */
  logger: loggerSchema.optional(),
  /** The tracer of the provider's spans; `false` for none. Default: the global one of `@opentelemetry/api`, if installed. */
  tracer: tracerSchema.optional(),
  /**
   * Accept `http:` base URLs to other machines (an emulator in a container, a
   * test proxy). Default `false`: only `https:`, and `http:` to 127.0.0.1,
   * localhost and [::1]. Never in production.
   */
  allowInsecureBaseUrl: z.boolean().default(false),
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
  /** Where the provider's failed calls are logged (`debug`). Default: nowhere. */
  logger?: IdvLogger | undefined;
  /**
   * The tracer of the provider's spans (an OpenTelemetry `Tracer`); `false`
   * for none. Default: the global one of `@opentelemetry/api`, if installed.
   */
  tracer?: IdvTracer | false | undefined;
  /**
   * Accept `http:` base URLs to other machines (an emulator in a container, a
   * test proxy). Default `false`: only `https:`, and `http:` to 127.0.0.1,
   * localhost and [::1]. Never in production.
   */
  allowInsecureBaseUrl?: boolean | undefined;
}
