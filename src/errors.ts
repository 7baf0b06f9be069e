/**
 * Typed errors. Every failure the library reports is an {@link IdvError} with a
 * literal `code`; each kind of failure has its own subclass so hosts can branch
 * with `instanceof` or on `code`.
 *
 * No error ever carries a secret: messages and fields are built from values the
 * library chose to expose, and `cause` is only ever a redacted summary, never a
 * raw HTTP client error (those hold the request headers, Authorization included).
 *
 * @module
 */
import type { LinkTokenReason } from './links/link-token';

const BRAND = Symbol.for('idv-providers.IdvError');

/** Every `code` an {@link IdvError} can have. */
export type IdvErrorCode =
  | 'config_error'
  | 'invalid_input'
  | 'provider_api_error'
  | 'rate_limited'
  | 'timeout'
  | 'network_error'
  | 'webhook_verification_failed'
  | 'unexpected_response'
  | 'not_found'
  | 'download_refused'
  | 'link_token_invalid'
  | 'store_error';

/** Options common to every {@link IdvError}. */
export interface IdvErrorOptions {
  /** The provider the failure concerns (`"onfido"`, `"jumio"`, ...), when there is one. */
  provider?: string | undefined;
  /** The underlying cause, already stripped of anything secret. */
  cause?: unknown | undefined;
}

/**
 * Base class of every error the library throws.
 *
 * @example
 * ```ts
 * try { await idv.startVerification({ identityReference: 'id-1' }); }
 * catch (err) { if (isIdvError(err) && err.code === 'rate_limited') retryLater(); }
 * ```
 */
export class IdvError extends Error {
  override name: string = 'IdvError';
  /** Machine-readable kind of failure. */
  readonly code: IdvErrorCode;
  /** The provider concerned, when there is one. */
  readonly provider: string | undefined;

  constructor(code: IdvErrorCode, message: string, options: IdvErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.provider = options.provider;
    Object.defineProperty(this, BRAND, { value: true });
  }

  /** A plain object for logs and `JSON.stringify`; holds nothing secret. */
  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = {
      name: this.name,
      code: this.code,
      message: this.message,
    };
    for (const [key, value] of Object.entries(this)) {
      if (value !== undefined) out[key] = value;
    }
    return out;
  }
}

/**
 * True when `value` is an {@link IdvError}, even one thrown by another copy of this
 * library (a CommonJS and an ESM copy loaded side by side, for example).
 */
export function isIdvError(value: unknown): value is IdvError {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value instanceof IdvError || (value as Record<symbol, unknown>)[BRAND] === true)
  );
}

/** The configuration is missing an option, has an invalid one, or names an unknown provider. */
export class ConfigError extends IdvError {
  override name = 'ConfigError' as const;
  /** The option at fault, as a dotted path (`"region"`), when one is. */
  readonly option: string | undefined;
  constructor(message: string, options: IdvErrorOptions & { option?: string | undefined } = {}) {
    super('config_error', message, options);
    this.option = options.option;
  }
}

/** Input given to a method was refused before any request was sent. */
export class InvalidInputError extends IdvError {
  override name = 'InvalidInputError' as const;
  /** The input field at fault. */
  readonly field: string | undefined;
  constructor(message: string, options: IdvErrorOptions & { field?: string | undefined } = {}) {
    super('invalid_input', message, options);
    this.field = options.field;
  }
}

/** Where in a request an error happened: method and URL path (never query secrets or headers). */
export interface RequestSummary {
  /** HTTP method, upper case. */
  method: string;
  /** The URL without query string. */
  url: string;
}

/** Options of errors raised for a request to a provider's API. */
export interface RequestErrorOptions extends IdvErrorOptions {
  /** The request concerned. */
  request?: RequestSummary | undefined;
  /** How many attempts were made, retries included. */
  attempts?: number | undefined;
}

/** The provider's API answered with an error status. */
export class ProviderApiError extends IdvError {
  override name: string = 'ProviderApiError';
  /** HTTP status of the answer. */
  readonly status: number;
  /** The provider's own error type (`validation_error`, `Too Many Requests`, ...), when it sent one. */
  readonly providerErrorType: string | undefined;
  /** Field errors the provider reported (Onfido's `fields`), when it sent any. */
  readonly fields: Record<string, unknown> | undefined;
  /** The request concerned. */
  readonly request: RequestSummary | undefined;
  /** How many attempts were made. */
  readonly attempts: number | undefined;

  constructor(
    message: string,
    options: RequestErrorOptions & {
      status: number;
      providerErrorType?: string | undefined;
      fields?: Record<string, unknown> | undefined;
    },
    code: IdvErrorCode = 'provider_api_error',
  ) {
    super(code, message, options);
    this.status = options.status;
    this.providerErrorType = options.providerErrorType;
    this.fields = options.fields;
    this.request = options.request;
    this.attempts = options.attempts;
  }
}

