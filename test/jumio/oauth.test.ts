import { createProvider, ProviderApiError } from 'idv-providers';
import { refreshMarginMs } from 'idv-providers/jumio';
import { createJumioEmulator, createTestClock } from 'idv-providers/testing';
import { describe, expect, it } from 'vitest';
import { caught, useJumioEmulator } from './harness';

const clock = createTestClock();
const { emulator, server } = useJumioEmulator({ clock });

async function provider(overrides: Record<string, unknown> = {}) {
  return createProvider(emulator.config({ clock, ...overrides }));
}

describe('token cache', () => {
  it('makes exactly one token request for 200 concurrent starts', async () => {
    // The adapter paces the starts a second apart on the shared manual clock, whose
    // sleeps jump ahead before the requests in flight arrive: Jumio's 1 a second
    // limit is tested on a clock that runs with the requests (pacing.test.ts).
    emulator.setRateLimits(false);
    const idv = await provider();
    const sessions = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        idv.startVerification({ identityReference: `identity-${i}` }),
      ),
    );
    expect(emulator.tokenRequests()).toBe(1);
    expect(new Set(sessions.map((s) => s.session.subjectId)).size).toBe(200);
    expect(emulator.requestCount('POST', /^\/api\/v1\/accounts$/)).toBe(200);
    const bearer = new Set(
      emulator
        .requests()
        .filter((r) => r.path === '/api/v1/accounts')
        .map((r) => r.headers['authorization']),
    );
    expect([...bearer]).toEqual([`Bearer ${emulator.issuedTokens()[0]}`]);
  });

  it('reuses the token until shortly before expires_in, then fetches a new one', async () => {
    const idv = await provider();
    const start = clock.now();
    await idv.startVerification({ identityReference: 'identity-a' });
    expect(refreshMarginMs(3600)).toBe(60_000);

    clock.set(start + 3600_000 - 60_001);
    await idv.startVerification({ identityReference: 'identity-b' });
    expect(emulator.tokenRequests()).toBe(1);

    clock.set(start + 3600_000 - 60_000);
    await idv.startVerification({ identityReference: 'identity-c' });
    expect(emulator.tokenRequests()).toBe(2);
    const [first, second] = emulator.issuedTokens();
    const auth = emulator
      .requests()
      .filter((r) => r.path === '/api/v1/accounts')
      .map((r) => r.headers['authorization']);
    expect(auth).toEqual([`Bearer ${first}`, `Bearer ${first}`, `Bearer ${second}`]);
  });

  it('scales the margin to short-lived tokens (a tenth of the lifetime)', async () => {
    const short = createJumioEmulator({ clock, tokenLifetimeSeconds: 300 });
    server.use(...short.handlers);
    const idv = await createProvider(short.config({ clock }));
    const start = clock.now();
    await idv.startVerification({ identityReference: 'identity-d' });
    clock.set(start + 269_999);
    await idv.startVerification({ identityReference: 'identity-e' });
    expect(short.tokenRequests()).toBe(1);
    clock.set(start + 270_000);
    await idv.startVerification({ identityReference: 'identity-f' });
    expect(short.tokenRequests()).toBe(2);
  });

  it('refreshes once when Jumio answers 401 for a token revoked early, and the call succeeds', async () => {
    const idv = await provider();
    const first = await idv.startVerification({ identityReference: 'identity-g' });
    emulator.expireTokens();
    await emulator.completeCustomerJourney(first.session);
    const result = await idv.getResult(first.session);
    expect(result.reason).toBe('CLEAR');
    expect(emulator.tokenRequests()).toBe(2);
    const gets = emulator.requests().filter((r) => r.method === 'GET');
    expect(gets.map((r) => r.headers['authorization'])).toEqual(
      emulator.issuedTokens().map((t) => `Bearer ${t}`),
    );
  });

  it('refreshes when Jumio ends a token before the client refresh point', async () => {
    const idv = await provider();
    const start = clock.now();
    await idv.startVerification({ identityReference: 'identity-h' });
    // Jumio ends the token early (its own clock ran ahead); the client still thinks it valid.
    clock.set(start + 3600_000 - 61_000);
    emulator.expireTokens();
    await idv.startVerification({ identityReference: 'identity-i' });
    expect(emulator.tokenRequests()).toBe(2);
    expect(emulator.requestCount('POST', /^\/api\/v1\/accounts$/)).toBe(3);
  });

  it('refreshes once for many concurrent calls that all met the revoked token', async () => {
    // 20 paced starts on the manual clock: as in the 200-start test above.
    emulator.setRateLimits(false);
    const idv = await provider();
    const started = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        idv.startVerification({ identityReference: `identity-c${i}` }),
      ),
    );
    for (const s of started) await emulator.completeCustomerJourney(s.session);
    emulator.expireTokens();
    const results = await Promise.all(started.map((s) => idv.getResult(s.session)));
    expect(results.every((r) => r.reason === 'CLEAR')).toBe(true);
    expect(emulator.tokenRequests()).toBe(2);
  });

  it('drops only the token a refused call used, not one a concurrent call already refreshed', async () => {
    const idv = await provider();
    const started = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        idv.startVerification({ identityReference: `identity-s${i}` }),
      ),
    );
    for (const s of started) await emulator.completeCustomerJourney(s.session);
    emulator.expireTokens();
    // Half the calls meet the revoked token late, after the others have refreshed it.
    emulator.fail({ kind: 'delay', ms: 150 }, { method: 'GET', times: 3 });
    const results = await Promise.all(started.map((s) => idv.getResult(s.session)));
    expect(results.map((r) => r.reason)).toEqual(Array(6).fill('CLEAR'));
    expect(emulator.tokenRequests()).toBe(2);
  });

  it('gives up after one refresh when the fresh token is refused too (no loop)', async () => {
    const idv = await provider();
    emulator.fail({ kind: 'status', status: 401 }, { path: /^\/api\/v1\/accounts$/, times: 5 });
    const error = await caught(idv.startVerification({ identityReference: 'identity-j' }));
    expect(error).toBeInstanceOf(ProviderApiError);
    expect((error as ProviderApiError).status).toBe(401);
    expect(emulator.tokenRequests()).toBe(2);
    expect(emulator.requestCount('POST', /^\/api\/v1\/accounts$/)).toBe(2);
  });

  it('retries the token request itself on a 5xx (asking for a token changes nothing)', async () => {
    const idv = await provider();
    emulator.fail({ kind: 'status', status: 503 }, { path: /^\/oauth2\/token$/ });
    await idv.startVerification({ identityReference: 'identity-k' });
    expect(emulator.tokenRequests()).toBe(1);
    expect(emulator.requestCount('POST', /^\/oauth2\/token$/)).toBe(2);
  });

  it('does not keep a failed token request: the next call asks again', async () => {
    const idv = await provider({ maxRetries: 0 });
    emulator.fail({ kind: 'reset' }, { path: /^\/oauth2\/token$/ });
    expect((await caught(idv.startVerification({ identityReference: 'identity-l' }))).code).toBe(
      'network_error',
    );
    await idv.startVerification({ identityReference: 'identity-m' });
    expect(emulator.requestCount('POST', /^\/oauth2\/token$/)).toBe(2);
    expect(emulator.requestCount('POST', /^\/api\/v1\/accounts$/)).toBe(1);
  });

  it('refuses wrong client credentials clearly, once, without retrying', async () => {
    const idv = await provider({ clientId: 'someone-else-entirely' });
    const error = await caught(idv.startVerification({ identityReference: 'identity-n' }));
    expect(error).toBeInstanceOf(ProviderApiError);
    expect(error.message).toBe(
      '[idv] [jumio] Jumio refused the OAuth2 client credentials (HTTP 401 from the token endpoint): check "clientId", "clientSecret" and "region"',
    );
    expect((error as ProviderApiError).providerErrorType).toBe('invalid_client');
    expect(emulator.tokenRequests()).toBe(1);
    expect(emulator.requestCount('POST', /^\/api\/v1\/accounts$/)).toBe(0);
  });

  it('does not accept a token of another region', async () => {
    const us = await provider({ region: 'amer-1' });
    await us.checkConnection();
    const [usToken] = emulator.issuedTokens();
    const answer = await fetch('https://account.emea-1.jumio.ai/api/v1/accounts', {
      method: 'POST',
      headers: {
        authorization: `Bearer ${usToken}`,
        'user-agent': 'test',
        'content-type': 'application/json',
      },
      body: JSON.stringify({ customerInternalReference: 'x', workflowDefinition: { key: 10013 } }),
    });
    expect(answer.status).toBe(401);
  });
});
