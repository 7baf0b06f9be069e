/**
 * Which error a failed request becomes: the one mapping from an HTTP status (or
 * a transport failure) to the library's error classes. Pure: the client hands
 * in what it saw and throws what comes back. Every text taken from the answer
 * or the transport is redacted of the provider's secrets.
 *
 * | answer | error |
 * |---|---|
 * | 3xx (to a JSON request) | {@link UnexpectedResponseError} |
 * | 429 | {@link RateLimitedError} with `retryAfterMs` |
 * | 404 | {@link NotFoundError} |
 * | any other 4xx, 5xx | {@link ProviderApiError} with `status`, `providerErrorType`, `fields` |
 * | no answer within the timeout | {@link TimeoutError} with `timeoutMs` |
 * | any other transport failure | {@link NetworkError} with `systemCode` |
 *
 * @module
 */
import {
  IdvError,
  NetworkError,
  NotFoundError,
  ProviderApiError,
  RateLimitedError,
  type RequestSummary,
  TimeoutError,
  UnexpectedResponseError,
} from 'idv-providers';
import { redact, redactDeep } from '../../shared/redact';
import { parseRetryAfter } from '../../shared/retry';
import { isAxiosError } from './axios';

/** Reads the provider's error description out of a JSON error body (Onfido, Jumio and RFC 7807 shapes). */
export function describeProviderError(body: unknown): {
  type?: string | undefined;
  message?: string | undefined;
  fields?: Record<string, unknown> | undefined;
} {
  if (typeof body !== 'object' || body === null) return {};
  const record = body as Record<string, unknown>;
  const nested = record['error'];
  if (typeof nested === 'object' && nested !== null) {
    const error = nested as Record<string, unknown>;
    return {
      ...(typeof error['type'] === 'string' ? { type: error['type'] } : {}),
      ...(typeof error['message'] === 'string' ? { message: error['message'] } : {}),
      ...(typeof error['fields'] === 'object' && error['fields'] !== null
        ? { fields: error['fields'] as Record<string, unknown> }
        : {}),
    };
  }
  const type = [record['title'], record['error'], record['errorCode'], record['code']].find(
    (v) => typeof v === 'string' || typeof v === 'number',
  );
  const message = [record['detail'], record['message'], record['error_description']].find(
    (v) => typeof v === 'string',
  );
  return {
    ...(type === undefined ? {} : { type: String(type) }),
    ...(typeof message === 'string' ? { message } : {}),
  };
}

/** What every request error names. */
interface ErrorContext {
  /** Provider name. */
  provider: string;
  /** The request, already redacted. */
  request: RequestSummary;
  /** Attempts made. */
  attempts: number;
  /** Every secret to keep out of the error; called while it is built. */
  secrets: () => Iterable<string | undefined>;
}

/** An answer the client will not hand back: a redirect to a JSON request, or 4xx/5xx. */
export interface StatusErrorInput extends ErrorContext {
  status: number;
  /** The answer's body decoded from JSON; `undefined` when it was not JSON. */
  body: unknown;
  /** Response headers with lower-case names (a 429's `retry-after` is read). */
  headers: Readonly<Record<string, string>>;
  /** The current time, epoch milliseconds; read only for a 429 (a `Retry-After` date). */
  now: number;
}

/** A transport failure: no usable answer came back. */
export interface TransportErrorInput extends ErrorContext {
  /** What the transport threw (an axios error, or anything else). */
  error: unknown;
  /** The per-request timeout, milliseconds, for the message and `timeoutMs`. */
  timeoutMs: number;
}

const plural = (attempts: number): string => `${attempts} attempt${attempts === 1 ? '' : 's'}`;

/** The error for an answer with HTTP `status` (3xx, 4xx or 5xx). */
export function errorForStatus(input: StatusErrorInput): IdvError {
  const { provider, request, attempts, status } = input;
  const where = `${request.method} ${request.url}`;
  if (status >= 300 && status < 400) {
    return new UnexpectedResponseError(
      `[idv] [${provider}] ${where} answered with a redirect (HTTP ${status}), which the API never sends`,
      { provider, request, attempts },
    );
  }
  const clean = (text: string): string => redact(text, input.secrets());
  const described = describeProviderError(input.body);
  const type = described.type === undefined ? undefined : clean(described.type);
  const detail = described.message === undefined ? '' : `: ${clean(described.message)}`;
  const base = { provider, request, attempts, providerErrorType: type };
  if (status === 429) {
    const retryAfterMs = parseRetryAfter(input.headers['retry-after'], input.now);
    return new RateLimitedError(
      `[idv] [${provider}] ${where} was rate limited (HTTP 429) after ${plural(attempts)}${detail}`,
      { ...base, retryAfterMs },
    );
  }
  if (status === 404) {
    return new NotFoundError(`[idv] [${provider}] ${where}: not found (HTTP 404)${detail}`, base);
  }
  const fields = described.fields;
  const hint =
    status === 401 ? ' (check the credentials)' : status === 403 ? ' (access refused)' : '';
  return new ProviderApiError(
    `[idv] [${provider}] ${where} failed with HTTP ${status}${type === undefined ? '' : ` ${type}`}${detail}${hint}`,
    {
      ...base,
      status,
      ...(fields === undefined
        ? {}
        : { fields: redactDeep(fields, input.secrets()) as Record<string, unknown> }),
    },
  );
}

/** The error for a transport failure: {@link TimeoutError} for a timeout, else {@link NetworkError}. */
export function errorForTransport(input: TransportErrorInput): IdvError {
  const { provider, request, attempts, error, timeoutMs } = input;
  if (error instanceof IdvError) return error;
  const clean = (text: string): string => redact(text, input.secrets());
  const code = isAxiosError(error) ? error.code : undefined;
  const systemCode =
    (error as { cause?: { code?: unknown } } | undefined)?.cause?.code ??
    (error as { code?: unknown } | undefined)?.code;
  const rawMessage = error instanceof Error ? error.message : String(error);
  const cause = { name: 'TransportError', code: code ?? systemCode, message: clean(rawMessage) };
  const where = `${request.method} ${request.url}`;
  if (code === 'ETIMEDOUT' || code === 'ECONNABORTED') {
    return new TimeoutError(
      `[idv] [${provider}] ${where} timed out after ${timeoutMs} ms (${plural(attempts)})`,
      { provider, request, attempts, timeoutMs, cause },
    );
  }
  const sys =
    typeof systemCode === 'string' ? systemCode : typeof code === 'string' ? code : undefined;
  return new NetworkError(
    `[idv] [${provider}] ${where} failed: ${clean(rawMessage)} (${plural(attempts)})`,
    { provider, request, attempts, systemCode: sys, cause },
  );
}
