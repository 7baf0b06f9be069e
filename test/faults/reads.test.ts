/**
 * The fault matrix for an idempotent read (`getResult`'s first `GET`), row by
 * row, against both emulators: whether the library tries again, how many
 * requests reach the provider, how long it waits, and the typed error a fault
 * that persists ends in. Every provider here has the default `maxRetries` (3),
 * so a retried fault that persists costs 4 requests.
 */
import {
  type IdvErrorCode,
  NetworkError,
  NotFoundError,
  ProviderApiError,
  RateLimitedError,
  TimeoutError,
  UnexpectedResponseError,
} from 'idv-providers';
import type { EmulatorFault } from 'idv-providers/testing';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MAX_RETRIES,
  rejection,
  SHORT_TIMEOUT_MS,
  SLOW_ANSWER_MS,
  TARGETS,
  type Target,
  useEmulators,
} from './targets';

useEmulators();

const ATTEMPTS_WHEN_RETRIED = DEFAULT_MAX_RETRIES + 1;
/** Backoff with the test clock's jitter (0.5): attempt n waits 3/4 of min(10 s, 300 ms × 2ⁿ). */
const BACKOFF = [225, 450, 900];
const HTTP_DATE_IN_3_S = new Date(Date.UTC(2026, 0, 1, 0, 0, 3)).toUTCString();

type ErrorClass = abstract new (...args: never[]) => Error;

interface RetriedRow {
  row: string;
  fault: EmulatorFault;
  /** Waits before the one retry that then succeeds. */
  recoverSleeps: number[];
  /** Waits when the fault persists through every attempt. */
  persistSleeps: number[];
  errorClass: ErrorClass;
  code: IdvErrorCode;
  fields: Record<string, unknown>;
  /** Overrides of the provider that meets the fault. */
  options?: Record<string, unknown>;
}

/** Faults after which a read is sent again. */
const RETRIED: RetriedRow[] = [
  {
    row: '429 with Retry-After (seconds)',
    fault: { kind: 'status', status: 429, retryAfter: '2' },
    recoverSleeps: [2000],
    persistSleeps: [2000, 2000, 2000],
    errorClass: RateLimitedError,
    code: 'rate_limited',
    fields: { status: 429, retryAfterMs: 2000 },
  },
  {
    row: '429 with Retry-After (HTTP date)',
    fault: { kind: 'status', status: 429, retryAfter: HTTP_DATE_IN_3_S },
    recoverSleeps: [3000],
    // The clock moved on by each wait, so the same date asks for less each time.
    persistSleeps: [3000, 0, 0],
    errorClass: RateLimitedError,
    code: 'rate_limited',
    fields: { status: 429, retryAfterMs: 0 },
  },
  {
    row: '429 without Retry-After',
    fault: { kind: 'status', status: 429 },
    recoverSleeps: [225],
    persistSleeps: BACKOFF,
    errorClass: RateLimitedError,
    code: 'rate_limited',
    fields: { status: 429, retryAfterMs: undefined },
  },
  ...([500, 502, 503, 504] as const).map(
    (status): RetriedRow => ({
      row: `${status}`,
      fault: { kind: 'status', status },
      recoverSleeps: [225],
      persistSleeps: BACKOFF,
      errorClass: ProviderApiError,
      code: 'provider_api_error',
      fields: { status },
    }),
  ),
  {
    row: 'connection reset',
    fault: { kind: 'reset' },
    recoverSleeps: [225],
    persistSleeps: BACKOFF,
    errorClass: NetworkError,
    code: 'network_error',
    fields: {},
  },
  {
    row: `no answer within timeoutMs (${SHORT_TIMEOUT_MS} ms)`,
    fault: { kind: 'delay', ms: SLOW_ANSWER_MS },
    recoverSleeps: [225],
    persistSleeps: BACKOFF,
    errorClass: TimeoutError,
    code: 'timeout',
    fields: { timeoutMs: SHORT_TIMEOUT_MS },
    options: { timeoutMs: SHORT_TIMEOUT_MS },
  },
];

interface RefusedRow {
  row: string;
  fault: EmulatorFault;
  errorClass: ErrorClass;
  code: IdvErrorCode;
  fields: Record<string, unknown>;
}

