/**
 * No secret in any error, part 1: the failing paths that need no provider API.
 * Configuration errors (with secrets given as the values of wrong or unknown
 * options and environment variables), link-token failures, Onfido webhook
 * verification failures and Jumio callback refusals. Each row produces its
 * error, checks that it is the typed error that path throws, then looks for
 * every form of every secret in `String(error)`, `error.stack`,
 * `JSON.stringify(error)` and `util.inspect(error, { depth: Infinity, showHidden: true })`.
 */
import {
  ConfigError,
  configFromEnv,
  createLinkSigner,
  createProvider,
  type IdentityVerificationProvider,
  InvalidInputError,
  isIdvError,
  LinkTokenError,
  parseConfig,
  WebhookVerificationError,
} from 'idv-providers';
import { jumio } from 'idv-providers/jumio';
import { onfido, signOnfidoWebhook } from 'idv-providers/onfido';
import { describe, expect, it } from 'vitest';
import { expectNoSecret, onfidoEmulator, rejectionOf, SECRETS } from './secrets';

type ErrorClass = abstract new (...args: never[]) => Error;

interface Row {
  path: string;
  expected: ErrorClass;
  fail: () => unknown;
}

/** Runs `fail` and returns what it threw or rejected with. */
async function errorOf(fail: () => unknown): Promise<unknown> {
  return rejectionOf((async () => fail())());
}

const S = SECRETS;
const NOW = Date.UTC(2026, 0, 1);
const links = createLinkSigner({ key: S.linkKey, clock: { now: () => NOW } });
const session = { provider: 'onfido', subjectId: 'applicant-1', identityReference: 'identity-1' };
const token = () => links.sign(session).then((signed) => signed.token);

const onfidoOptions = {
  apiToken: S.onfidoApiToken,
  webhookToken: onfidoEmulator.webhookToken,
  verificationSiteUrl: 'https://verify.example.com/onfido/',
};
const onfidoIdv: IdentityVerificationProvider = onfido(onfidoOptions);
const onfidoWithoutToken = onfido({ ...onfidoOptions, webhookToken: undefined });
const kyx = jumio({ clientId: S.jumioClientId, clientSecret: S.jumioClientSecret });
const guarded = jumio({
  clientId: S.jumioClientId,
  clientSecret: S.jumioClientSecret,
  verifyCallbackSource: true,
});
const netverify = jumio({
  mode: 'netverify',
  clientId: S.jumioClientId,
  clientSecret: S.jumioClientSecret,
});

const signedBy = (body: string, key: string) => ({
  body,
  headers: { 'x-sha2-signature': signOnfidoWebhook(body, key) },
});
const callback = JSON.stringify({
  workflowExecution: { id: 'b3f1c2d4-0000-4000-8000-000000000001', status: 'PROCESSED' },
  account: { id: 'a1e2c3d4-0000-4000-8000-000000000002' },
});

