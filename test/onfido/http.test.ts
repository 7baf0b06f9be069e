/**
 * How the adapter talks to Onfido: which host, which failures are retried and
 * how often, what errors say, and that no secret ever shows in one.
 */
import { inspect } from 'node:util';
import {
  createProvider,
  InvalidInputError,
  isIdvError,
  NetworkError,
  ProviderApiError,
  RateLimitedError,
  TimeoutError,
  UnexpectedResponseError,
} from 'idv-providers';
import { createTestClock } from 'idv-providers/testing';
import { HttpResponse, http } from 'msw';
import { describe, expect, it } from 'vitest';
import { ADA, useOnfidoEmulator } from './helpers';

const PROXY = 'https://onfido-proxy.internal.example/onfido/v3.6';
const { emulator, server } = useOnfidoEmulator({ baseUrl: PROXY });

const person = { identityReference: 'identity-1', person: ADA };

/** A provider on the EU host with an instant clock. */
async function eu(extra: Record<string, unknown> = {}) {
  const clock = createTestClock();
  const idv = await createProvider(emulator.config({ baseUrl: undefined, clock, ...extra }));
  return { idv, clock };
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: unknown) => error,
  );
}

describe('hosts', () => {
  it.each([
    ['EU', 'https://api.eu.onfido.com'],
    ['US', 'https://api.us.onfido.com'],
    ['CA', 'https://api.ca.onfido.com'],
    ['us', 'https://api.us.onfido.com'],
  ])('region %s talks to %s only', async (region, origin) => {
    const { idv } = await eu({ region });
    const started = await idv.startVerification(person);
    await emulator.completeCustomerJourney(started.session);
    await idv.getResult(await idv.completeCapture(started.session));
    const requests = emulator.requests();
    expect(requests.map((r) => `${r.method} ${r.url.replace(/[0-9a-f-]{36}/g, ':id')}`)).toEqual([
      `POST ${origin}/v3.6/applicants`,
      `POST ${origin}/v3.6/sdk_token`,
      // completeCapture looks for the applicant's check before and after creating it.
      `GET ${origin}/v3.6/checks`,
      `POST ${origin}/v3.6/checks`,
      `GET ${origin}/v3.6/checks`,
      `GET ${origin}/v3.6/checks/:id`,
      `GET ${origin}/v3.6/reports`,
    ]);
  });

  it('uses the baseUrl override instead of the region', async () => {
    const idv = await createProvider(emulator.config({ region: 'US' }));
    expect((await idv.checkConnection()).baseUrl).toBe(PROXY);
    await idv.startVerification(person);
    expect(new Set(emulator.requests().map((r) => r.realm))).toEqual(new Set(['custom']));
    expect(emulator.requests()[0]!.url).toMatch(
      /^https:\/\/onfido-proxy\.internal\.example\/onfido\/v3\.6\//,
    );
  });

  it('keeps regions apart: an EU applicant is unknown on the US host', async () => {
    const { idv } = await eu();
    const { idv: us } = await eu({ region: 'US' });
    const started = await idv.startVerification(person);
    const error = await failure(us.getResult(started.session));
    expect(error).toBeInstanceOf(ProviderApiError);
    expect((error as ProviderApiError).status).toBe(422);
  });

  it('sends the token as "Token token=..."', async () => {
    let seen: string | null = null;
    server.events.on('request:start', ({ request }) => {
      seen = request.headers.get('authorization');
    });
    const { idv } = await eu();
    await idv.checkConnection();
    server.events.removeAllListeners();
    expect(seen).toBe(`Token token=${emulator.apiToken}`);
  });
});

describe('401', () => {
  it('refuses a wrong token once, without retrying, and says the credentials were refused', async () => {
    const { idv } = await eu({ apiToken: 'api_sandbox.not-the-right-token' });
    const error = await failure(idv.checkConnection());
    expect(error).toBeInstanceOf(ProviderApiError);
    expect(error).toMatchObject({
      status: 401,
      providerErrorType: 'authorization_error',
      attempts: 1,
    });
    expect((error as Error).message).toMatch(/API token was refused/);
    expect(emulator.requestCount('GET', /\/applicants$/)).toBe(1);

    const start = await failure(idv.startVerification(person));
    expect(start).toMatchObject({ status: 401, attempts: 1 });
    expect((start as Error).message).toMatch(/HTTP 401 authorization_error.*check the credentials/);
  });

  it('reports a good token as a working connection', async () => {
    const { idv } = await eu();
    const check = await idv.checkConnection();
    expect(check).toMatchObject({
      provider: 'onfido',
      ok: true,
      baseUrl: 'https://api.eu.onfido.com/v3.6',
    });
    expect(check.latencyMs).toBeGreaterThanOrEqual(0);
  });
});

