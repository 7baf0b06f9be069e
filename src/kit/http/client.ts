/**
 * The HTTP layer every adapter talks through: one axios instance per provider
 * (never the global one; made on the first request, so axios loads only
 * then), a per-request timeout, retries with exponential backoff and jitter,
 * a `User-Agent` naming the library, response validation with zod, and
 * errors from which every secret is gone. Axios errors never escape: they
 * carry the request headers.
 *
 * The client only loops: it sends an attempt, describes how it ended, asks the
 * pure retry policy (`decideRetry` in `shared/retry.ts`) whether and when to try
 * again, and sleeps on the clock. Which error a failure becomes is decided in
 * one place, `errors.ts`.
 *
 * @module
 */
import type { Readable } from 'node:stream';
import type { AxiosInstance, AxiosResponse } from 'axios';
import {
  type Clock,
  IdvError,
  LIBRARY_USER_AGENT,
  type RequestSummary,
  UnexpectedResponseError,
} from 'idv-providers';
import type { z } from 'zod';
import { systemClock } from '../../config/common';
import { describeUrl, redactor } from '../../shared/redact';
import { type AttemptOutcome, decideRetry, type RetryOptions } from '../../shared/retry';
import { trimTrailingSlashes, userInfoOf } from '../../shared/url';
import { isAxiosError, loadAxios } from './axios';
import { errorForStatus, errorForTransport } from './errors';

export { describeProviderError } from './errors';

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
  /**
   * Waits until a request may be sent: a client-side rate limit, such as the
   * kit's `createPacer`. Called before every attempt, retries included (the
   * provider counts each; `attempt` tells them apart), and before
   * {@link authorize}, so a long wait still sends a fresh credential. It should
   * resolve at once when the request's signal is aborted (the attempt then
   * fails as cancelled). The retry loop and its policy are unchanged.
   */
  pace?: ((request: PacedRequest) => Promise<void>) | undefined;
}

/** What {@link HttpClientOptions.pace} is told about the attempt it paces. */
export interface PacedRequest {
  method: HttpMethod;
  /** Path relative to the base URL, or an absolute URL, as requested. */
  url: string;
  /** 1 for the first attempt. */
  attempt: number;
  /** The request's cancellation signal. */
  signal?: AbortSignal | undefined;
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
  // Made on the first request, which loads axios (see `axios.ts`): a client
  // that never sends one, such as a webhook receiver's, costs no axios.
  let axiosInstance: AxiosInstance | undefined;
  const instance = (): AxiosInstance => {
    axiosInstance ??= loadAxios().create({
      baseURL: options.baseUrl,
      timeout: options.timeoutMs,
      maxRedirects: 0,
      validateStatus: () => true,
      transitional: {
        clarifyTimeoutError: true,
        silentJSONParsing: false,
        forcedJSONParsing: false,
      },
      headers: { 'User-Agent': userAgent, Accept: 'application/json' },
    });
    return axiosInstance;
  };

  // A user name and password in the base URL (a proxy's) are secrets too: an
  // answer that echoes them is redacted like one that echoes a token.
  const baseUrlUserInfo = userInfoOf(options.baseUrl);
  const secrets = (): Iterable<string | undefined> => [...options.secrets(), ...baseUrlUserInfo];
  const clean = (text: string): string => redactor(secrets())(text);

  function summary(method: string, url: string): RequestSummary {
    const absolute = /^https?:\/\//i.test(url)
      ? url
      : `${trimTrailingSlashes(options.baseUrl)}/${url.replace(/^\/+/, '')}`;
    return { method, url: clean(describeUrl(absolute)) };
  }

  // The clock is read only when a decision needs it (a 429's Retry-After date, a
  // backoff's jitter), so a host's own clock sees the same calls, in the same
  // order, as it always has.
  const policy: RetryOptions = {
    maxRetries: options.maxRetries,
    maxRetryAfterMs: options.maxRetryAfterMs,
    get now() {
      return clock.now();
    },
    get random() {
      return clock.random();
    },
  };

  /** The error for an answer with `status` that is not handed back (see `errors.ts`). */
  function statusError(
    status: number,
    body: unknown,
    headers: Record<string, string>,
    request: RequestSummary,
    attempts: number,
  ): IdvError {
    return errorForStatus({
      provider,
      request,
      attempts,
      secrets,
      status,
      body,
      headers,
      get now() {
        return clock.now();
      },
    });
  }

  /** How an attempt that threw ended, for the retry policy. */
  function thrownOutcome(
    error: unknown,
    request: Pick<AttemptOutcome, 'method' | 'idempotent' | 'retries'>,
  ): AttemptOutcome {
    if (!isAxiosError(error)) return { ...request, kind: 'exception' };
    if (error.code === 'ERR_CANCELED') return { ...request, kind: 'cancelled' };
    const code = (error.cause as { code?: unknown } | undefined)?.code ?? error.code ?? '';
    return {
      ...request,
      kind: 'transport',
      code: String(code),
      responded: error.response !== undefined,
    };
  }