const CONFIG: Row[] = [
  {
    path: 'Onfido: secret as the region',
    expected: ConfigError,
    fail: () => createProvider({ provider: 'onfido', ...onfidoOptions, region: S.onfidoApiToken }),
  },
  {
    path: 'Onfido: secret as the base URL',
    expected: ConfigError,
    fail: () => parseConfig({ provider: 'onfido', ...onfidoOptions, baseUrl: S.onfidoApiToken }),
  },
  {
    path: 'Onfido: secret under a misspelt option name',
    expected: ConfigError,
    fail: () =>
      parseConfig({ provider: 'onfido', ...onfidoOptions, apiTokn: S.wrongOnfidoApiToken }),
  },
  {
    path: 'Onfido: secret as a number option, report name and workflow id',
    expected: ConfigError,
    fail: () =>
      parseConfig({
        provider: 'onfido',
        ...onfidoOptions,
        timeoutMs: S.onfidoApiToken,
        reportNames: [S.onfidoApiToken],
        workflowId: 42,
      }),
  },
  {
    path: 'Onfido: empty webhook token beside a valid API token',
    expected: ConfigError,
    fail: () => onfido({ ...onfidoOptions, webhookToken: ' ' }),
  },
  {
    path: 'Onfido: missing verification site, API token given',
    expected: ConfigError,
    fail: () => onfido({ apiToken: S.onfidoApiToken }),
  },
  {
    path: 'Jumio: secrets as region, mode, locale and URLs',
    expected: ConfigError,
    fail: () =>
      parseConfig({
        provider: 'jumio',
        clientId: S.jumioClientId,
        clientSecret: S.jumioClientSecret,
        region: S.jumioClientSecret,
        mode: S.jumioClientId,
        locale: S.jumioClientSecret,
        callbackUrl: `https://example.com/${S.jumioClientSecret}/${'x'.repeat(260)}`,
        successUrl: S.jumioClientSecret,
      }),
  },
  {
    path: 'Jumio: client secret of the wrong type, client id given',
    expected: ConfigError,
    fail: () =>
      jumio({
        clientId: S.jumioClientId,
        clientSecret: 12 as unknown as string,
        userAgent: '\u0000',
      }),
  },
  {
    path: 'unknown provider named by a secret',
    expected: ConfigError,
    fail: () => parseConfig({ provider: 'sumsub', apiToken: S.onfidoApiToken }),
  },
  {
    path: 'env: secrets in the wrong Onfido variables',
    expected: ConfigError,
    fail: () =>
      configFromEnv({
        IDV_PROVIDER: 'onfido',
        IDV_ONFIDO_API_TOKEN: S.onfidoApiToken,
        IDV_ONFIDO_REGION: S.onfidoApiToken,
        IDV_ONFIDO_VERIFICATION_SITE_URL: S.onfidoApiToken,
      }),
  },
  {
    path: 'env: secret in a number variable',
    expected: ConfigError,
    fail: () =>
      configFromEnv({
        IDV_PROVIDER: 'jumio',
        IDV_JUMIO_CLIENT_ID: S.jumioClientId,
        IDV_JUMIO_CLIENT_SECRET: S.jumioClientSecret,
        IDV_TIMEOUT_MS: S.jumioClientSecret,
      }),
  },
  {
    path: 'env: secret in a boolean variable',
    expected: ConfigError,
    fail: () =>
      configFromEnv({
        IDV_PROVIDER: 'jumio',
        IDV_JUMIO_CLIENT_ID: S.jumioClientId,
        IDV_JUMIO_CLIENT_SECRET: S.jumioClientSecret,
        IDV_JUMIO_VERIFY_CALLBACK_SOURCE: S.jumioClientSecret,
      }),
  },
  {
    path: 'env: secret in a misspelt variable',
    expected: ConfigError,
    fail: () =>
      configFromEnv({
        IDV_PROVIDER: 'jumio',
        IDV_JUMIO_CLIENT_ID: S.jumioClientId,
        IDV_JUMIO_CLIENT_SECRETT: S.jumioClientSecret,
      }),
  },
  {
    path: 'link signer: key too short',
    expected: ConfigError,
    fail: () => createLinkSigner({ key: S.shortLinkKey }),
  },
  {
    path: 'link signer: bad lifetime, valid key',
    expected: ConfigError,
    fail: () => createLinkSigner({ key: S.linkKey, ttlSeconds: -1 }),
  },
];

const LINKS: Row[] = [
  {
    path: 'expired',
    expected: LinkTokenError,
    fail: async () =>
      createLinkSigner({ key: S.linkKey, clock: { now: () => NOW + 91 * 60_000 } }).verify(
        await token(),
      ),
  },
  {
    path: 'tampered payload',
    expected: LinkTokenError,
    fail: async () => {
      // A byte of the signed content changed, the tag kept: the tag no longer matches.
      const bytes = Buffer.from(await token(), 'base64url');
      const at = Math.floor(bytes.length / 2);
      bytes[at] = (bytes[at] ?? 0) ^ 0x01;
      return links.verify(bytes.toString('base64url'));
    },
  },
  {
    path: 'signed with another key',
    expected: LinkTokenError,
    fail: async () =>
      createLinkSigner({ key: `${S.linkKey}-other`, clock: { now: () => NOW } }).verify(
        await token(),
      ),
  },
  {
    path: 'another session',
    expected: LinkTokenError,
    fail: async () => links.verify(await token(), { subjectId: 'applicant-2' }),
  },
  {
    path: 'alg none',
    expected: LinkTokenError,
    fail: async () => {
      // An unsigned JWT naming the session, as a forger would send it.
      const header = Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url');
      const payload = Buffer.from(JSON.stringify({ ...session, sid: session.subjectId })).toString(
        'base64url',
      );
      return links.verify(`${header}.${payload}.`);
    },
  },
  { path: 'malformed', expected: LinkTokenError, fail: () => links.verify('not.a-token') },
  {
    path: 'signing an invalid session',
    expected: InvalidInputError,
    fail: () => links.sign({ ...session, subjectId: '' }),
  },
];

