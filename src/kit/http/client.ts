/**
 * The HTTP layer every adapter talks through: one axios instance per provider
 * (never the global one), a per-request timeout, retries with exponential
 * backoff and jitter (see `retry.ts` for which), a `User-Agent` naming the
 * library, response validation with zod, and errors from which every secret is
 * gone. Axios errors never escape: they carry the request headers.
 *
 * @module
 */
import type { Readable } from 'node:stream';
import axios, { type AxiosInstance, type AxiosResponse, isAxiosError } from 'axios';
import {
  type Clock,
  IdvError,
  LIBRARY_USER_AGENT,
  NetworkError,
  NotFoundError,
  ProviderApiError,
  RateLimitedError,
  type RequestSummary,
  systemClock,
  TimeoutError,
  UnexpectedResponseError,
} from 'idv-providers';
import type { z } from 'zod';
import { describeUrl, redact, redactDeep } from '../../shared/redact';
import {
  backoffDelay,
  IDEMPOTENT_METHODS,
  MAYBE_SENT_CODES,
  NOT_SENT_CODES,
  parseRetryAfter,
  RETRYABLE_STATUSES,
} from '../../shared/retry';

/** HTTP methods the client sends. */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'HEAD' | 'OPTIONS' | 'PATCH';

/** Settings of one provider's HTTP client. */
export interface HttpClientOptions {
  /** Provider name, for errors. */
  provider: string;
  /** Base URL requests are relative to. */
  baseUrl: string;
  /** Per-request timeout, milliseconds. */
  timeoutMs: number;
  /** Retries after the first attempt. */
  maxRetries: number;
  /** Longest `Retry-After` honoured; a longer one ends the retries. */
  maxRetryAfterMs: number;
  /** The host application's product token, prefixed to the library's. */
  userAgent?: string | undefined;
  /** Injectable time. */
  clock?: Clock | undefined;
  /** Every secret to keep out of errors (tokens, client secrets). Called when an error is built. */
  secrets: () => Iterable<string | undefined>;
  /** Auth headers for a request (called for every attempt, so a refreshed token is used). */
  authorize?: (() => Record<string, string> | Promise<Record<string, string>>) | undefined;
  /**
   * Called once when a request gets HTTP 401, with the auth headers that
   * request carried (so a token refreshed meanwhile by another request is not
   * thrown away); resolve `true` to retry it once with fresh credentials (an
   * OAuth2 token refresh).
   */
  onUnauthorized?: ((sent: Readonly<Record<string, string>>) => Promise<boolean>) | undefined;
}

/** One request. */
export interface HttpRequest<T> {
  method: HttpMethod;
  /** Path relative to the base URL, or an absolute URL. */
  url: string;
  /** Query parameters. */
  params?: Record<string, string | number | boolean | undefined>;
  /** JSON body, or a `URLSearchParams` for a form body. */
  body?: unknown | undefined;
  /** Extra headers. */
  headers?: Record<string, string> | undefined;
  /** Validates the JSON answer; a mismatch is an {@link UnexpectedResponseError}. */
  schema?: z.ZodType<T> | undefined;
  /** Safe to repeat even though the method is not idempotent. Default: GET, HEAD, OPTIONS, DELETE only. */
  idempotent?: boolean | undefined;
  /** Cancels the request. */
  signal?: AbortSignal | undefined;
  /** Statuses (besides 2xx) to hand back instead of throwing. */
  acceptStatus?: readonly number[] | undefined;
}

/** A decoded JSON answer. */
export interface HttpResponse<T> {
  status: number;
  headers: Record<string, string>;
  data: T;
  /** Attempts made. */
  attempts: number;
}

/** A streamed answer. */
export interface HttpStreamResponse {
  status: number;
  headers: Record<string, string>;
  body: Readable;
  /** The final URL (after any redirect the caller allowed). */
  url: string;
}

const MAX_ERROR_BODY = 64 * 1024;

/** A provider's HTTP client. Create one per provider instance with {@link createHttpClient}. */
export interface HttpClient {
  /** The base URL. */
  readonly baseUrl: string;
  /** Sends a request and decodes its JSON answer. */
  request<T>(request: HttpRequest<T>): Promise<HttpResponse<T>>;
  /** Sends a GET and streams the answer; 3xx answers are returned, not followed. */
  stream(
    request: Omit<HttpRequest<never>, 'schema' | 'body' | 'method'>,
  ): Promise<HttpStreamResponse>;
}

function headersOf(response: AxiosResponse): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(response.headers ?? {})) {
    if (value !== undefined && value !== null) out[key.toLowerCase()] = String(value);
  }
  return out;
}

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

