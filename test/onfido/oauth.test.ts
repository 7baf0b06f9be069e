/**
 * OAuth2 client credentials instead of the API token
 * (docs/provider-facts.md#o-auth-3): the token request the official client
 * sends, the token kept and refreshed, one of the two methods required, and
 * the credentials and tokens never shown.
 */
import { inspect } from 'node:util';
import {
  ConfigError,
  configFromEnv,
  createProvider,
  isIdvError,
  ProviderApiError,
} from 'idv-providers';
import { onfido } from 'idv-providers/onfido';
import { describe, expect, it } from 'vitest';
import { ADA, useOnfidoEmulator } from './helpers';

const { emulator, server } = useOnfidoEmulator({ accessTokenLifetimeSeconds: 600 });
const TOKEN_URL = 'https://api.eu.onfido.com/v3.6/oauth/token';

/** The bodies and Authorization headers of the requests sent, in order. */
function recordRequests() {
  const seen: Array<{ url: string; authorization: string | null; body: Promise<string> }> = [];
  const listener = ({ request }: { request: Request }) => {
    seen.push({
      url: request.url,
      authorization: request.headers.get('authorization'),
      body: request.clone().text(),
    });
  };
  server.events.on('request:start', listener);
  return {
    seen,
    stop: () => server.events.removeListener('request:start', listener),
  };
}