const WEBHOOKS: Row[] = [
  {
    path: 'Onfido: no signature',
    expected: WebhookVerificationError,
    fail: () => onfidoIdv.verifyWebhook({ body: '{}', headers: {} }),
  },
  {
    path: 'Onfido: malformed signature',
    expected: WebhookVerificationError,
    fail: () => onfidoIdv.verifyWebhook({ body: '{}', headers: { 'x-sha2-signature': 'zz' } }),
  },
  {
    path: 'Onfido: signed with another token (the API token)',
    expected: WebhookVerificationError,
    fail: () => onfidoIdv.verifyWebhook(signedBy('{"payload":{}}', S.onfidoApiToken)),
  },
  {
    path: 'Onfido: signed body that is not JSON',
    expected: WebhookVerificationError,
    fail: () =>
      onfidoIdv.verifyWebhook(signedBy(`token=${S.onfidoApiToken}`, onfidoEmulator.webhookToken)),
  },
  {
    path: 'Onfido: signed body that is not an event, holding secrets',
    expected: WebhookVerificationError,
    fail: () =>
      onfidoIdv.verifyWebhook(
        signedBy(
          JSON.stringify({ payload: { [S.onfidoApiToken]: S.jumioClientSecret } }),
          onfidoEmulator.webhookToken,
        ),
      ),
  },
  {
    path: 'Onfido: no webhook token configured',
    expected: ConfigError,
    fail: () => onfidoWithoutToken.verifyWebhook(signedBy('{}', S.onfidoApiToken)),
  },
  {
    path: 'Jumio KYX: body that is not JSON, holding secrets',
    expected: WebhookVerificationError,
    fail: () => kyx.verifyWebhook({ body: `{"secret":"${S.jumioClientSecret}"`, headers: {} }),
  },
  {
    path: 'Jumio KYX: unexpected shape, holding secrets',
    expected: WebhookVerificationError,
    fail: () =>
      kyx.verifyWebhook({
        body: JSON.stringify({ workflowExecution: { id: S.jumioClientSecret, status: 1 } }),
        headers: {},
      }),
  },
  {
    path: 'Jumio KYX: sender not on the allow-list',
    expected: WebhookVerificationError,
    fail: () =>
      guarded.verifyWebhook({ body: callback, headers: {}, remoteAddress: '203.0.113.9' }),
  },
  {
    path: 'Jumio Netverify: JSON instead of a form',
    expected: WebhookVerificationError,
    fail: () => netverify.verifyWebhook({ body: callback, headers: {} }),
  },
  {
    path: 'Jumio Netverify: form with a malformed scan reference',
    expected: WebhookVerificationError,
    fail: () =>
      netverify.verifyWebhook({
        body: `jumioIdScanReference=${encodeURIComponent(`${S.jumioClientSecret}/x`)}&verificationStatus=X`,
        headers: {},
      }),
  },
];

describe.each([
  ['configuration', CONFIG],
  ['link tokens', LINKS],
  ['webhooks and callbacks', WEBHOOKS],
] as const)('no secret in %s errors', (_area, rows) => {
  it.each(rows)('$path', async (row) => {
    const error = await errorOf(row.fail);
    expect(isIdvError(error)).toBe(true);
    expect(error).toBeInstanceOf(row.expected);
    expectNoSecret(error);
  });
});