describe('422 and invalid input', () => {
  it('refuses a start without a name before sending anything', async () => {
    const { idv } = await eu();
    for (const input of [
      { identityReference: 'i-1' },
      { identityReference: 'i-1', person: { firstName: 'Ada' } },
      { identityReference: 'i-1', person: { firstName: ' ', lastName: 'Lovelace' } },
    ]) {
      const error = await failure(idv.startVerification(input));
      expect(error).toBeInstanceOf(InvalidInputError);
      expect((error as Error).message).toMatch(
        /Onfido requires the applicant's first and last name/,
      );
    }
    expect(emulator.requests()).toEqual([]);
  });

  it("passes Onfido's validation errors on with their fields, unretried", async () => {
    const { idv } = await eu();
    const error = await failure(
      idv.startVerification({
        identityReference: 'i-2',
        person: { firstName: 'Ada<>', lastName: 'L', countryOfResidence: 'GBR' },
      }),
    );
    expect(error).toBeInstanceOf(ProviderApiError);
    expect(error).toMatchObject({
      status: 422,
      providerErrorType: 'validation_error',
      attempts: 1,
      fields: { first_name: ['contains invalid characters'] },
    });
  });

  it('a check for an applicant without documents is refused with a 422', async () => {
    const { idv } = await eu();
    const started = await idv.startVerification(person);
    const error = await failure(idv.completeCapture(started.session));
    expect(error).toMatchObject({ status: 422, providerErrorType: 'validation_error' });
    expect(Object.keys((error as ProviderApiError).fields ?? {}).sort()).toEqual([
      'document',
      'live_photo',
    ]);
  });
});

describe('429', () => {
  it('retries a rate-limited POST, with backoff, and succeeds', async () => {
    const { idv, clock } = await eu();
    emulator.fail(
      { kind: 'status', status: 429 },
      { times: 2, method: 'POST', path: /\/applicants$/ },
    );
    await idv.startVerification(person);
    expect(emulator.requestCount('POST', /\/applicants$/)).toBe(3);
    // Exponential backoff: 300 ms then 600 ms ceilings, at 3/4 with the test clock's random() of 0.5.
    expect(clock.sleeps).toEqual([225, 450]);
  });

  it('waits as long as Retry-After asks', async () => {
    const { idv, clock } = await eu();
    emulator.fail({ kind: 'status', status: 429, retryAfter: '7' }, { path: /\/applicants$/ });
    await idv.startVerification(person);
    expect(clock.sleeps).toEqual([7000]);
  });

  it('gives up after maxRetries with a RateLimitedError', async () => {
    const { idv } = await eu({ maxRetries: 2 });
    emulator.fail({ kind: 'status', status: 429 }, { times: 10 });
    const error = await failure(idv.checkConnection());
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error).toMatchObject({ status: 429, attempts: 3, providerErrorType: 'rate_limit' });
    expect(emulator.requestCount('GET', /\/applicants$/)).toBe(3);
  });

  it('does not wait for a Retry-After longer than maxRetryAfterMs', async () => {
    const { idv, clock } = await eu({ maxRetryAfterMs: 5000 });
    emulator.fail({ kind: 'status', status: 429, retryAfter: '120' }, { times: 5 });
    const error = await failure(idv.checkConnection());
    expect(error).toMatchObject({ attempts: 1, retryAfterMs: 120_000 });
    expect(clock.sleeps).toEqual([]);
  });
});

