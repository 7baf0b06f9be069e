import {
  createProvider,
  type IdvError,
  NetworkError,
  NotFoundError,
  ProviderApiError,
  RateLimitedError,
  TimeoutError,
  UnexpectedResponseError,
  WebhookVerificationError,
} from 'idv-providers';
import { createTestClock } from 'idv-providers/testing';
import { describe, expect, it } from 'vitest';
import { caught, expectNoSecrets, useJumioEmulator } from './harness';

const { emulator } = useJumioEmulator();

async function started(overrides: Record<string, unknown> = {}) {
  const clock = createTestClock();
  const idv = await createProvider(emulator.config({ clock, ...overrides }));
  const { session } = await idv.startVerification({ identityReference: 'identity-err' });
  await emulator.completeCustomerJourney(session);
  return { idv, session, clock };
}

const DETAILS = /\/workflow-executions\/[^/]+$/;

describe('HTTP behaviour', () => {
  it('answers 403 to a request without a User-Agent, which the adapter always sends', async () => {
    const anonymous = await fetch('https://auth.amer-1.jumio.ai/oauth2/token', {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${emulator.clientId}:${emulator.clientSecret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    });
    expect(anonymous.status).toBe(403);
    expect(emulator.tokenRequests()).toBe(0);
    await started();
    expect(
      emulator
        .requests()
        .slice(1)
        .every((r) => (r.headers['user-agent'] ?? '') !== ''),
    ).toBe(true);
  });

  it('reports a 403 as access refused', async () => {
    const { idv, session } = await started();
    emulator.fail({ kind: 'status', status: 403 }, { path: DETAILS });
    const error = await caught(idv.getResult(session));
    expect(error).toBeInstanceOf(ProviderApiError);
    expect((error as ProviderApiError).status).toBe(403);
    expect(error.message).toContain('(access refused)');
  });

  it('waits for Retry-After on a 429 and then succeeds', async () => {
    const { idv, session, clock } = await started();
    emulator.fail({ kind: 'status', status: 429, retryAfter: '2' }, { path: DETAILS });
    const result = await idv.getResult(session);
    expect(result.reason).toBe('CLEAR');
    expect(clock.sleeps).toEqual([2000]);
    expect(emulator.requestCount('GET', DETAILS)).toBe(2);
  });

  it('reports a lasting 429 with Jumio title, detail and Retry-After', async () => {
    const { idv, session } = await started({ maxRetries: 1 });
    emulator.fail({ kind: 'status', status: 429, retryAfter: '1' }, { path: DETAILS, times: 5 });
    const error = await caught(idv.getResult(session));
    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).providerErrorType).toBe('Too Many Requests');
    expect((error as RateLimitedError).retryAfterMs).toBe(1000);
    expect(error.message).toContain('Request limit exceeded');
    expect(emulator.requestCount('GET', DETAILS)).toBe(2);
  });

  it('retries reads on 5xx and resets, with backoff', async () => {
    const { idv, session, clock } = await started();
    emulator.fail({ kind: 'status', status: 500 }, { path: DETAILS });
    emulator.fail({ kind: 'reset' }, { path: DETAILS });
    emulator.fail({ kind: 'status', status: 504 }, { path: DETAILS });
    expect((await idv.getResult(session)).reason).toBe('CLEAR');
    expect(emulator.requestCount('GET', DETAILS)).toBe(4);
    expect(clock.sleeps).toHaveLength(3);
  });

  it('never repeats an account creation after a reset (it may have arrived)', async () => {
    const idv = await createProvider(emulator.config({ clock: createTestClock() }));
    emulator.fail({ kind: 'reset' }, { method: 'POST', path: /^\/api\/v1\/accounts$/ });
    const error = await caught(idv.startVerification({ identityReference: 'identity-reset' }));
    expect(error).toBeInstanceOf(NetworkError);
    expect(emulator.requestCount('POST', /^\/api\/v1\/accounts$/)).toBe(1);
  });

  it('times out a slow answer', async () => {
    const { idv, session } = await started({ timeoutMs: 50, maxRetries: 0 });
    emulator.fail({ kind: 'delay', ms: 300 }, { path: DETAILS });
    const error = await caught(idv.getResult(session));
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).timeoutMs).toBe(50);
  });

  it.each(['malformed-json', 'wrong-content-type', 'unexpected-shape'] as const)(
    'turns a %s answer into UnexpectedResponseError',
    async (kind) => {
      const { idv, session } = await started();
      emulator.fail({ kind }, { path: DETAILS });
      const error = await caught(idv.getResult(session));
      expect(error).toBeInstanceOf(UnexpectedResponseError);
      expect(emulator.requestCount('GET', DETAILS)).toBe(1);
    },
  );

  it('turns an answer cut off mid-body into NetworkError (and retries a read)', async () => {
    const { idv, session } = await started({ maxRetries: 0 });
    emulator.fail({ kind: 'truncated-body' }, { path: DETAILS });
    expect(await caught(idv.getResult(session))).toBeInstanceOf(NetworkError);
    const retried = await started();
    emulator.fail({ kind: 'truncated-body' }, { path: DETAILS });
    expect((await retried.idv.getResult(retried.session)).reason).toBe('CLEAR');
  });

  it('refuses a start answer without the ids it needs', async () => {
    const idv = await createProvider(emulator.config());
    emulator.fail({ kind: 'unexpected-shape' }, { path: /^\/api\/v1\/accounts$/ });
    const error = await caught(idv.startVerification({ identityReference: 'identity-shape' }));
    expect(error).toBeInstanceOf(UnexpectedResponseError);
    expect((error as UnexpectedResponseError).issues.join('\n')).toMatch(/account/);
  });
});