  async function send(
    request: HttpRequest<unknown>,
    responseType: 'text' | 'stream',
  ): Promise<{ response: AxiosResponse; attempts: number; describe: () => RequestSummary }> {
    // The redacted summary is made when an error or a caller needs it, not per request.
    let info: RequestSummary | undefined;
    const describe = (): RequestSummary => {
      info ??= summary(request.method, request.url);
      return info;
    };
    let refreshed = false;
    let retries = 0;
    for (let attempts = 1; ; attempts++) {
      let response: AxiosResponse | undefined;
      let failure: unknown;
      let auth: Record<string, string> = {};
      try {
        if (options.pace !== undefined) {
          await options.pace({
            method: request.method,
            url: request.url,
            attempt: attempts,
            signal: request.signal,
          });
        }
        auth = options.authorize === undefined ? {} : await options.authorize();
        const isForm = request.body instanceof URLSearchParams;
        response = await instance().request({
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

      const asked = { method: request.method, idempotent: request.idempotent, retries };
      if (response === undefined) {
        const decision = decideRetry(thrownOutcome(failure, asked), policy);
        if (!decision.retry) {
          throw errorForTransport({
            provider,
            request: describe(),
            attempts,
            secrets,
            error: failure,
            timeoutMs: options.timeoutMs,
          });
        }
        retries++;
        await clock.sleep(decision.delayMs);
        continue;
      }

      const status = response.status;
      if (status < 400 || request.acceptStatus?.includes(status)) {
        return { response, attempts, describe };
      }
      const headers = headersOf(response);
      if (status === 401 && !refreshed && options.onUnauthorized !== undefined) {
        if (responseType === 'stream') (response.data as Readable).destroy();
        refreshed = true;
        // A refreshed credential earns one more attempt, not counted as a retry.
        if (await options.onUnauthorized(auth)) continue;
      }
      const decision = decideRetry({ ...asked, kind: 'status', status, headers }, policy);
      const text =
        responseType === 'stream'
          ? await readLimited(response.data as Readable, MAX_ERROR_BODY)
          : String(response.data ?? '');
      if (!decision.retry) {
        const parsed = parseJsonBody(text);
        throw statusError(
          status,
          parsed.ok ? parsed.value : undefined,
          headers,
          describe(),
          attempts,
        );
      }
      retries++;
      await clock.sleep(decision.delayMs);
    }
  }

  return {
    baseUrl: options.baseUrl,

    async request<T>(request: HttpRequest<T>): Promise<HttpResponse<T>> {
      const { response, attempts, describe } = await send(request as HttpRequest<unknown>, 'text');
      const headers = headersOf(response);
      const text = typeof response.data === 'string' ? response.data : '';
      const where = (): string => `${describe().method} ${describe().url}`;
      if (response.status >= 300 && response.status < 400) {
        throw statusError(response.status, undefined, headers, describe(), attempts);
      }
      if (request.schema === undefined && text.trim() === '') {
        return { status: response.status, headers, data: undefined as T, attempts };
      }
      const type = headers['content-type'] ?? '';
      if (type !== '' && !/[/+]json\b/i.test(type)) {
        throw new UnexpectedResponseError(
          `[idv] [${provider}] ${where()} answered with content type ${clean(JSON.stringify(type.split(';')[0]))}, expected JSON`,
          { provider, request: describe(), attempts },
        );
      }
      const parsed = parseJsonBody(text);
      if (!parsed.ok) {
        throw new UnexpectedResponseError(
          `[idv] [${provider}] ${where()} answered with a body that is not valid JSON (${text.length} bytes)`,
          { provider, request: describe(), attempts },
        );
      }
      if (request.schema === undefined) {
        return { status: response.status, headers, data: parsed.value as T, attempts };
      }
      const checked = request.schema.safeParse(parsed.value);
      if (!checked.success) {
        // Paths name the answer's own keys, and messages may quote its values: either may echo a secret.
        const cleanIssue = redactor(secrets());
        const issues = checked.error.issues.map((issue) =>
          cleanIssue(`${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`),
        );
        throw new UnexpectedResponseError(
          `[idv] [${provider}] ${where()} answered with an unexpected shape: ${issues.slice(0, 5).join('; ')}`,
          { provider, request: describe(), attempts, issues },
        );
      }
      return { status: response.status, headers, data: checked.data, attempts };
    },

    async stream(request): Promise<HttpStreamResponse> {
      const { response, describe } = await send({ ...request, method: 'GET' }, 'stream');
      return {
        status: response.status,
        headers: headersOf(response),
        body: response.data as Readable,
        url: describe().url,
      };
    },
  };
}
