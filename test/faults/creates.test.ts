/**
 * The fault matrix for requests that create something at the provider: an
 * Onfido applicant, check or workflow run, a Jumio KYX account (`POST`, or
 * `PUT` for a returning identity) or a Netverify transaction. The provider may
 * have acted on such a request when it answered 5xx, when the connection broke
 * or when the answer was late, so the library never sends it a second time; a
 * 429 means the request was refused unprocessed, so it is sent again. The
 * Jumio OAuth2 token request changes nothing and is retried like a read.
 */
import {
  type IdvErrorCode,
  NetworkError,
  ProviderApiError,
  RateLimitedError,
  TimeoutError,
  UnexpectedResponseError,
} from 'idv-providers';
import { createTestClock, type EmulatorFault, type ProviderEmulator } from 'idv-providers/testing';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MAX_RETRIES,
  jumioEmulator,
  onfidoEmulator,
  providerOn,
  rejection,
  SHORT_TIMEOUT_MS,
  SLOW_ANSWER_MS,
  useEmulators,
} from './targets';

useEmulators();

const ADA = { firstName: 'Ada', lastName: 'Lovelace', countryOfResidence: 'GBR' };
const ATTEMPTS_WHEN_RETRIED = DEFAULT_MAX_RETRIES + 1;
const BACKOFF = [225, 450, 900];

type ErrorClass = abstract new (...args: never[]) => Error;
type Send = (overrides?: Record<string, unknown>) => Promise<unknown>;

/** A request that creates something, and how to send it through the public interface. */
interface Creation {
  request: string;
  provider: 'onfido' | 'jumio';
  emulator: ProviderEmulator;
  method: 'POST' | 'PUT';
  path: RegExp;
  /** Does what must exist first; returns the call that sends the request. */
  prepare(): Promise<Send>;
}

const CREATIONS: Creation[] = [
  {
    request: 'Onfido POST /applicants',
    provider: 'onfido',
    emulator: onfidoEmulator,
    method: 'POST',
    path: /\/v3\.6\/applicants$/,
    prepare: async () => async (overrides) => {
      const { idv } = await providerOn(onfidoEmulator, overrides);
      return idv.startVerification({ identityReference: 'identity-create', person: ADA });
    },
  },
  {
    request: 'Onfido POST /checks',
    provider: 'onfido',
    emulator: onfidoEmulator,
    method: 'POST',
    path: /\/v3\.6\/checks$/,
    async prepare() {
      const { idv } = await providerOn(onfidoEmulator);
      // A second submit of one capture answers the first one's check without a POST
      // (completeCapture is idempotent), so each send submits a capture of its own.
      return async (overrides) => {
        const started = await idv.startVerification({
          identityReference: 'identity-check',
          person: ADA,
        });
        await onfidoEmulator.completeCustomerJourney(started.session);
        const { idv: submitting } = await providerOn(onfidoEmulator, overrides);
        return submitting.completeCapture(started.session);
      };
    },
  },
  {
    request: 'Onfido POST /workflow_runs (Studio)',
    provider: 'onfido',
    emulator: onfidoEmulator,
    method: 'POST',
    path: /\/v3\.6\/workflow_runs$/,
    prepare: async () => async (overrides) => {
      const { idv } = await providerOn(onfidoEmulator, {
        workflowId: onfidoEmulator.workflowId,
        ...overrides,
      });
      return idv.startVerification({ identityReference: 'identity-run', person: ADA });
    },
  },
  {
    request: 'Jumio POST /api/v1/accounts',
    provider: 'jumio',
    emulator: jumioEmulator,
    method: 'POST',
    path: /^\/api\/v1\/accounts$/,
    prepare: async () => async (overrides) => {
      const { idv } = await providerOn(jumioEmulator, overrides);
      return idv.startVerification({ identityReference: 'identity-create' });
    },
  },
  {
    request: 'Jumio PUT /api/v1/accounts/{id}',
    provider: 'jumio',
    emulator: jumioEmulator,
    method: 'PUT',
    path: /^\/api\/v1\/accounts\/[^/]+$/,
    async prepare() {
      const { idv } = await providerOn(jumioEmulator);
      const first = await idv.startVerification({ identityReference: 'identity-again' });
      return async (overrides) => {
        const { idv: again } = await providerOn(jumioEmulator, overrides);
        return again.startVerification({
          identityReference: 'identity-again',
          existingSubjectId: first.session.subjectId,
        });
      };
    },
  },
  {
    request: 'Jumio Netverify POST /api/v4/initiate',
    provider: 'jumio',
    emulator: jumioEmulator,
    method: 'POST',
    path: /^\/api\/v4\/initiate$/,
    prepare: async () => async (overrides) => {
      const { idv } = await providerOn(jumioEmulator, { mode: 'netverify', ...overrides });
      return idv.startVerification({ identityReference: 'identity-create' });
    },
  },
];

interface Expected {
  errorClass: ErrorClass;
  code: IdvErrorCode;
  fields: Record<string, unknown>;
}

interface FaultRow {
  row: string;
  fault: EmulatorFault;
  options?: Record<string, unknown>;
  /** The error, by the emulator that broke the answer (they break it differently only when truncating). */
  expected: (provider: 'onfido' | 'jumio') => Expected;
}

const same = (expected: Expected) => () => expected;