/** Faults after which a read is never sent again. */
const NOT_RETRIED: RefusedRow[] = [
  {
    row: 'malformed JSON',
    fault: { kind: 'malformed-json' },
    errorClass: UnexpectedResponseError,
    code: 'unexpected_response',
    fields: {},
  },
  {
    row: 'wrong content type (text/html)',
    fault: { kind: 'wrong-content-type' },
    errorClass: UnexpectedResponseError,
    code: 'unexpected_response',
    fields: {},
  },
  {
    row: 'unexpected shape',
    fault: { kind: 'unexpected-shape' },
    errorClass: UnexpectedResponseError,
    code: 'unexpected_response',
    fields: {},
  },
  ...([400, 403, 422] as const).map(
    (status): RefusedRow => ({
      row: `${status}`,
      fault: { kind: 'status', status },
      errorClass: ProviderApiError,
      code: 'provider_api_error',
      fields: { status },
    }),
  ),
  {
    row: '404',
    fault: { kind: 'status', status: 404 },
    errorClass: NotFoundError,
    code: 'not_found',
    fields: { status: 404 },
  },
];

function expectTyped(
  error: unknown,
  expected: { errorClass: ErrorClass; code: IdvErrorCode; fields: Record<string, unknown> },
  target: Target,
  attempts: number,
): void {
  expect(error).toBeInstanceOf(expected.errorClass);
  expect(error).toMatchObject({ code: expected.code, provider: target.name });
  for (const [field, value] of Object.entries(expected.fields)) {
    expect((error as unknown as Record<string, unknown>)[field], field).toBe(value);
  }
  // UnexpectedResponseError does not record attempts; the request count says them.
  if (expected.errorClass !== UnexpectedResponseError) {
    expect((error as { attempts?: number }).attempts).toBe(attempts);
  }
}

describe.each(TARGETS)('$name: an idempotent read', (target) => {
  const count = () => target.emulator.requestCount(target.read.method, target.read.path);
  const aim = (fault: EmulatorFault, times: number) =>
    target.emulator.fail(fault, { method: target.read.method, path: target.read.path, times });

  it.each(RETRIED)(
    `$row: retried, then succeeds; persisting, the typed error after ${ATTEMPTS_WHEN_RETRIED} attempts`,
    async (row) => {
      const session = await target.finished();
      const once = await target.provider(row.options);
      aim(row.fault, 1);
      expect((await once.idv.getResult(session)).reason).toBe('CLEAR');
      expect(count()).toBe(2);
      expect(once.clock.sleeps).toEqual(row.recoverSleeps);

      const always = await target.provider(row.options);
      aim(row.fault, ATTEMPTS_WHEN_RETRIED);
      const error = await rejection(always.idv.getResult(session));
      expectTyped(error, row, target, ATTEMPTS_WHEN_RETRIED);
      expect(count()).toBe(2 + ATTEMPTS_WHEN_RETRIED);
      expect(always.clock.sleeps).toEqual(row.persistSleeps);
    },
  );

  it('429 with a Retry-After over maxRetryAfterMs: not retried, RateLimitedError at once', async () => {
    const session = await target.finished();
    const { idv, clock } = await target.provider();
    aim({ kind: 'status', status: 429, retryAfter: '120' }, 10);
    const error = await rejection(idv.getResult(session));
    expectTyped(
      error,
      {
        errorClass: RateLimitedError,
        code: 'rate_limited',
        fields: {
          status: 429,
          retryAfterMs: 120_000,
          providerErrorType: target.errorTypes.rateLimited,
        },
      },
      target,
      1,
    );
    expect(count()).toBe(1);
    expect(clock.sleeps).toEqual([]);
  });

  it('503 carries the provider error type', async () => {
    const session = await target.finished();
    const { idv } = await target.provider({ maxRetries: 0 });
    aim({ kind: 'status', status: 503 }, 1);
    const error = await rejection(idv.getResult(session));
    expect(error).toMatchObject({ status: 503, providerErrorType: target.errorTypes.unavailable });
  });

  it.each(NOT_RETRIED)('$row: not retried', async (row) => {
    const session = await target.finished();
    const { idv, clock } = await target.provider();
    aim(row.fault, 10);
    const error = await rejection(idv.getResult(session));
    expectTyped(error, row, target, 1);
    expect(count()).toBe(1);
    expect(clock.sleeps).toEqual([]);
    if (row.fault.kind === 'unexpected-shape') {
      expect((error as UnexpectedResponseError).issues.length).toBeGreaterThan(0);
    }
  });
});

