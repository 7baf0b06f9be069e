/**
 * No secret in any error, part 2: every failing path through a provider's API,
 * for Onfido, Jumio KYX (the OAuth2 token endpoint and the API) and Jumio
 * Netverify (Basic auth): refused credentials, 401, 403, 404, 422, 429, 5xx,
 * timeouts, resets, malformed and truncated answers, answers that echo the
 * request's credentials back, refused downloads and broken transfers. Each row
 * checks the typed error it expects, then looks for every form of every secret
 * (the access tokens Jumio issued during the row included) in everything a log
 * could print of it.
 */
import type { Readable } from 'node:stream';
import {
  ConfigError,
  createProvider,
  DownloadRefusedError,
  type IdentityVerificationProvider,
  InvalidInputError,
  isIdvError,
  NetworkError,
  NotFoundError,
  ProviderApiError,
  RateLimitedError,
  type SessionRef,
  TimeoutError,
  UnexpectedResponseError,
} from 'idv-providers';
import { createTestClock, type EmulatorFault } from 'idv-providers/testing';
import { HttpResponse, http } from 'msw';
import { describe, expect, it } from 'vitest';
import {
  expectNoSecret,
  jumioEmulator,
  onfidoEmulator,
  rejectionOf,
  SECRETS,
  useEmulators,
} from './secrets';

const server = useEmulators();
const S = SECRETS;
const ADA = { firstName: 'Ada', lastName: 'Lovelace', countryOfResidence: 'GBR' };
const FAST = { maxRetries: 1 };
/** A provider that gives up on an answer after 250 ms, for the rows that meet {@link SLOW}. */
const IMPATIENT = { timeoutMs: 250 };
const SLOW: EmulatorFault = { kind: 'delay', ms: 1500 };

type ErrorClass = abstract new (...args: never[]) => Error;
interface Row {
  path: string;
  expected: ErrorClass;
  fail: () => Promise<unknown>;
}

const provider = (config: ReturnType<typeof onfidoEmulator.config>, extra = {}) =>
  createProvider({ ...config, clock: createTestClock(), ...FAST, ...extra } as never);
const onfidoIdv = (extra: Record<string, unknown> = {}) => provider(onfidoEmulator.config(), extra);
const kyxIdv = (extra: Record<string, unknown> = {}) => provider(jumioEmulator.config(), extra);
const netverifyIdv = (extra: Record<string, unknown> = {}) =>
  provider(jumioEmulator.config({ mode: 'netverify' }), extra);

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

/** An Onfido check that finished, and the provider that made it. */
async function onfidoChecked(): Promise<{
  idv: IdentityVerificationProvider;
  session: SessionRef;
}> {
  const idv = await onfidoIdv();
  const started = await idv.startVerification({ identityReference: 'identity-s', person: ADA });
  await onfidoEmulator.completeCustomerJourney(started.session);
  return { idv, session: await idv.completeCapture(started.session) };
}

/** A Jumio transaction that finished, and the provider that made it. */
async function jumioFinished(
  netverify = false,
): Promise<{ idv: IdentityVerificationProvider; session: SessionRef }> {
  const idv = await (netverify ? netverifyIdv() : kyxIdv());
  const { session } = await idv.startVerification({ identityReference: 'identity-s' });
  await jumioEmulator.completeCustomerJourney(session);
  return { idv, session };
}

const extraFor = (fault: EmulatorFault) => (fault.kind === 'delay' ? IMPATIENT : {});

/** An Onfido read meeting `fault` on every attempt. */
const onfidoRead = (fault: EmulatorFault) => async () => {
  const { session } = await onfidoChecked();
  const reader = await onfidoIdv(extraFor(fault));
  onfidoEmulator.fail(fault, { method: 'GET', path: /\/checks\/[^/]+$/, times: 5 });
  return reader.getResult(session);
};