describe('5xx and broken connections', () => {
  async function checked() {
    const { idv, clock } = await eu();
    const started = await idv.startVerification(person);
    await emulator.completeCustomerJourney(started.session);
    return { idv, clock, session: await idv.completeCapture(started.session) };
  }

  it('retries a GET after 5xx answers', async () => {
    const { idv, session, clock } = await checked();
    emulator.fail({ kind: 'status', status: 503 }, { times: 2, method: 'GET', path: /\/checks\// });
    expect((await idv.getResult(session)).reason).toBe('CLEAR');
    expect(emulator.requestCount('GET', /\/checks\/[^/]+$/)).toBe(3);
    expect(clock.sleeps).toHaveLength(2);
  });

  it('gives up on a GET after maxRetries (3 by default: 4 attempts)', async () => {
    const { idv, session } = await checked();
    emulator.fail({ kind: 'status', status: 500 }, { times: 10, path: /\/checks\// });
    const error = await failure(idv.getResult(session));
    expect(error).toMatchObject({
      status: 500,
      attempts: 4,
      providerErrorType: 'internal_server_error',
    });
    expect(emulator.requestCount('GET', /\/checks\/[^/]+$/)).toBe(4);
  });

  it('never repeats POST /checks after a 5xx: it may have been acted on', async () => {
    const { idv, clock } = await eu();
    const started = await idv.startVerification(person);
    await emulator.completeCustomerJourney(started.session);
    emulator.fail({ kind: 'status', status: 502 }, { times: 3, method: 'POST', path: /\/checks$/ });
    const error = await failure(idv.completeCapture(started.session));
    expect(error).toMatchObject({ status: 502, attempts: 1 });
    expect(emulator.requestCount('POST', /\/checks$/)).toBe(1);
    expect(clock.sleeps).toEqual([]);
  });

  it('never repeats POST /applicants after a 5xx either', async () => {
    const { idv, clock } = await eu();
    emulator.fail(
      { kind: 'status', status: 500 },
      { times: 3, method: 'POST', path: /\/applicants$/ },
    );
    const error = await failure(idv.startVerification(person));
    expect(error).toMatchObject({ status: 500, attempts: 1 });
    expect(emulator.requestCount('POST', /\/applicants$/)).toBe(1);
    expect(emulator.requestCount('POST', /\/sdk_token$/)).toBe(0);
    expect(clock.sleeps).toEqual([]);
  });

  it('retries a GET whose connection was reset, but not a POST', async () => {
    const { idv, session } = await checked();
    emulator.fail({ kind: 'reset' }, { method: 'GET', path: /\/checks\// });
    expect((await idv.getResult(session)).status).toBe('awaiting_registration');
    expect(emulator.requestCount('GET', /\/checks\/[^/]+$/)).toBe(2);

    emulator.fail({ kind: 'reset' }, { method: 'POST', path: /\/applicants$/ });
    const error = await failure(idv.startVerification(person));
    expect(error).toBeInstanceOf(NetworkError);
    expect(error).toMatchObject({ attempts: 1 });
  });

  it('times out a slow answer and retries the GET', async () => {
    const { idv } = await eu({ timeoutMs: 50 });
    emulator.fail({ kind: 'delay', ms: 400 }, { method: 'GET' });
    expect((await idv.checkConnection()).ok).toBe(true);
    expect(emulator.requestCount('GET', /\/applicants$/)).toBe(2);

    const { idv: impatient } = await eu({ timeoutMs: 50, maxRetries: 0 });
    emulator.fail({ kind: 'delay', ms: 400 }, { method: 'GET' });
    const error = await failure(impatient.checkConnection());
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ timeoutMs: 50, attempts: 1 });
  });

  it.each([
    ['malformed-json', /not valid JSON/],
    ['wrong-content-type', /content type "text\/html"/],
    ['unexpected-shape', /unexpected shape/],
    ['truncated-body', /not valid JSON/],
  ] as const)(
    'turns a %s answer into an UnexpectedResponseError, unretried',
    async (kind, message) => {
      const { idv, session } = await checked();
      emulator.fail({ kind }, { method: 'GET', path: /\/checks\// });
      const error = await failure(idv.getResult(session));
      expect(error).toBeInstanceOf(UnexpectedResponseError);
      expect((error as Error).message).toMatch(message);
      expect(emulator.requestCount('GET', /\/checks\/[^/]+$/)).toBe(1);
    },
  );
});

describe('secrets', () => {
  it('never shows the API token or the webhook token in any error', async () => {
    const webhookToken = emulator.webhookToken;
    const wrong = 'api_sandbox.wrong-token-that-is-still-secret';
    const errors: unknown[] = [];
    const collect = async (promise: Promise<unknown>) => errors.push(await failure(promise));

    const { idv } = await eu({ maxRetries: 1 });
    const { idv: refused } = await eu({ apiToken: wrong });
    await collect(refused.checkConnection());
    await collect(refused.startVerification(person));
    emulator.fail({ kind: 'status', status: 429 }, { times: 5 });
    await collect(idv.checkConnection());
    emulator.fail({ kind: 'status', status: 500 }, { times: 5 });
    await collect(idv.checkConnection());
    emulator.fail({ kind: 'reset' }, { times: 5 });
    await collect(idv.checkConnection());
    emulator.fail({ kind: 'unexpected-shape' });
    await collect(idv.checkConnection());
    await collect(idv.startVerification({ identityReference: 'x' }));
    await collect(idv.verifyWebhook({ body: '{}', headers: { 'x-sha2-signature': 'zz' } }));
    await collect(
      idv.downloadDocument({ id: 'd', kind: 'document', downloadUrl: 'https://evil.example/x' }),
    );
    await collect(createProvider({ ...emulator.config(), region: 'MARS' } as never));
    // A proxy that echoes the credentials back in its error body.
    server.use(
      http.get(`${'https://api.eu.onfido.com/v3.6'}/applicants`, ({ request }) =>
        HttpResponse.json(
          {
            error: {
              type: `echo ${request.headers.get('authorization')}`,
              message: `token ${emulator.apiToken} and ${webhookToken}`,
              fields: {
                authorization: [request.headers.get('authorization')],
                webhook: webhookToken,
              },
            },
          },
          { status: 400 },
        ),
      ),
    );
    await collect(idv.checkConnection());

    expect(errors).toHaveLength(11);
    for (const error of errors) {
      expect(isIdvError(error)).toBe(true);
      for (const text of [
        String(error),
        JSON.stringify(error),
        inspect(error, { depth: Infinity }),
      ]) {
        for (const secret of [emulator.apiToken, wrong, webhookToken]) {
          expect(text).not.toContain(secret);
        }
      }
    }
    const echoed = errors.at(-1) as ProviderApiError;
    expect(echoed.message).toContain('[REDACTED]');
    expect(JSON.stringify(echoed.fields)).toContain('[REDACTED]');
  });
});