describe('onfido: 401 is not retried', () => {
  it('reports ProviderApiError 401 after one request', async () => {
    const target = TARGETS[0]!;
    const session = await target.finished();
    const { idv } = await target.provider();
    target.emulator.fail({ kind: 'status', status: 401 }, { path: target.read.path, times: 10 });
    const error = await rejection(idv.getResult(session));
    expect(error).toBeInstanceOf(ProviderApiError);
    expect(error).toMatchObject({ code: 'provider_api_error', status: 401, attempts: 1 });
    expect(target.emulator.requestCount('GET', target.read.path)).toBe(1);
  });
});

describe('jumio: 401 is repeated once with a fresh token', () => {
  const target = TARGETS[1]!;
  const token = /^\/oauth2\/token$/;

  it('succeeds when the fresh token is accepted', async () => {
    const session = await target.finished();
    const { idv, clock } = await target.provider();
    target.emulator.fail({ kind: 'status', status: 401 }, { path: target.read.path });
    expect((await idv.getResult(session)).reason).toBe('CLEAR');
    expect(target.emulator.requestCount('GET', target.read.path)).toBe(2);
    // One token for the first attempt, one fetched after the 401.
    expect(target.emulator.requestCount('POST', token)).toBe(3);
    expect(clock.sleeps).toEqual([]);
  });

  it('reports ProviderApiError 401 when the fresh token is refused too', async () => {
    const session = await target.finished();
    const { idv } = await target.provider();
    target.emulator.fail({ kind: 'status', status: 401 }, { path: target.read.path, times: 10 });
    const error = await rejection(idv.getResult(session));
    expect(error).toBeInstanceOf(ProviderApiError);
    expect(error).toMatchObject({ code: 'provider_api_error', status: 401, attempts: 2 });
    expect(target.emulator.requestCount('GET', target.read.path)).toBe(2);
  });
});

describe('truncated body', () => {
  it('onfido: a JSON answer that ends early is a malformed answer, not retried', async () => {
    const target = TARGETS[0]!;
    const session = await target.finished();
    const { idv, clock } = await target.provider();
    target.emulator.fail({ kind: 'truncated-body' }, { path: target.read.path, times: 10 });
    const error = await rejection(idv.getResult(session));
    expect(error).toBeInstanceOf(UnexpectedResponseError);
    expect(error).toMatchObject({ code: 'unexpected_response' });
    expect(error.message).toMatch(/not valid JSON/);
    expect(target.emulator.requestCount('GET', target.read.path)).toBe(1);
    expect(clock.sleeps).toEqual([]);
  });

  it(`jumio: an answer whose connection closes before its Content-Length is retried; persisting, NetworkError after ${ATTEMPTS_WHEN_RETRIED} attempts`, async () => {
    const target = TARGETS[1]!;
    const count = () => target.emulator.requestCount('GET', target.read.path);
    const session = await target.finished();
    const once = await target.provider();
    target.emulator.fail({ kind: 'truncated-body' }, { path: target.read.path });
    expect((await once.idv.getResult(session)).reason).toBe('CLEAR');
    expect(count()).toBe(2);

    const always = await target.provider();
    target.emulator.fail(
      { kind: 'truncated-body' },
      { path: target.read.path, times: ATTEMPTS_WHEN_RETRIED },
    );
    const error = await rejection(always.idv.getResult(session));
    expect(error).toBeInstanceOf(NetworkError);
    expect(error).toMatchObject({
      code: 'network_error',
      attempts: ATTEMPTS_WHEN_RETRIED,
      systemCode: 'ERR_BAD_RESPONSE',
    });
    expect(count()).toBe(2 + ATTEMPTS_WHEN_RETRIED);
    expect(always.clock.sleeps).toEqual(BACKOFF);
  });
});