/** A Jumio KYX read meeting `fault` on every attempt. */
const kyxRead = (fault: EmulatorFault) => async () => {
  const { session } = await jumioFinished();
  const reader = await kyxIdv(extraFor(fault));
  await reader.checkConnection();
  jumioEmulator.fail(fault, { method: 'GET', path: /\/workflow-executions\/[^/]+$/, times: 5 });
  return reader.getResult(session);
};

/** A Jumio KYX start whose token request meets `fault` on every attempt. */
const kyxToken = (fault: EmulatorFault) => async () => {
  const idv = await kyxIdv(extraFor(fault));
  jumioEmulator.fail(fault, { method: 'POST', path: /^\/oauth2\/token$/, times: 5 });
  return idv.startVerification({ identityReference: 'identity-s' });
};

/** The credentials the provider the request came from holds. */
function credentialsOf(request: Request): string[] {
  return new URL(request.url).hostname.endsWith('onfido.com')
    ? [S.onfidoApiToken, onfidoEmulator.webhookToken]
    : [S.jumioClientId, S.jumioClientSecret];
}

/**
 * Echoes the request's Authorization header and the provider's credentials
 * back in an error body, as a careless proxy might.
 */
function echo(status: number, request: Request): Response {
  const authorization = request.headers.get('authorization') ?? '';
  const [first, second] = credentialsOf(request);
  const everything = [authorization, first, second].join(' ');
  return HttpResponse.json(
    {
      error: {
        type: `echo ${authorization}`,
        message: `credentials: ${everything}`,
        fields: { authorization: [authorization], credentials: { first, second } },
      },
      title: authorization,
      detail: everything,
      error_description: authorization,
    },
    { status, headers: { 'www-authenticate': authorization } },
  );
}

