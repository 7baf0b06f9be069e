/**
 * The Acme ID provider's own tests: its label table row by row, the fail-closed
 * rules, the webhook signature check, and its options from config and env.
 */
import {
  ConfigError,
  configFromEnv,
  createProvider,
  createRegistry,
  DownloadRefusedError,
  reasonFamily,
  WebhookVerificationError,
} from 'idv-providers';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type AcmeOutcome, createAcmeEmulator } from './acme-emulator';
import {
  ACME_ID_LABELS,
  acmeId,
  acmeIdDefinition,
  acmeIdReasons,
  signAcmeIdWebhook,
} from './acme-provider';

const registry = createRegistry().register(acmeIdDefinition);
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

async function setUp(overrides: Record<string, unknown> = {}) {
  const emulator = createAcmeEmulator();
  server.resetHandlers(...emulator.handlers);
  const idv = await createProvider(emulator.config(overrides), { registry });
  return { emulator, idv };
}

/** The result of a session Acme ID decided with `outcome`, auto-registration on. */
async function resultFor(outcome: AcmeOutcome) {
  const { emulator, idv } = await setUp({ autoRegistration: true });
  const { session } = await idv.startVerification({ identityReference: 'identity-1' });
  emulator.setOutcome(session.subjectId, outcome);
  await emulator.completeCustomerJourney(session);
  return idv.getResult(session);
}