describe('options', () => {
  const site = { verificationSiteUrl: 'https://verify.example.com/' };

  it.each([
    [{ ...site }, /missing option "apiToken" \(.*"clientId" with "clientSecret" for OAuth2/],
    [
      { ...site, apiToken: 'api_sandbox.x', clientId: 'id', clientSecret: 'secret-value' },
      /invalid option "clientId": set either "apiToken", or "clientId" with "clientSecret", not both/,
    ],
    [{ ...site, clientId: 'id' }, /missing option "clientSecret"/],
    [{ ...site, clientSecret: 'secret-value' }, /missing option "clientId"/],
  ])('refuses %j with a ConfigError naming both methods', (options, message) => {
    let error: unknown;
    try {
      onfido(options);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('secret-value');
  });

  it('reads the client id and secret from IDV_ONFIDO_CLIENT_ID and IDV_ONFIDO_CLIENT_SECRET', async () => {
    const config = configFromEnv({
      IDV_PROVIDER: 'onfido',
      IDV_ONFIDO_CLIENT_ID: emulator.clientId,
      IDV_ONFIDO_CLIENT_SECRET: emulator.clientSecret,
      IDV_ONFIDO_VERIFICATION_SITE_URL: 'https://verify.example.com/',
    });
    expect(config).toMatchObject({ clientId: emulator.clientId });
    const idv = await createProvider({ ...config, clock: emulator.clock });
    expect((await idv.checkConnection()).detail).toMatch(/OAuth2 access token was accepted/);
  });
});

describe('the token', () => {
  it('is asked for as the official client does: a form with only client_id and client_secret', async () => {
    const idv = await createProvider(emulator.oauthConfig());
    const recorded = recordRequests();
    try {
      await idv.checkConnection();
    } finally {
      recorded.stop();
    }
    const [token, call] = recorded.seen;
    expect(token?.url).toBe(TOKEN_URL);
    expect(token?.authorization).toBeNull();
    expect(Object.fromEntries(new URLSearchParams(await token!.body))).toEqual({
      client_id: emulator.clientId,
      client_secret: emulator.clientSecret,
    });
    expect(call?.authorization).toBe(`Bearer ${emulator.issuedAccessTokens()[0]}`);
  });

  it('is fetched once for many calls, and again 30 seconds before it expires', async () => {
    const idv = await createProvider(emulator.oauthConfig({ autoRegistration: true }));
    await Promise.all([idv.checkConnection(), idv.checkConnection(), idv.checkConnection()]);
    const started = await idv.startVerification({
      identityReference: 'identity-oauth',
      person: ADA,
    });
    await emulator.completeCustomerJourney(started.session);
    const session = await idv.completeCapture(started.session);
    const result = await idv.getResult(session);
    expect([result.status, result.reason]).toEqual(['registered', 'CLEAR']);
    expect((await idv.listDocuments(session)).length).toBeGreaterThan(0);
    expect(emulator.requestCount('POST', /\/oauth\/token$/)).toBe(1);

    emulator.clock.advance((600 - 31) * 1000);
    await idv.checkConnection();
    expect(emulator.requestCount('POST', /\/oauth\/token$/)).toBe(1);
    emulator.clock.advance(2000);
    await idv.checkConnection();
    expect(emulator.requestCount('POST', /\/oauth\/token$/)).toBe(2);
    expect(new Set(emulator.issuedAccessTokens()).size).toBe(2);
  });

  it('is replaced once when the API refuses it (401), and the call repeated', async () => {
    const idv = await createProvider(emulator.oauthConfig());
    await idv.checkConnection();
    emulator.fail({ kind: 'status', status: 401 }, { method: 'GET', path: /\/applicants$/ });
    await idv.checkConnection();
    expect(emulator.requestCount('POST', /\/oauth\/token$/)).toBe(2);
    expect(emulator.requestCount('GET', /\/applicants$/)).toBe(3);
  });
});

describe('refused credentials', () => {
  it('say which options to check, and show neither the secret nor any token', async () => {
    const idv = await createProvider(
      emulator.oauthConfig({ clientSecret: 'wrong-client-secret-42' }),
    );
    const error = await idv.checkConnection().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderApiError);
    expect(error).toMatchObject({ status: 401, providerErrorType: 'invalid_client' });
    expect((error as Error).message).toMatch(
      /refused the OAuth2 client credentials .*check "clientId", "clientSecret" and "region"/,
    );
    const shown = `${(error as Error).message} ${inspect(error, { depth: 8 })} ${JSON.stringify(error)}`;
    expect(shown).not.toContain('wrong-client-secret-42');
    expect(shown).not.toContain(emulator.clientSecret);
    expect(emulator.requestCount('GET', /\/applicants$/)).toBe(0);
  });

  it('keep the access token out of API errors', async () => {
    const idv = await createProvider(emulator.oauthConfig({ maxRetries: 0 }));
    await idv.checkConnection();
    const [token] = emulator.issuedAccessTokens();
    emulator.fail({ kind: 'status', status: 500 });
    const error = await idv.checkConnection().catch((e: unknown) => e);
    expect(isIdvError(error)).toBe(true);
    const shown = `${(error as Error).message} ${inspect(error, { depth: 8 })}`;
    expect(shown).not.toContain(token!);
    expect(shown).not.toContain(emulator.clientSecret);
    expect(inspect(idv, { depth: 8 })).not.toContain(emulator.clientSecret);
  });
});

describe('the emulator token endpoint', () => {
  it.each([
    ['a wrong secret', { client_id: 'x', client_secret: 'y' }, 401, 'invalid_client'],
    ['another grant type', { grant_type: 'password' }, 400, 'unsupported_grant_type'],
  ])('refuses %s', async (_what, fields, status, error) => {
    const body = new URLSearchParams({
      client_id: emulator.clientId,
      client_secret: emulator.clientSecret,
      ...fields,
    });
    const answer = await fetch(TOKEN_URL, { method: 'POST', body });
    expect(answer.status).toBe(status);
    expect(await answer.json()).toMatchObject({ error });
  });

  it('issues a token that expires with expires_in', async () => {
    const body = new URLSearchParams({
      client_id: emulator.clientId,
      client_secret: emulator.clientSecret,
      grant_type: 'client_credentials',
    });
    const answer = (await (await fetch(TOKEN_URL, { method: 'POST', body })).json()) as {
      access_token: string;
      expires_in: number;
    };
    expect(answer.expires_in).toBe(600);
    const call = () =>
      fetch('https://api.eu.onfido.com/v3.6/applicants', {
        headers: { Authorization: `Bearer ${answer.access_token}` },
      });
    expect((await call()).status).toBe(200);
    emulator.clock.advance(600_000);
    expect((await call()).status).toBe(401);
  });
});
