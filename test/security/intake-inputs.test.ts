/**
 * Inputs the intake and the adapters must refuse as such, never with a
 * `TypeError` or a 500: header values that are not strings (a number, an
 * object, `[42]`) for the signature, and a sender address that is not a string;
 * and bodies over the size cap given to `verifyWebhook` directly (a 50 MiB
 * body), with the real Onfido and Jumio adapters.
 */
import {
  createMemoryStore,
  createWebhookHandler,
  type IncomingWebhook,
  WebhookVerificationError,
} from 'idv-providers';
import { jumio } from 'idv-providers/jumio';
import { onfido, signOnfidoWebhook } from 'idv-providers/onfido';
import { describe, expect, it } from 'vitest';

const TOKEN = 'intake-inputs-webhook-token-0001';
const onfidoAdapter = onfido({
  apiToken: 'api_sandbox.intake-inputs',
  webhookToken: TOKEN,
  verificationSiteUrl: 'https://verify.example.com/',
});
const jumioAdapter = jumio({
  clientId: 'inputs-client',
  clientSecret: 'inputs-secret',
  verifyCallbackSource: true,
});
const BODY = JSON.stringify({
  payload: { resource_type: 'check', action: 'check.completed', object: { id: 'check-1' } },
});
/** The cap on a body given to the Onfido adapter's verifyWebhook: the intake's default maxBodyBytes. */
const MAX_WEBHOOK_BYTES = 1024 * 1024;
const KYX = JSON.stringify({
  callbackSentAt: '2026-01-01T00:00:00.000Z',
  workflowExecution: { id: 'exec-1', status: 'PROCESSED' },
  account: { id: 'acct-1' },
});

const NOT_STRINGS: Array<[string, unknown]> = [
  ['a number', 42],
  ['an object', { value: signOnfidoWebhook(BODY, TOKEN) }],
  ['[42]', [42]],
  ['a boolean', true],
  ['[null]', [null]],
  ['[{}]', [{}]],
];

async function refusal(call: () => Promise<unknown>): Promise<WebhookVerificationError> {
  const error = await call().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WebhookVerificationError);
  return error as WebhookVerificationError;
}

describe('a signature header that is not a string', () => {
  it.each(NOT_STRINGS)(
    'Onfido: %s is a WebhookVerificationError (malformed_signature)',
    async (_n, value) => {
      const request = {
        body: BODY,
        headers: { 'x-sha2-signature': value },
      } as unknown as IncomingWebhook;
      const error = await refusal(() => onfidoAdapter.verifyWebhook(request));
      expect(error.reason).toBe('malformed_signature');
    },
  );

  it.each(NOT_STRINGS)('through the intake: %s is answered 401, not 500', async (_n, value) => {
    const store = createMemoryStore();
    const handler = createWebhookHandler({ provider: onfidoAdapter, store });
    const answer = await handler.receive({
      method: 'POST',
      headers: { 'x-sha2-signature': value } as never,
      readBody: async () => ({ ok: true, bytes: Buffer.from(BODY) }),
    });
    expect(answer.status).toBe(401);
    expect(answer.body).toEqual({ error: 'malformed_signature' });
  });

  it('a repeated header with the signature first is still read (node gives arrays for some headers)', async () => {
    const signature = signOnfidoWebhook(BODY, TOKEN);
    const event = await onfidoAdapter.verifyWebhook({
      body: BODY,
      headers: { 'x-sha2-signature': [signature, 'ignored'] },
    });
    expect(event.type).toBe('check.completed');
  });
});

describe('a sender address that is not a string', () => {
  it.each(NOT_STRINGS)(
    'Jumio: remoteAddress %s is refused as an unknown sender',
    async (_n, value) => {
      const request = {
        body: KYX,
        headers: {},
        remoteAddress: value,
      } as unknown as IncomingWebhook;
      const error = await refusal(() => jumioAdapter.verifyWebhook(request));
      expect(error.reason).toBe('unknown_sender');
    },
  );

  it('through the intake: a remoteAddress that is not a string is answered 403, not 500', async () => {
    const handler = createWebhookHandler({ provider: jumioAdapter, store: createMemoryStore() });
    const answer = await handler.receive({
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      remoteAddress: 42 as never,
      readBody: async () => ({ ok: true, bytes: Buffer.from(KYX) }),
    });
    expect(answer.status).toBe(403);
  });
});

describe("verifyWebhook has the intake's size cap", () => {
  it('Onfido: a correctly signed 50 MiB body is refused (payload_too_large), and 1 MiB is the limit', async () => {
    const big = BODY + ' '.repeat(50 * 1024 * 1024);
    const error = await refusal(() =>
      onfidoAdapter.verifyWebhook({
        body: big,
        headers: { 'x-sha2-signature': signOnfidoWebhook(big, TOKEN) },
      }),
    );
    expect(error.reason).toBe('payload_too_large');
    const exact = BODY + ' '.repeat(MAX_WEBHOOK_BYTES - BODY.length);
    const event = await onfidoAdapter.verifyWebhook({
      body: Buffer.from(exact),
      headers: { 'x-sha2-signature': signOnfidoWebhook(exact, TOKEN) },
    });
    expect(event.type).toBe('check.completed');
    const over = `${exact} `;
    const overError = await refusal(() =>
      onfidoAdapter.verifyWebhook({
        body: Buffer.from(over),
        headers: { 'x-sha2-signature': signOnfidoWebhook(over, TOKEN) },
      }),
    );
    expect(overError.reason).toBe('payload_too_large');
  });

  it("through an intake configured above it, the adapter's refusal is a 413", async () => {
    const handler = createWebhookHandler({
      provider: onfidoAdapter,
      store: createMemoryStore(),
      maxBodyBytes: 64 * 1024 * 1024,
    });
    const big = BODY + ' '.repeat(2 * 1024 * 1024);
    const answer = await handler.receive({
      method: 'POST',
      headers: { 'x-sha2-signature': signOnfidoWebhook(big, TOKEN) },
      readBody: async () => ({ ok: true, bytes: Buffer.from(big) }),
    });
    expect(answer.status).toBe(413);
    expect(answer.body).toEqual({ error: 'payload_too_large' });
  });

  it('Jumio: a 50 MiB callback is refused before it is parsed', async () => {
    const big = KYX.replace('}', `,"pad":"${'x'.repeat(50 * 1024 * 1024)}"}`);
    const error = await refusal(() =>
      jumio({
        clientId: 'inputs-client',
        clientSecret: 'inputs-secret',
        verifyCallbackSource: false,
      }).verifyWebhook({ body: big, headers: {} }),
    );
    expect(error.message).toMatch(/larger than 262144 bytes/);
  });
});