/** Faults after which the provider may have acted on the request. */
const MAYBE_ACTED_ON: FaultRow[] = [
  ...([500, 502, 503] as const).map(
    (status): FaultRow => ({
      row: `${status}`,
      fault: { kind: 'status', status },
      expected: same({
        errorClass: ProviderApiError,
        code: 'provider_api_error',
        fields: { status },
      }),
    }),
  ),
  {
    row: 'connection reset',
    fault: { kind: 'reset' },
    expected: same({ errorClass: NetworkError, code: 'network_error', fields: {} }),
  },
  {
    row: `no answer within timeoutMs (${SHORT_TIMEOUT_MS} ms)`,
    fault: { kind: 'delay', ms: SLOW_ANSWER_MS },
    options: { timeoutMs: SHORT_TIMEOUT_MS },
    expected: same({
      errorClass: TimeoutError,
      code: 'timeout',
      fields: { timeoutMs: SHORT_TIMEOUT_MS },
    }),
  },
  {
    row: 'truncated body',
    fault: { kind: 'truncated-body' },
    // Onfido's emulator ends the JSON early; Jumio's closes the connection before its Content-Length.
    expected: (provider) =>
      provider === 'onfido'
        ? { errorClass: UnexpectedResponseError, code: 'unexpected_response', fields: {} }
        : {
            errorClass: NetworkError,
            code: 'network_error',
            fields: { systemCode: 'ERR_BAD_RESPONSE' },
          },
  },
];

function expectTyped(error: unknown, expected: Expected, attempts: number): void {
  expect(error).toBeInstanceOf(expected.errorClass);
  expect(error).toMatchObject({ code: expected.code });
  for (const [field, value] of Object.entries(expected.fields)) {
    expect((error as unknown as Record<string, unknown>)[field], field).toBe(value);
  }
  if (expected.errorClass !== UnexpectedResponseError) {
    expect((error as { attempts?: number }).attempts).toBe(attempts);
  }
}

describe.each(CREATIONS)('$request', (creation) => {
  const count = () => creation.emulator.requestCount(creation.method, creation.path);
  const aim = (fault: EmulatorFault, times: number) =>
    creation.emulator.fail(fault, { method: creation.method, path: creation.path, times });

  it.each(MAYBE_ACTED_ON)('$row: sent once, never repeated', async (row) => {
    const send = await creation.prepare();
    aim(row.fault, 1);
    const error = await rejection(send({ ...row.options }));
    expectTyped(error, row.expected(creation.provider), 1);
    expect(count()).toBe(1);
  });

  it(`429 (refused unprocessed): sent again after backoff or Retry-After; persisting, RateLimitedError after ${ATTEMPTS_WHEN_RETRIED} attempts`, async () => {
    const send = await creation.prepare();
    aim({ kind: 'status', status: 429 }, 1);
    expect(await sendWithClock(send)).toEqual([225]);
    expect(count()).toBe(2);

    aim({ kind: 'status', status: 429, retryAfter: '1' }, 1);
    expect(await sendWithClock(send)).toEqual([1000]);
    expect(count()).toBe(4);

    aim({ kind: 'status', status: 429 }, ATTEMPTS_WHEN_RETRIED);
    const error = await rejection(send());
    expectTyped(
      error,
      { errorClass: RateLimitedError, code: 'rate_limited', fields: { status: 429 } },
      ATTEMPTS_WHEN_RETRIED,
    );
    expect(count()).toBe(4 + ATTEMPTS_WHEN_RETRIED);
  });
});

/** Sends with a test clock of its own and returns the waits it asked for. */
async function sendWithClock(send: Send): Promise<number[]> {
  const clock = createTestClock();
  await send({ clock });
  return clock.sleeps;
}

describe('Jumio POST /oauth2/token: safe to repeat, retried like a read', () => {
  const token = /^\/oauth2\/token$/;
  const count = () => jumioEmulator.requestCount('POST', token);
  const RETRIED: FaultRow[] = [
    { row: '429', fault: { kind: 'status', status: 429 }, expected: same(rateLimited()) },
    ...MAYBE_ACTED_ON,
  ];

  function rateLimited(): Expected {
    return { errorClass: RateLimitedError, code: 'rate_limited', fields: { status: 429 } };
  }

  it.each(RETRIED)('$row: retried, and the start goes on', async (row) => {
    const { idv, clock } = await providerOn(jumioEmulator, row.options);
    jumioEmulator.fail(row.fault, { method: 'POST', path: token });
    const started = await idv.startVerification({ identityReference: 'identity-token' });
    expect(started.session.subjectId).toBeTruthy();
    expect(count()).toBe(2);
    expect(clock.sleeps).toEqual([225]);
    expect(jumioEmulator.requestCount('POST', /^\/api\/v1\/accounts$/)).toBe(1);
  });

  it.each(RETRIED)(
    `$row that persists: typed error after ${ATTEMPTS_WHEN_RETRIED} attempts, no account request`,
    async (row) => {
      const { idv, clock } = await providerOn(jumioEmulator, row.options);
      jumioEmulator.fail(row.fault, { method: 'POST', path: token, times: ATTEMPTS_WHEN_RETRIED });
      const error = await rejection(idv.startVerification({ identityReference: 'identity-token' }));
      const expected = row.expected('jumio');
      expectTyped(error, expected, ATTEMPTS_WHEN_RETRIED);
      expect(count()).toBe(
        expected.errorClass === UnexpectedResponseError ? 1 : ATTEMPTS_WHEN_RETRIED,
      );
      expect(clock.sleeps).toEqual(BACKOFF);
      expect(jumioEmulator.requestCount('POST', /^\/api\/v1\/accounts$/)).toBe(0);
    },
  );
});