const ONFIDO: Row[] = [
  {
    path: '401: wrong API token, connection check',
    expected: ProviderApiError,
    fail: async () => (await onfidoIdv({ apiToken: S.wrongOnfidoApiToken })).checkConnection(),
  },
  {
    path: '401: wrong API token, start',
    expected: ProviderApiError,
    fail: async () =>
      (await onfidoIdv({ apiToken: S.wrongOnfidoApiToken })).startVerification({
        identityReference: 'identity-s',
        person: ADA,
      }),
  },
  { path: '403', expected: ProviderApiError, fail: onfidoRead({ kind: 'status', status: 403 }) },
  {
    path: '404: unknown check',
    expected: NotFoundError,
    fail: async () =>
      (await onfidoIdv()).getResult({ provider: 'onfido', attemptId: 'no-such-check' }),
  },
  {
    path: '422: check before any document',
    expected: ProviderApiError,
    fail: async () => {
      const idv = await onfidoIdv();
      const started = await idv.startVerification({ identityReference: 'identity-s', person: ADA });
      return idv.completeCapture(started.session);
    },
  },
  {
    path: '429 with Retry-After, persisting',
    expected: RateLimitedError,
    fail: onfidoRead({ kind: 'status', status: 429, retryAfter: '1' }),
  },
  {
    path: '500, persisting',
    expected: ProviderApiError,
    fail: onfidoRead({ kind: 'status', status: 500 }),
  },
  {
    path: '502 on POST /applicants',
    expected: ProviderApiError,
    fail: async () => {
      onfidoEmulator.fail({ kind: 'status', status: 502 }, { method: 'POST', path: /applicants$/ });
      return (await onfidoIdv()).startVerification({
        identityReference: 'identity-s',
        person: ADA,
      });
    },
  },
  { path: 'timeout', expected: TimeoutError, fail: onfidoRead(SLOW) },
  { path: 'connection reset', expected: NetworkError, fail: onfidoRead({ kind: 'reset' }) },
  {
    path: 'malformed JSON',
    expected: UnexpectedResponseError,
    fail: onfidoRead({ kind: 'malformed-json' }),
  },
  {
    path: 'wrong content type',
    expected: UnexpectedResponseError,
    fail: onfidoRead({ kind: 'wrong-content-type' }),
  },
  {
    path: 'unexpected shape',
    expected: UnexpectedResponseError,
    fail: onfidoRead({ kind: 'unexpected-shape' }),
  },
  {
    path: 'truncated body',
    expected: UnexpectedResponseError,
    fail: onfidoRead({ kind: 'truncated-body' }),
  },
  {
    path: 'an answer echoing the Authorization header and tokens (400)',
    expected: ProviderApiError,
    fail: async () => {
      server.use(
        http.get('https://api.eu.onfido.com/v3.6/applicants', ({ request }) => echo(400, request)),
      );
      return (await onfidoIdv()).checkConnection();
    },
  },
  {
    path: 'an answer echoing the credentials (401)',
    expected: ProviderApiError,
    fail: async () => {
      server.use(
        http.get('https://api.eu.onfido.com/v3.6/applicants', ({ request }) => echo(401, request)),
      );
      return (await onfidoIdv()).checkConnection();
    },
  },
  {
    path: 'an answer echoing the credentials (429)',
    expected: RateLimitedError,
    fail: async () => {
      server.use(
        http.get('https://api.eu.onfido.com/v3.6/applicants', ({ request }) => echo(429, request)),
      );
      return (await onfidoIdv({ maxRetries: 0 })).checkConnection();
    },
  },
  {
    path: 'invalid input: no name',
    expected: InvalidInputError,
    fail: async () => (await onfidoIdv()).startVerification({ identityReference: 'identity-s' }),
  },
  {
    path: 'download: URL off the API host',
    expected: DownloadRefusedError,
    fail: async () =>
      (await onfidoIdv()).downloadDocument({
        id: 'doc-1',
        kind: 'document',
        downloadUrl: `https://evil.example/steal?token=${S.onfidoApiToken}`,
      }),
  },
  {
    path: 'download: redirect off the API host',
    expected: DownloadRefusedError,
    fail: async () => {
      const { idv, session } = await onfidoChecked();
      const [doc] = await idv.listDocuments(session);
      server.use(
        http.get(doc!.downloadUrl, () =>
          HttpResponse.text('', {
            status: 302,
            headers: { location: `https://evil.example/x?token=${S.onfidoApiToken}` },
          }),
        ),
      );
      return idv.downloadDocument(doc!);
    },
  },
  {
    path: 'download: too large',
    expected: DownloadRefusedError,
    fail: async () => {
      const { session } = await onfidoChecked();
      const idv = await onfidoIdv({ maxDownloadBytes: 16 });
      const [doc] = await idv.listDocuments(session);
      return idv.downloadDocument(doc!);
    },
  },
  {
    path: 'download: transfer broken off',
    expected: NetworkError,
    fail: async () => {
      const { idv, session } = await onfidoChecked();
      const [doc] = await idv.listDocuments(session);
      onfidoEmulator.fail({ kind: 'truncated-body' }, { path: /\/download$/ });
      return readAll((await idv.downloadDocument(doc!)).body);
    },
  },
];