describe('label table', () => {
  it('has one row per label', () => {
    const keys = ACME_ID_LABELS.map((row) => row.key);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it.each(ACME_ID_LABELS)('$key → $reason', async ({ key, reason }) => {
    const family = reasonFamily(reason);
    const status = family === 'CLEAR' ? 'approved' : family === 'CAUTION' ? 'review' : 'declined';
    const result = await resultFor({ status, labels: [key] });
    expect(result.reasons).toEqual([reason]);
    expect(result.providerLabels).toEqual([
      { source: 'status', value: status },
      { source: 'labels', value: key },
    ]);
  });
});

describe('fail closed', () => {
  it('turns an unknown label into UNKNOWN, never registered', async () => {
    const result = await resultFor({ status: 'approved', labels: ['nfc_chip_unreadable'] });
    expect(result.reasons).toEqual(['UNKNOWN']);
    expect(result.status).toBe('awaiting_registration');
  });

  it('turns an approval without labels into UNKNOWN', async () => {
    const result = await resultFor({ status: 'approved', labels: [] });
    expect(result).toMatchObject({ reason: 'UNKNOWN', status: 'awaiting_registration' });
  });

  it('does not read "clear" on a declined or review session as CLEAR', () => {
    expect(acmeIdReasons('declined', ['clear']).reasons).toEqual(['CLEAR', 'UNKNOWN']);
    expect(acmeIdReasons('review', []).reasons).toEqual(['UNKNOWN']);
  });

  it('reads statuses: running ones pending, expired EXPIRED, unknown ones UNKNOWN', () => {
    expect(acmeIdReasons('created', ['clear'])).toEqual({ pending: true, reasons: [] });
    expect(acmeIdReasons('submitted', [])).toEqual({ pending: true, reasons: [] });
    expect(acmeIdReasons('expired', [])).toEqual({ pending: false, reasons: ['EXPIRED'] });
    expect(acmeIdReasons('on_hold', ['clear'])).toEqual({ pending: false, reasons: ['UNKNOWN'] });
  });

  it('lets a concerning label outweigh an approval, and lists every reason by priority', async () => {
    const result = await resultFor({
      status: 'approved',
      labels: ['clear', 'watchlist_hit', 'image_glare', 'document_fake'],
    });
    expect(result.reasons).toEqual([
      'SUSPECTED_COMPROMISED_DOCUMENT',
      'REJECTED_IMAGE_INTEGRITY',
      'CAUTION_WATCHLIST',
    ]);
    expect(result.status).toBe('rejected');
  });

  it('is pending until the customer submits, then reads the person', async () => {
    const { emulator, idv } = await setUp();
    const { session } = await idv.startVerification({ identityReference: 'identity-2' });
    expect(await idv.getResult(session)).toMatchObject({ status: 'pending', reason: null });
    await emulator.completeCustomerJourney(session);
    const result = await idv.getResult(session);
    expect(result.status).toBe('awaiting_registration');
    expect(result.person).toEqual({
      firstName: 'Ada',
      lastName: 'Lovelace',
      nationality: 'GBR',
      documentType: 'passport',
      documentNumber: 'X1234567',
      issuingCountry: 'GBR',
      documentExpiry: '2031-05-01',
    });
  });
});

describe('webhook signature', () => {
  const secret = 'whsec_acme_example_secret_0001';
  const body =
    '{"event":"session.completed","session_id":"ses_0001","status":"approved","created_at":"2026-01-01T00:00:00.000Z"}';
  // HMAC-SHA256(secret, body), computed independently with `openssl dgst -sha256 -hmac`.
  const known = '5e240ad4247f13739c0ca00462766f0539a6129ee35bffa6fb9205d84c9ae17e';
  const idv = acmeId({ apiKey: 'acme_test_key', webhookSecret: secret });

  it('signs the known-answer vector', () => {
    expect(signAcmeIdWebhook(body, secret)).toBe(known);
    expect(signAcmeIdWebhook(new TextEncoder().encode(body), secret)).toBe(known);
  });

  it('accepts a signed body, as text or bytes, with any header casing', async () => {
    const expected = {
      provider: 'acme-id',
      type: 'session.completed',
      dedupeKey: 'acme-id:session.completed:ses_0001',
      session: { provider: 'acme-id', subjectId: 'ses_0001' },
      actionable: true,
      occurredAt: '2026-01-01T00:00:00.000Z',
    };
    expect(await idv.verifyWebhook({ body, headers: { 'Acme-Signature': known } })).toEqual(
      expected,
    );
    const bytes = new TextEncoder().encode(body);
    const headers = new Headers({ 'acme-signature': known.toUpperCase() });
    expect(await idv.verifyWebhook({ body: bytes, headers })).toEqual(expected);
  });

  it('marks progress events as not actionable', async () => {
    const progress = '{"event":"session.submitted","session_id":"ses_0001"}';
    const event = await idv.verifyWebhook({
      body: progress,
      headers: { 'acme-signature': signAcmeIdWebhook(progress, secret) },
    });
    expect(event.actionable).toBe(false);
  });

  it.each([
    ['no header', undefined, 'missing_signature'],
    ['an empty header', '', 'missing_signature'],
    ['a prefixed signature', `sha256=${known}`, 'malformed_signature'],
    ['a short signature', known.slice(0, 63), 'malformed_signature'],
    ['a signature that is not hex', 'g'.repeat(64), 'malformed_signature'],
    ['a wrong signature', `${known.slice(0, 63)}0`, 'bad_signature'],
    [
      'a signature made with another secret',
      signAcmeIdWebhook(body, `${secret}x`),
      'bad_signature',
    ],
  ])('refuses %s', async (_name, signature, reason) => {
    const headers = signature === undefined ? {} : { 'acme-signature': signature };
    const error = await idv.verifyWebhook({ body, headers }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WebhookVerificationError);
    expect(error).toMatchObject({ reason, provider: 'acme-id' });
    expect(String(error)).not.toContain(secret);
  });

  it.each(['not json', '[]', '{"event":"session.completed"}', '{"session_id":7}'])(
    'refuses a correctly signed malformed body: %s',
    async (bad) => {
      const headers = { 'acme-signature': signAcmeIdWebhook(bad, secret) };
      const error = await idv.verifyWebhook({ body: bad, headers }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WebhookVerificationError);
      expect(error).toMatchObject({ reason: 'malformed_body' });
    },
  );
});

describe('options', () => {
  it.each([
    [{ webhookSecret: 'whsec_0123456789abcdef' }, 'missing option "apiKey"'],
    [{ apiKey: 'k' }, 'missing option "webhookSecret"'],
    [{ apiKey: 'k', webhookSecret: 'short' }, 'invalid option "webhookSecret"'],
    [
      { apiKey: 'k', webhookSecret: 'whsec_0123456789abcdef', apiToken: 'k' },
      'unknown option "apiToken"',
    ],
  ])('refuses %j', async (options, message) => {
    const error = await createProvider({ provider: 'acme-id', ...options }, { registry }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(`[idv] [acme-id] ${message}`);
  });

  it('reads its options from IDV_ACME_ID_* and the shared IDV_* variables', async () => {
    const emulator = createAcmeEmulator();
    server.resetHandlers(...emulator.handlers);
    const config = configFromEnv(
      {
        IDV_PROVIDER: 'acme-id',
        IDV_ACME_ID_API_KEY: emulator.apiKey,
        IDV_ACME_ID_WEBHOOK_SECRET: emulator.webhookSecret,
        IDV_ACME_ID_BASE_URL: 'https://api.acme-id.example',
        IDV_AUTO_REGISTRATION: 'true',
      },
      registry,
    );
    expect(config).toEqual({
      provider: 'acme-id',
      apiKey: emulator.apiKey,
      webhookSecret: emulator.webhookSecret,
      baseUrl: 'https://api.acme-id.example',
      autoRegistration: true,
    });
    const idv = await createProvider(config, { registry });
    expect(await idv.checkConnection()).toMatchObject({ provider: 'acme-id', ok: true });
  });

  it('names the environment variable that is missing or misspelt', () => {
    expect(() => configFromEnv({ IDV_PROVIDER: 'acme-id' }, registry)).toThrow(
      /missing option "apiKey" \(IDV_ACME_ID_API_KEY\)/,
    );
    expect(() =>
      configFromEnv(
        {
          IDV_PROVIDER: 'acme-id',
          IDV_ACME_ID_API_KEY: 'k',
          IDV_ACME_ID_WEBHOOK_SECRET: 'whsec_0123456789abcdef',
          IDV_ACME_ID_APIKEY: 'k',
        },
        registry,
      ),
    ).toThrow(/unknown environment variable IDV_ACME_ID_APIKEY/);
  });
});

describe('HTTP', () => {
  it('retries session creation, which carries an Idempotency-Key', async () => {
    const { emulator, idv } = await setUp();
    emulator.fail({ kind: 'status', status: 503 }, { method: 'POST' });
    const { session } = await idv.startVerification({ identityReference: 'identity-3' });
    expect(session.subjectId).toMatch(/^ses_/);
    expect(emulator.requestCount('POST', /^\/v1\/sessions$/)).toBe(2);
  });

  it('refuses to download a document from another host', async () => {
    const { idv } = await setUp();
    const error = await idv
      .downloadDocument({ id: 'fil_1', kind: 'document', downloadUrl: 'https://evil.example/x' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DownloadRefusedError);
    expect(error).toMatchObject({ reason: 'off_host' });
  });
});