function parseJsonBody(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

async function readLimited(stream: Readable, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream) {
      const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
      chunks.push(buffer);
      size += buffer.length;
      if (size >= limit) break;
    }
  } catch {
    // A broken error body still leaves the status to report.
  } finally {
    stream.destroy();
  }
  return Buffer.concat(chunks).subarray(0, limit).toString('utf8');
}

/** Creates a provider's HTTP client. */
export function createHttpClient(options: HttpClientOptions): HttpClient {
  const clock = options.clock ?? systemClock;
  const provider = options.provider;
  const userAgent =
    options.userAgent === undefined
      ? LIBRARY_USER_AGENT
      : `${options.userAgent} ${LIBRARY_USER_AGENT}`;
  const instance: AxiosInstance = axios.create({
    baseURL: options.baseUrl,
    timeout: options.timeoutMs,
    maxRedirects: 0,
    validateStatus: () => true,
    transitional: { clarifyTimeoutError: true, silentJSONParsing: false, forcedJSONParsing: false },
    headers: { 'User-Agent': userAgent, Accept: 'application/json' },
  });

  const clean = (text: string): string => redact(text, options.secrets());

  function summary(method: string, url: string): RequestSummary {
    const absolute = /^https?:\/\//i.test(url)
      ? url
      : `${options.baseUrl.replace(/\/+$/, '')}/${url.replace(/^\/+/, '')}`;
    return { method, url: clean(describeUrl(absolute)) };
  }

  function transportError(error: unknown, request: RequestSummary, attempts: number): IdvError {
    if (error instanceof IdvError) return error;
    const code = isAxiosError(error) ? error.code : undefined;
    const systemCode =
      (error as { cause?: { code?: unknown } } | undefined)?.cause?.code ??
      (error as { code?: unknown } | undefined)?.code;
    const rawMessage = error instanceof Error ? error.message : String(error);
    const cause = { name: 'TransportError', code: code ?? systemCode, message: clean(rawMessage) };
    const where = `${request.method} ${request.url}`;
    if (code === 'ETIMEDOUT' || code === 'ECONNABORTED') {
      return new TimeoutError(
        `[idv] [${provider}] ${where} timed out after ${options.timeoutMs} ms (${attempts} attempt${attempts === 1 ? '' : 's'})`,
        { provider, request, attempts, timeoutMs: options.timeoutMs, cause },
      );
    }
    const sys =
      typeof systemCode === 'string' ? systemCode : typeof code === 'string' ? code : undefined;
    return new NetworkError(
      `[idv] [${provider}] ${where} failed: ${clean(rawMessage)} (${attempts} attempt${attempts === 1 ? '' : 's'})`,
      { provider, request, attempts, systemCode: sys, cause },
    );
  }

  function statusError(
    status: number,
    body: unknown,
    headers: Record<string, string>,
    request: RequestSummary,
    attempts: number,
  ): IdvError {
    const described = describeProviderError(body);
    const type = described.type === undefined ? undefined : clean(described.type);
    const detail = described.message === undefined ? '' : `: ${clean(described.message)}`;
    const where = `${request.method} ${request.url}`;
    const base = { provider, request, attempts, providerErrorType: type };
    if (status === 429) {
      const retryAfterMs = parseRetryAfter(headers['retry-after'], clock.now());
      return new RateLimitedError(
        `[idv] [${provider}] ${where} was rate limited (HTTP 429) after ${attempts} attempt${attempts === 1 ? '' : 's'}${detail}`,
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
          : { fields: redactDeep(fields, options.secrets()) as Record<string, unknown> }),
      },
    );
  }

  function isIdempotent(method: string, flag: boolean | undefined): boolean {
    return flag ?? IDEMPOTENT_METHODS.has(method);
  }

  /** Decides whether to try again, and after how long. `undefined`: do not. */
  function retryDelay(
    outcome: { status?: number; headers?: Record<string, string>; error?: unknown },
    idempotent: boolean,
    retries: number,
  ): number | undefined {
    if (retries >= options.maxRetries) return undefined;
    if (outcome.status !== undefined) {
      if (outcome.status === 429) {
        const after = parseRetryAfter(outcome.headers?.['retry-after'], clock.now());
        if (after !== undefined) return after <= options.maxRetryAfterMs ? after : undefined;
        return backoffDelay(retries, clock.random);
      }
      return idempotent && RETRYABLE_STATUSES.has(outcome.status)
        ? backoffDelay(retries, clock.random)
        : undefined;
    }
    const error = outcome.error;
    if (!isAxiosError(error) || error.code === 'ERR_CANCELED') return undefined;
    const code = (error.cause as { code?: string } | undefined)?.code ?? error.code ?? '';
    if (NOT_SENT_CODES.has(code)) return backoffDelay(retries, clock.random);
    if (idempotent && (MAYBE_SENT_CODES.has(code) || error.response === undefined)) {
      return backoffDelay(retries, clock.random);
    }
    return undefined;
  }

  async function send(
    request: HttpRequest<unknown>,
    responseType: 'text' | 'stream',
  ): Promise<{ response: AxiosResponse; attempts: number; summary: RequestSummary }> {
    const info = summary(request.method, request.url);
    const idempotent = isIdempotent(request.method, request.idempotent);
    let refreshed = false;
    let retries = 0;
    for (let attempts = 1; ; attempts++) {
      let response: AxiosResponse | undefined;
      let failure: unknown;
      let auth: Record<string, string> = {};
      try {
        auth = options.authorize === undefined ? {} : await options.authorize();
        const isForm = request.body instanceof URLSearchParams;
        response = await instance.request({
          method: request.method,
          url: request.url,
          ...(request.params === undefined ? {} : { params: request.params }),
          data: isForm ? (request.body as URLSearchParams).toString() : request.body,
          headers: {
            ...(request.body === undefined
              ? {}
              : {
                  'Content-Type': isForm ? 'application/x-www-form-urlencoded' : 'application/json',
                }),
            ...request.headers,
            ...auth,
          },
          responseType,
          transformResponse: [(data: unknown) => data],
          ...(request.signal === undefined ? {} : { signal: request.signal }),
        });
      } catch (error) {
        if (error instanceof IdvError) throw error;
        failure = error;
      }

      if (response === undefined) {
        const delay = retryDelay({ error: failure }, idempotent, retries);
        if (delay === undefined) throw transportError(failure, info, attempts);
        retries++;
        await clock.sleep(delay);
        continue;
      }

      const status = response.status;
      if (status < 400 || request.acceptStatus?.includes(status)) {
        return { response, attempts, summary: info };
      }
      const headers = headersOf(response);
      if (status === 401 && !refreshed && options.onUnauthorized !== undefined) {
        if (responseType === 'stream') (response.data as Readable).destroy();
        refreshed = true;
        // A refreshed credential earns one more attempt, not counted as a retry.
        if (await options.onUnauthorized(auth)) continue;
      }
      const delay = retryDelay({ status, headers }, idempotent, retries);
      const text =
        responseType === 'stream'
          ? await readLimited(response.data as Readable, MAX_ERROR_BODY)
          : String(response.data ?? '');
      if (delay === undefined) {
        const parsed = parseJsonBody(text);
        throw statusError(status, parsed.ok ? parsed.value : undefined, headers, info, attempts);
      }
      retries++;
      await clock.sleep(delay);
    }
  }

  return {
    baseUrl: options.baseUrl,

    async request<T>(request: HttpRequest<T>): Promise<HttpResponse<T>> {
      const {
        response,
        attempts,
        summary: info,
      } = await send(request as HttpRequest<unknown>, 'text');
      const headers = headersOf(response);
      const text = typeof response.data === 'string' ? response.data : '';
      const where = `${info.method} ${info.url}`;
      if (response.status >= 300 && response.status < 400) {
        throw new UnexpectedResponseError(
          `[idv] [${provider}] ${where} answered with a redirect (HTTP ${response.status}), which the API never sends`,
          { provider, request: info, attempts },
        );
      }
      if (request.schema === undefined && text.trim() === '') {
        return { status: response.status, headers, data: undefined as T, attempts };
      }
      const type = headers['content-type'] ?? '';
      if (type !== '' && !/[/+]json\b/i.test(type)) {
        throw new UnexpectedResponseError(
          `[idv] [${provider}] ${where} answered with content type ${JSON.stringify(type.split(';')[0])}, expected JSON`,
          { provider, request: info, attempts },
        );
      }
      const parsed = parseJsonBody(text);
      if (!parsed.ok) {
        throw new UnexpectedResponseError(
          `[idv] [${provider}] ${where} answered with a body that is not valid JSON (${text.length} bytes)`,
          { provider, request: info, attempts },
        );
      }
      if (request.schema === undefined) {
        return { status: response.status, headers, data: parsed.value as T, attempts };
      }
      const checked = request.schema.safeParse(parsed.value);
      if (!checked.success) {
        const issues = checked.error.issues.map(
          (issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`,
        );
        throw new UnexpectedResponseError(
          `[idv] [${provider}] ${where} answered with an unexpected shape: ${issues.slice(0, 5).join('; ')}`,
          { provider, request: info, attempts, issues },
        );
      }
      return { status: response.status, headers, data: checked.data, attempts };
    },

    async stream(request): Promise<HttpStreamResponse> {
      const { response, summary: info } = await send({ ...request, method: 'GET' }, 'stream');
      return {
        status: response.status,
        headers: headersOf(response),
        body: response.data as Readable,
        url: info.url,
      };
    },
  };
}