const JUMIO: Row[] = [
  {
    path: 'token: wrong client secret, connection check',
    expected: ProviderApiError,
    fail: async () => (await kyxIdv({ clientSecret: S.wrongJumioClientSecret })).checkConnection(),
  },
  {
    path: 'token: wrong client secret, start',
    expected: ProviderApiError,
    fail: async () =>
      (await kyxIdv({ clientSecret: S.wrongJumioClientSecret })).startVerification({
        identityReference: 'identity-s',
      }),
  },
  {
    path: 'token: 503, persisting',
    expected: ProviderApiError,
    fail: kyxToken({ kind: 'status', status: 503 }),
  },
  {
    path: 'token: 429, persisting',
    expected: RateLimitedError,
    fail: kyxToken({ kind: 'status', status: 429 }),
  },
  { path: 'token: reset', expected: NetworkError, fail: kyxToken({ kind: 'reset' }) },
  { path: 'token: timeout', expected: TimeoutError, fail: kyxToken(SLOW) },
  {
    path: 'token: malformed JSON',
    expected: UnexpectedResponseError,
    fail: kyxToken({ kind: 'malformed-json' }),
  },
  {
    path: 'token: unexpected shape',
    expected: UnexpectedResponseError,
    fail: kyxToken({ kind: 'unexpected-shape' }),
  },
  {
    path: 'token: an answer echoing the Basic credentials',
    expected: ProviderApiError,
    fail: async () => {
      server.use(
        http.post('https://auth.amer-1.jumio.ai/oauth2/token', ({ request }) => echo(401, request)),
      );
      return (await kyxIdv()).checkConnection();
    },
  },
  {
    path: 'API: 401 with a fresh token refused too',
    expected: ProviderApiError,
    fail: kyxRead({ kind: 'status', status: 401 }),
  },
  { path: 'API: 403', expected: ProviderApiError, fail: kyxRead({ kind: 'status', status: 403 }) },
  {
    path: 'API: 404 unknown transaction',
    expected: NotFoundError,
    fail: async () => {
      const { idv, session } = await jumioFinished();
      return idv.getResult({ ...session, attemptId: '0d1b85cb-0000-4000-8000-000000000000' });
    },
  },
  {
    path: 'API: 429, persisting',
    expected: RateLimitedError,
    fail: kyxRead({ kind: 'status', status: 429 }),
  },
  {
    path: 'API: 500, persisting',
    expected: ProviderApiError,
    fail: kyxRead({ kind: 'status', status: 500 }),
  },
  { path: 'API: timeout', expected: TimeoutError, fail: kyxRead(SLOW) },
  { path: 'API: connection reset', expected: NetworkError, fail: kyxRead({ kind: 'reset' }) },
  {
    path: 'API: malformed JSON',
    expected: UnexpectedResponseError,
    fail: kyxRead({ kind: 'malformed-json' }),
  },
  {
    path: 'API: wrong content type',
    expected: UnexpectedResponseError,
    fail: kyxRead({ kind: 'wrong-content-type' }),
  },
  {
    path: 'API: unexpected shape',
    expected: UnexpectedResponseError,
    fail: kyxRead({ kind: 'unexpected-shape' }),
  },
  {
    path: 'API: truncated body',
    expected: NetworkError,
    fail: kyxRead({ kind: 'truncated-body' }),
  },
  {
    path: 'API: 502 on POST /accounts',
    expected: ProviderApiError,
    fail: async () => {
      jumioEmulator.fail({ kind: 'status', status: 502 }, { method: 'POST', path: /accounts$/ });
      return (await kyxIdv()).startVerification({ identityReference: 'identity-s' });
    },
  },
  {
    path: 'API: an answer echoing the Bearer token',
    expected: ProviderApiError,
    fail: async () => {
      const { idv, session } = await jumioFinished();
      server.use(
        http.get('https://retrieval.amer-1.jumio.ai/*', ({ request }) => echo(400, request)),
      );
      return idv.getResult(session);
    },
  },
  {
    path: 'invalid input: a reference with forbidden characters',
    expected: InvalidInputError,
    fail: async () => (await kyxIdv()).startVerification({ identityReference: 'a<b>"c"' }),
  },
  {
    path: 'download: part link off the retrieval host',
    expected: DownloadRefusedError,
    fail: async () => {
      const { idv, session } = await jumioFinished();
      jumioEmulator.setPartHref(session, 'FRONT', 'https://account.amer-1.jumio.ai/steal');
      return idv.listDocuments(session);
    },
  },
  {
    path: 'download: URL off the retrieval host',
    expected: DownloadRefusedError,
    fail: async () =>
      (await kyxIdv()).downloadDocument({
        id: 'x:FRONT',
        kind: 'document',
        downloadUrl:
          'https://retrieval.emea-1.jumio.ai/api/v1/accounts/a/credentials/c/parts/FRONT',
      }),
  },
  {
    path: 'download: redirect off the retrieval host',
    expected: DownloadRefusedError,
    fail: async () => {
      const { idv, session } = await jumioFinished();
      const [doc] = await idv.listDocuments(session);
      server.use(
        http.get(doc!.downloadUrl, () =>
          HttpResponse.text('', { status: 307, headers: { location: 'https://evil.example/x' } }),
        ),
      );
      return idv.downloadDocument(doc!);
    },
  },
  {
    path: 'download: transfer broken off',
    expected: NetworkError,
    fail: async () => {
      const { idv, session } = await jumioFinished();
      const [doc] = await idv.listDocuments(session);
      jumioEmulator.fail({ kind: 'truncated-body' }, { path: /\/parts\/[^/]+$/ });
      return readAll((await idv.downloadDocument(doc!)).body);
    },
  },
  {
    path: 'Netverify: wrong API secret (Basic auth), connection check',
    expected: ProviderApiError,
    fail: async () =>
      (await netverifyIdv({ clientSecret: S.wrongJumioClientSecret })).checkConnection(),
  },
  {
    path: 'Netverify: wrong API secret, start',
    expected: ProviderApiError,
    fail: async () =>
      (await netverifyIdv({ clientSecret: S.wrongJumioClientSecret })).startVerification({
        identityReference: 'identity-s',
      }),
  },
  {
    path: 'Netverify: an answer echoing the Basic header',
    expected: ProviderApiError,
    fail: async () => {
      server.use(http.all('https://netverify.com/*', ({ request }) => echo(401, request)));
      return (await netverifyIdv()).checkConnection();
    },
  },
  {
    path: 'Netverify: 500 on initiate',
    expected: ProviderApiError,
    fail: async () => {
      jumioEmulator.fail({ kind: 'status', status: 500 }, { path: /initiate$/ });
      return (await netverifyIdv()).startVerification({ identityReference: 'identity-s' });
    },
  },
  {
    path: 'Netverify: timeout reading a scan',
    expected: TimeoutError,
    fail: async () => {
      const { session } = await jumioFinished(true);
      const reader = await netverifyIdv(IMPATIENT);
      jumioEmulator.fail(SLOW, { path: /\/scans\//, times: 5 });
      return reader.getResult(session);
    },
  },
  {
    path: 'Netverify: download off the data center',
    expected: DownloadRefusedError,
    fail: async () =>
      (await netverifyIdv()).downloadDocument({
        id: 'scan:front',
        kind: 'document',
        downloadUrl: 'https://lon.netverify.com/api/netverify/v2/scans/s/images/front',
      }),
  },
  {
    path: 'config error from createProvider, with the secrets given',
    expected: ConfigError,
    fail: () => kyxIdv({ region: S.jumioClientSecret }),
  },
];

describe.each([
  ['Onfido', ONFIDO],
  ['Jumio', JUMIO],
] as const)('no secret in %s API errors', (_provider, rows) => {
  it.each(rows)('$path', async (row) => {
    const error = await rejectionOf(row.fail());
    expect(isIdvError(error)).toBe(true);
    expect(error).toBeInstanceOf(row.expected);
    expectNoSecret(error);
  });
});

describe('echoed credentials are redacted, not dropped silently', () => {
  it('marks where a secret was in the message and the fields', async () => {
    server.use(
      http.get('https://api.eu.onfido.com/v3.6/applicants', ({ request }) => echo(400, request)),
    );
    const error = (await rejectionOf((await onfidoIdv()).checkConnection())) as ProviderApiError;
    expect(error.message).toContain('[REDACTED]');
    expect(JSON.stringify(error.fields)).toContain('[REDACTED]');
    expect(error.providerErrorType).toContain('[REDACTED]');
  });
});
