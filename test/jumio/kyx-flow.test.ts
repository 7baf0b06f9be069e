import {
  createProvider,
  type IdentityVerificationProvider,
  InvalidInputError,
  NotFoundError,
  ProviderApiError,
} from 'idv-providers';
import { createJumioEmulator, createTestClock } from 'idv-providers/testing';
import { HttpResponse, http } from 'msw';
import { describe, expect, it } from 'vitest';
import { caught, useJumioEmulator } from './harness';

const { emulator, server } = useJumioEmulator();

async function provider(
  overrides: Record<string, unknown> = {},
): Promise<IdentityVerificationProvider> {
  return createProvider(emulator.config({ maxRetries: 2, clock: createTestClock(), ...overrides }));
}

describe('startVerification (KYX)', () => {
  it('creates an account with the configured workflow, callback, URLs, locale and lifetime', async () => {
    const clock = createTestClock();
    const idv = await provider({
      clock,
      // Not the default (10011): the configured key must reach Jumio.
      workflowKey: 10013,
      tokenLifetimeMinutes: 45,
      successUrl: 'https://idv-host.example/done',
      errorUrl: 'https://idv-host.example/failed',
      locale: 'de',
    });
    const started = await idv.startVerification({
      identityReference: 'identity-42',
      userReference: 'user-7',
      locale: 'en-GB',
    });

    const execution = emulator.execution(started.session.attemptId ?? '');
    expect(execution?.accountId).toBe(started.session.subjectId);
    expect(execution?.requestBody).toEqual({
      customerInternalReference: 'identity-42',
      userReference: 'user-7',
      workflowDefinition: { key: 10013 },
      callbackUrl: 'https://idv-host.example/callbacks/jumio',
      tokenLifetime: '45m',
      web: {
        successUrl: 'https://idv-host.example/done',
        errorUrl: 'https://idv-host.example/failed',
        locale: 'en-GB',
      },
    });
    expect(started.session.provider).toBe('jumio');
    expect(started.customerUrl).toMatch(
      /^https:\/\/acme\.web\.amer-1\.jumio\.ai\/web\/v4\/app\?authorizationToken=[\w-]+&locale=en-GB$/,
    );
    expect(started.sdkToken).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(started.expiresAt.getTime()).toBe(clock.now() + 45 * 60_000);
  });

  // 10011 is the key Jumio documents for ID + selfie (docs/provider-facts.md#j-wf-3);
  // 10013 runs screening and address checks besides (docs/provider-facts.md#j-wf-4).
  it('defaults to workflow 10011 (ID + selfie), a 30 minute link and the configured locale', async () => {
    const idv = await provider({ locale: 'fr' });
    const started = await idv.startVerification({ identityReference: 'identity-43' });
    const body = emulator.execution(started.session.attemptId ?? '')?.requestBody;
    expect(body?.['workflowDefinition']).toEqual({ key: 10011 });
    expect(body?.['tokenLifetime']).toBe('30m');
    expect(body?.['web']).toEqual({ locale: 'fr' });
    expect(body).not.toHaveProperty('userReference');
    expect(started.customerUrl).toContain('locale=fr');
  });

  it('sends a User-Agent and a Bearer token on every API call, Basic only to the token endpoint', async () => {
    const idv = await provider({ userAgent: 'AcmeATM/2.1' });
    const started = await idv.startVerification({ identityReference: 'identity-44' });
    await emulator.completeCustomerJourney(started.session);
    await idv.getResult(started.session);
    const requests = emulator.requests();
    expect(requests.map((r) => `${r.method} ${new URL(r.url).host}${r.path}`)).toEqual([
      'POST auth.amer-1.jumio.ai/oauth2/token',
      'POST account.amer-1.jumio.ai/api/v1/accounts',
      `GET retrieval.amer-1.jumio.ai/api/v1/accounts/${started.session.subjectId}/workflow-executions/${started.session.attemptId}`,
    ]);
    const [token, ...api] = requests;
    expect(token?.headers['authorization']).toBe(
      `Basic ${Buffer.from(`${emulator.clientId}:${emulator.clientSecret}`).toString('base64')}`,
    );
    expect(token?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    for (const request of api) {
      expect(request.headers['authorization']).toBe(`Bearer ${emulator.issuedTokens()[0]}`);
    }
    for (const request of requests) {
      expect(request.headers['user-agent']).toMatch(/^AcmeATM\/2\.1 idv-providers\/\d+\.\d+\.\d+/);
    }
  });

  it('starts a new transaction for a returning identity with PUT on its account', async () => {
    const idv = await provider();
    const first = await idv.startVerification({ identityReference: 'identity-45' });
    const second = await idv.startVerification({
      identityReference: 'identity-45',
      existingSubjectId: first.session.subjectId,
    });
    expect(second.session.subjectId).toBe(first.session.subjectId);
    expect(second.session.attemptId).not.toBe(first.session.attemptId);
    expect(emulator.account(first.session.subjectId)?.executions.map((e) => e.id)).toEqual([
      first.session.attemptId,
      second.session.attemptId,
    ]);
    expect(
      emulator.requestCount('PUT', new RegExp(`^/api/v1/accounts/${first.session.subjectId}$`)),
    ).toBe(1);
  });

  it('never repeats a PUT or POST that failed with a 5xx (it may have started a transaction)', async () => {
    const idv = await provider({ maxRetries: 3 });
    const first = await idv.startVerification({ identityReference: 'identity-46' });
    emulator.fail({ kind: 'status', status: 503 }, { method: 'PUT', times: 3 });
    const put = await caught(
      idv.startVerification({
        identityReference: 'identity-46',
        existingSubjectId: first.session.subjectId,
      }),
    );
    expect(put).toBeInstanceOf(ProviderApiError);
    expect((put as ProviderApiError).status).toBe(503);
    expect(emulator.requestCount('PUT', /^\/api\/v1\/accounts\//)).toBe(1);

    emulator.fail(
      { kind: 'status', status: 502 },
      { method: 'POST', path: /^\/api\/v1\/accounts$/, times: 3 },
    );
    const post = await caught(idv.startVerification({ identityReference: 'identity-47' }));
    expect((post as ProviderApiError).status).toBe(502);
    expect(emulator.requestCount('POST', /^\/api\/v1\/accounts$/)).toBe(2);
  });

  it('reports an unknown existing account as not found', async () => {
    const idv = await provider();
    const error = await caught(
      idv.startVerification({
        identityReference: 'identity-48',
        existingSubjectId: '6f1c2d3e-0000-4000-8000-000000000000',
      }),
    );
    expect(error).toBeInstanceOf(NotFoundError);
  });
});

describe('regions and hosts', () => {
  it.each(['amer-1', 'emea-1', 'apac-1'] as const)(
    'uses the %s hosts for every call',
    async (region) => {
      const idv = await provider({ region });
      const started = await idv.startVerification({ identityReference: `identity-${region}` });
      await emulator.completeCustomerJourney(started.session);
      const result = await idv.getResult(started.session);
      expect(result.reason).toBe('CLEAR');
      const [document] = await idv.listDocuments(started.session);
      expect(document?.downloadUrl.startsWith(`https://retrieval.${region}.jumio.ai/`)).toBe(true);
      expect(started.customerUrl).toContain(`.web.${region}.jumio.ai/`);
      expect([...new Set(emulator.requests().map((r) => new URL(r.url).host))]).toEqual([
        `auth.${region}.jumio.ai`,
        `account.${region}.jumio.ai`,
        `retrieval.${region}.jumio.ai`,
      ]);
    },
  );

  it('keeps accounts in their region: another region does not know them', async () => {
    const us = await provider({ region: 'amer-1' });
    const eu = await provider({ region: 'emea-1' });
    const started = await us.startVerification({ identityReference: 'identity-49' });
    await emulator.completeCustomerJourney(started.session);
    expect(await caught(eu.getResult(started.session))).toBeInstanceOf(NotFoundError);
  });

  it('uses overridden base URLs (a proxy)', async () => {
    const proxied = createJumioEmulator({
      baseUrls: {
        auth: 'https://jumio-proxy.internal.example/auth',
        account: 'https://jumio-proxy.internal.example/account',
        retrieval: 'https://jumio-proxy.internal.example/retrieval',
      },
    });
    server.use(...proxied.handlers);
    const idv = await createProvider(proxied.config({ clock: createTestClock() }));
    const started = await idv.startVerification({ identityReference: 'identity-50' });
    await proxied.completeCustomerJourney(started.session);
    expect((await idv.getResult(started.session)).reason).toBe('CLEAR');
    const [document] = await idv.listDocuments(started.session);
    expect(
      document?.downloadUrl.startsWith('https://jumio-proxy.internal.example/retrieval/api/v1/'),
    ).toBe(true);
    const download = await idv.downloadDocument(document!);
    download.body.resume();
    expect(proxied.requests().map((r) => r.url.split('/').slice(0, 4).join('/'))).toEqual([
      'https://jumio-proxy.internal.example/auth',
      'https://jumio-proxy.internal.example/account',
      'https://jumio-proxy.internal.example/retrieval',
      'https://jumio-proxy.internal.example/retrieval',
      'https://jumio-proxy.internal.example/retrieval',
    ]);
  });
});

describe('results over the life of a transaction', () => {
  it('is pending until Jumio has processed the transaction', async () => {
    const idv = await provider();
    const started = await idv.startVerification({ identityReference: 'identity-51' });
    const initiated = await idv.getResult(started.session);
    expect(initiated).toMatchObject({ status: 'pending', reason: null, reasons: [], person: null });
    expect(initiated.providerLabels).toEqual([{ source: 'workflow.status', value: 'INITIATED' }]);

    emulator.acquire(started.session);
    const acquired = await idv.getResult(started.session);
    expect(acquired.status).toBe('pending');
    expect(acquired.providerLabels).toEqual([{ source: 'workflow.status', value: 'ACQUIRED' }]);
    expect(emulator.deliveries()).toEqual([]);

    await emulator.completeCustomerJourney(started.session);
    const processed = await idv.getResult(started.session);
    expect(processed.status).toBe('awaiting_registration');
    expect(processed.reason).toBe('CLEAR');
    expect(processed.completedAt).toBe(emulator.execution(started.session.attemptId!)?.completedAt);
  });

  it('falls back to the status endpoint when the details of an expired transaction are gone', async () => {
    const idv = await provider();
    const started = await idv.startVerification({ identityReference: 'identity-52' });
    emulator.setExpiry(started.session.subjectId, 'TOKEN_EXPIRED');
    await emulator.completeCustomerJourney(started.session);
    emulator.fail({ kind: 'status', status: 404 }, { path: /workflow-executions\/[^/]+$/ });
    const result = await idv.getResult(started.session);
    expect(result).toMatchObject({
      status: 'retry',
      reason: 'EXPIRED',
      reasons: ['EXPIRED'],
      person: null,
    });
    expect(result.providerLabels).toEqual([{ source: 'workflow.status', value: 'TOKEN_EXPIRED' }]);
    expect(emulator.requestCount('GET', /\/status$/)).toBe(1);
  });

  it('does not invent a verdict when the details of a processed transaction are gone', async () => {
    const idv = await provider();
    const started = await idv.startVerification({ identityReference: 'identity-53' });
    await emulator.completeCustomerJourney(started.session);
    emulator.fail({ kind: 'status', status: 404 }, { path: /workflow-executions\/[^/]+$/ });
    expect(await caught(idv.getResult(started.session))).toBeInstanceOf(NotFoundError);
    expect(emulator.requestCount('GET', /\/status$/)).toBe(1);
  });

  it('refuses an answer about another workflow execution', async () => {
    const idv = await provider();
    const a = await idv.startVerification({ identityReference: 'identity-54' });
    const b = await idv.startVerification({
      identityReference: 'identity-54',
      existingSubjectId: a.session.subjectId,
    });
    await emulator.completeCustomerJourney(a.session);
    const otherDetails = await (
      await fetch(
        `https://retrieval.amer-1.jumio.ai/api/v1/accounts/${a.session.subjectId}/workflow-executions/${a.session.attemptId}`,
        {
          headers: { authorization: `Bearer ${emulator.issuedTokens()[0]}`, 'user-agent': 'test' },
        },
      )
    ).json();
    server.use(
      http.get(
        `https://retrieval.amer-1.jumio.ai/api/v1/accounts/${b.session.subjectId}/workflow-executions/${b.session.attemptId}`,
        () => HttpResponse.json(otherDetails),
      ),
    );
    const error = await caught(idv.getResult(b.session));
    expect(error.code).toBe('unexpected_response');
  });

  it('needs no completeCapture step: it returns the session and sends nothing', async () => {
    const idv = await provider();
    expect(idv.capabilities).toEqual({
      signedWebhooks: false,
      requiresCompleteCapture: false,
      hostedCapture: true,
      sdkToken: true,
    });
    const session = { provider: 'jumio', subjectId: 'a-1', attemptId: 'w-1' };
    expect(await idv.completeCapture(session)).toEqual(session);
    expect(emulator.requests()).toEqual([]);
  });

  it('refuses session ids that are not Jumio ids before sending anything', async () => {
    const idv = await provider();
    for (const session of [
      { provider: 'jumio', subjectId: '../../admin', attemptId: 'w-1' },
      { provider: 'jumio', subjectId: 'a-1' },
      { provider: 'jumio', subjectId: 'a-1', attemptId: 'w-1?x=1' },
    ]) {
      expect(await caught(idv.getResult(session))).toBeInstanceOf(InvalidInputError);
      expect(await caught(idv.listDocuments(session))).toBeInstanceOf(InvalidInputError);
    }
    expect(emulator.requests()).toEqual([]);
  });
});

describe('checkConnection', () => {
  it('proves the credentials by obtaining a token', async () => {
    const idv = await provider({ region: 'emea-1' });
    const check = await idv.checkConnection();
    expect(check).toMatchObject({
      provider: 'jumio',
      ok: true,
      baseUrl: 'https://auth.emea-1.jumio.ai',
    });
    expect(check.detail).toContain('token valid for 3600 s');
    expect(emulator.tokenRequests()).toBe(1);
    expect(emulator.requests().map((r) => r.path)).toEqual(['/oauth2/token']);
  });

  it('says clearly that the credentials were refused', async () => {
    const idv = await provider({ clientSecret: 'not-the-right-secret-1234' });
    const error = await caught(idv.checkConnection());
    expect(error).toBeInstanceOf(ProviderApiError);
    expect((error as ProviderApiError).status).toBe(401);
    expect(error.message).toContain('refused the OAuth2 client credentials');
    expect(error.message).not.toContain('not-the-right-secret-1234');
    expect(emulator.tokenRequests()).toBe(1);
  });
});