/** The provider refused the request for exceeding its rate limit (HTTP 429), after any retries. */
export class RateLimitedError extends ProviderApiError {
  override name = 'RateLimitedError' as const;
  /** How long the provider asked to wait, in milliseconds, when it said. */
  readonly retryAfterMs: number | undefined;
  constructor(
    message: string,
    options: RequestErrorOptions & {
      providerErrorType?: string | undefined;
      retryAfterMs?: number | undefined;
    },
  ) {
    super(message, { ...options, status: 429 }, 'rate_limited');
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** The resource does not exist (HTTP 404), or no longer does. */
export class NotFoundError extends ProviderApiError {
  override name = 'NotFoundError' as const;
  constructor(
    message: string,
    options: RequestErrorOptions & { providerErrorType?: string | undefined },
  ) {
    super(message, { ...options, status: 404 }, 'not_found');
  }
}

/** The provider did not answer within the configured timeout. */
export class TimeoutError extends IdvError {
  override name = 'TimeoutError' as const;
  /** The timeout that ran out, in milliseconds. */
  readonly timeoutMs: number | undefined;
  /** The request concerned. */
  readonly request: RequestSummary | undefined;
  /** How many attempts were made. */
  readonly attempts: number | undefined;
  constructor(
    message: string,
    options: RequestErrorOptions & { timeoutMs?: number | undefined } = {},
  ) {
    super('timeout', message, options);
    this.timeoutMs = options.timeoutMs;
    this.request = options.request;
    this.attempts = options.attempts;
  }
}

/** The provider could not be reached, or the connection broke before a full answer. */
export class NetworkError extends IdvError {
  override name = 'NetworkError' as const;
  /** The system error code (`ECONNRESET`, `ENOTFOUND`, ...), when there is one. */
  readonly systemCode: string | undefined;
  /** The request concerned. */
  readonly request: RequestSummary | undefined;
  /** How many attempts were made. */
  readonly attempts: number | undefined;
  constructor(
    message: string,
    options: RequestErrorOptions & { systemCode?: string | undefined } = {},
  ) {
    super('network_error', message, options);
    this.systemCode = options.systemCode;
    this.request = options.request;
    this.attempts = options.attempts;
  }
}

/** A webhook or callback was refused: bad or missing signature, malformed body, unexpected sender. */
export class WebhookVerificationError extends IdvError {
  override name = 'WebhookVerificationError' as const;
  /** Why it was refused, as a short stable token (`missing_signature`, `bad_signature`, `malformed_body`, ...). */
  readonly reason: string;
  constructor(message: string, options: IdvErrorOptions & { reason: string }) {
    super('webhook_verification_failed', message, options);
    this.reason = options.reason;
  }
}

/** The provider answered with a body of a shape the library does not understand. */
export class UnexpectedResponseError extends IdvError {
  override name = 'UnexpectedResponseError' as const;
  /** The request concerned. */
  readonly request: RequestSummary | undefined;
  /** What did not match, as `path: problem` lines (values are not included). */
  readonly issues: readonly string[];
  /** How many attempts were made. */
  readonly attempts: number | undefined;
  constructor(
    message: string,
    options: RequestErrorOptions & { issues?: readonly string[] | undefined } = {},
  ) {
    super('unexpected_response', message, options);
    this.request = options.request;
    this.issues = options.issues ?? [];
    this.attempts = options.attempts;
  }
}

/** Why a download was refused (see {@link DownloadRefusedError}). */
export type DownloadRefusedReason =
  | 'off_host'
  | 'redirect_off_host'
  | 'too_large'
  | 'unsupported_type';

/**
 * A download was refused: its URL is not on the provider's host, it redirected
 * off-host, it is too large, or its first bytes are markup (HTML, SVG, XML)
 * rather than an image, a PDF or a video.
 */
export class DownloadRefusedError extends IdvError {
  override name = 'DownloadRefusedError' as const;
  /** Why: `off_host`, `redirect_off_host`, `too_large` or `unsupported_type`. */
  readonly reason: DownloadRefusedReason;
  constructor(message: string, options: IdvErrorOptions & { reason: DownloadRefusedReason }) {
    super('download_refused', message, options);
    this.reason = options.reason;
  }
}

/** A signed verification link token was refused (expired, tampered, wrong key, wrong session). */
export class LinkTokenError extends IdvError {
  override name = 'LinkTokenError' as const;
  /**
   * Why the link was refused: one of the {@link LinkTokenReason}s when the
   * library's link signer refused it; a host refusing a link for a reason of
   * its own may name another.
   */
  readonly reason: LinkTokenReason | (string & {});
  constructor(
    message: string,
    options: IdvErrorOptions & { reason: LinkTokenReason | (string & {}) },
  ) {
    super('link_token_invalid', message, options);
    this.reason = options.reason;
  }
}

/** A webhook event store failed to read or write. */
export class StoreError extends IdvError {
  override name = 'StoreError' as const;
  constructor(message: string, options: IdvErrorOptions = {}) {
    super('store_error', message, options);
  }
}
