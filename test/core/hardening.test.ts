/**
 * Inputs named after built-in object members, parsed bodies where raw ones
 * belong, and secrets with JSON-special characters: each is handled as data.
 */
import { inspect } from 'node:util';
import { ProviderApiError, UnexpectedResponseError, WebhookVerificationError } from 'idv-providers';
import { mapJumioVerdict, mapWorkflowStatus } from 'idv-providers/jumio';
import { createHttpClient, downloadStream, ownEntry, redactDeep } from 'idv-providers/kit';
import { contentTypeOf, onfido, signOnfidoWebhook } from 'idv-providers/onfido';
import { createTestClock } from 'idv-providers/testing';
import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

const BASE = 'https://api.example.test/v1';
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const INHERITED = ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf'];

describe('tables are read by their own entries only', () => {
  it.each(INHERITED)('ownEntry(table, %j) is undefined', (key) => {
    expect(ownEntry({ a: 1 }, key)).toBeUndefined();
  });

  it.each(INHERITED)('a Jumio workflow status or decision named %j is UNKNOWN', (name) => {
    expect(mapWorkflowStatus(name)).toMatchObject({ pending: false, reasons: ['UNKNOWN'] });
    const verdict = mapJumioVerdict({
      workflow: { id: 'w', status: 'PROCESSED' },
      account: { id: 'a' },
      decision: { type: name },
      capabilities: {},
    } as never);
    expect(verdict.reasons.every((r) => typeof r === 'string')).toBe(true);
    expect(verdict.reasons).toContain('UNKNOWN');
  });

  it.each(INHERITED)('an Onfido file_type %j has no content type', (name) => {
    expect(contentTypeOf(name)).toBeUndefined();
  });

  it('names a download with an unknown content type plainly', async () => {
    server.use(
      http.get(
        `${BASE}/f`,
        () => new HttpResponse('x', { headers: { 'content-type': 'constructor' } }),
      ),
    );
    const api = createHttpClient({
      provider: 'acme',
      baseUrl: BASE,
      timeoutMs: 1000,
      maxRetries: 0,
      maxRetryAfterMs: 0,
      secrets: () => [],
    });
    const download = await downloadStream(
      api,
      { id: 'd1', kind: 'document', downloadUrl: `${BASE}/f` },
      {
        provider: 'acme',
        allowedOrigins: ['https://api.example.test'],
        maxBytes: 100,
      },
    );
    download.body.resume();
    expect(download.fileName).toBe('document-d1.bin');
  });
});

describe('webhook input that is not a raw body', () => {
  const idv = onfido({
    apiToken: 'api_token_1234',
    webhookToken: 'webhook_token_1234',
    verificationSiteUrl: 'https://v.example',
  });

  it.each([
    ['a parsed object', { payload: {} }],
    ['null', null],
    ['a number', 42],
  ])('refuses %s as the body with a WebhookVerificationError', async (_name, body) => {
    const signature = signOnfidoWebhook('{}', 'webhook_token_1234');
    const error = await idv
      .verifyWebhook({ body: body as never, headers: { 'x-sha2-signature': signature } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WebhookVerificationError);
    expect((error as WebhookVerificationError).reason).toMatch(/malformed_body|missing_signature/);
  });

  it('refuses a request without headers as unsigned', async () => {
    const error = await idv
      .verifyWebhook({ body: '{}', headers: undefined as never })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WebhookVerificationError);
    expect((error as WebhookVerificationError).reason).toBe('missing_signature');
  });
});

describe('secrets with JSON-special characters', () => {
  const secret = 'tok"en\\with-quote_1234';

  it('are redacted from provider error fields', async () => {
    server.use(
      http.get(`${BASE}/x`, () =>
        HttpResponse.json(
          {
            error: {
              type: 'validation_error',
              message: 'bad',
              fields: { header: [`Token token=${secret}`], [secret]: 'k' },
            },
          },
          { status: 422 },
        ),
      ),
    );
    const api = createHttpClient({
      provider: 'acme',
      baseUrl: BASE,
      timeoutMs: 1000,
      maxRetries: 0,
      maxRetryAfterMs: 0,
      secrets: () => [secret],
      clock: createTestClock(),
    });
    const error = await api.request({ method: 'GET', url: '/x' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderApiError);
    const printed = `${JSON.stringify(error)} ${inspect(error, { depth: Number.POSITIVE_INFINITY, showHidden: true })}`;
    expect(printed).not.toContain('tok"en');
    expect(printed).not.toContain('tok\\"en');
    expect((error as ProviderApiError).fields).toEqual({
      header: ['Token token=[REDACTED]'],
      '[REDACTED]': 'k',
    });
  });

  it('redactDeep walks arrays and objects', () => {
    expect(redactDeep({ a: [secret, { b: `x${secret}` }], n: 1 }, [secret])).toEqual({
      a: ['[REDACTED]', { b: 'x[REDACTED]' }],
      n: 1,
    });
  });
});

describe('UnexpectedResponseError', () => {
  it('records the attempts', async () => {
    server.use(http.get(`${BASE}/y`, () => HttpResponse.json({ id: 1 })));
    const api = createHttpClient({
      provider: 'acme',
      baseUrl: BASE,
      timeoutMs: 1000,
      maxRetries: 0,
      maxRetryAfterMs: 0,
      secrets: () => [],
    });
    const { z } = await import('zod');
    const error = await api
      .request({ method: 'GET', url: '/y', schema: z.object({ id: z.string() }) })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnexpectedResponseError);
    expect((error as UnexpectedResponseError).attempts).toBe(1);
  });
});