describe('no secret in any error', () => {
  it('keeps the client id, client secret and access tokens out of every error', async () => {
    const errors: IdvError[] = [];
    const bad = await createProvider(
      emulator.config({ clientSecret: 'a-wrong-but-secret-value-77' }),
    );
    errors.push(await caught(bad.checkConnection()));
    errors.push(await caught(bad.startVerification({ identityReference: 'identity-x' })));

    const { idv, session } = await started({ maxRetries: 0, timeoutMs: 50 });
    const faults = [
      { kind: 'status', status: 401 },
      { kind: 'status', status: 403 },
      { kind: 'status', status: 429 },
      { kind: 'status', status: 500 },
      { kind: 'reset' },
      { kind: 'delay', ms: 200 },
      { kind: 'malformed-json' },
      { kind: 'wrong-content-type' },
      { kind: 'unexpected-shape' },
      { kind: 'truncated-body' },
    ] as const;
    for (const fault of faults) {
      // A 401 is repeated once after a token refresh; nothing else is retried here.
      const times = fault.kind === 'status' && fault.status === 401 ? 2 : 1;
      emulator.fail(fault, { path: DETAILS, times });
      errors.push(await caught(idv.getResult(session)));
    }
    errors.push(
      await caught(
        idv.getResult({ ...session, attemptId: '0d1b85cb-0000-4000-8000-000000000000' }),
      ),
    );
    errors.push(await caught(idv.verifyWebhook({ body: '{"account":', headers: {} })));

    expect(errors.map((e) => e.constructor)).toEqual([
      ProviderApiError,
      ProviderApiError,
      ProviderApiError,
      ProviderApiError,
      RateLimitedError,
      ProviderApiError,
      NetworkError,
      TimeoutError,
      UnexpectedResponseError,
      UnexpectedResponseError,
      UnexpectedResponseError,
      NetworkError,
      NotFoundError,
      WebhookVerificationError,
    ]);
    const secrets = [
      emulator.clientId,
      emulator.clientSecret,
      'a-wrong-but-secret-value-77',
      `${emulator.clientId}:${emulator.clientSecret}`,
      `${emulator.clientId}:a-wrong-but-secret-value-77`,
      ...emulator.issuedTokens(),
    ];
    expect(emulator.issuedTokens().length).toBeGreaterThanOrEqual(2);
    for (const error of errors) expectNoSecrets(error, secrets);
  });
});
