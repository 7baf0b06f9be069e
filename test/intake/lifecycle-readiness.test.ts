/**
 * Misconfiguration fails at start-up, not at the first webhook: creating the
 * webhook route or the processor asks the provider's `readiness()` and throws
 * a `ConfigError` naming the option; `ready()` adds the connection check a
 * host runs at boot. Through the public API, for both built-in providers, the
 * example provider and a provider written before `readiness` existed.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  ConfigError,
  checkReady,
  createMemoryStore,
  createProcessor,
  createProvider,
  createWebhookHandler,
  type IdentityVerificationProvider,
  ProviderApiError,
  registerProvider,
  toNodeListener,
} from 'idv-providers';
import { http, passthrough } from 'msw';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { acmeIdDefinition } from '../../examples/custom-provider/acme-provider';
import { clock, jumio, onfido, resetLifecycle, server } from './lifecycle-helpers';

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => resetLifecycle());
afterAll(() => server.close());

const store = createMemoryStore();
const handler = () => {};

describe('Onfido without webhookToken', () => {
  it('says so in readiness(), for webhooks only', async () => {
    const idv = await createProvider(onfido.config({ webhookToken: undefined, clock }));
    const readiness = idv.readiness?.();
    expect(readiness?.ready).toBe(false);
    expect(readiness?.problems).toEqual([
      {
        use: 'webhooks',
        option: 'webhookToken',
        message: expect.stringContaining(
          '[idv] [onfido] missing option "webhookToken" (IDV_ONFIDO_WEBHOOK_TOKEN)',
        ),
      },
    ]);
  });

  it('cannot be given a webhook route: createWebhookHandler throws a ConfigError naming the option', async () => {
    const idv = await createProvider(onfido.config({ webhookToken: undefined, clock }));
    let thrown: unknown;
    try {
      createWebhookHandler({ provider: idv, store });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect(thrown).toMatchObject({ option: 'webhookToken', provider: 'onfido' });
    expect(String(thrown)).toMatch(
      /createWebhookHandler: the onfido provider is not ready for webhooks: \[idv\] \[onfido\] missing option "webhookToken" \(IDV_ONFIDO_WEBHOOK_TOKEN\)/,
    );
  });

  it('can still fetch results: the processor starts, and ready() checks the connection', async () => {
    const idv = await createProvider(onfido.config({ webhookToken: undefined, clock }));
    const processor = createProcessor({ store, providers: [idv], handler });
    const [answer] = await processor.ready();
    expect(answer).toMatchObject({ provider: 'onfido', uses: ['results'] });
    expect(answer?.connection.ok).toBe(true);
    await expect(checkReady(idv)).rejects.toMatchObject({
      name: 'ConfigError',
      option: 'webhookToken',
    });
  });
});

describe.each([
  ['onfido', onfido],
  ['jumio', jumio],
] as const)('%s, configured', (name, emulator) => {
  it('is ready: the route and the processor start, and ready() proves the credentials', async () => {
    const idv = await createProvider(emulator.config({ clock }));
    expect(idv.readiness?.()).toEqual({ ready: true, problems: [] });
    const webhook = createWebhookHandler({ provider: idv, store });
    const processor = createProcessor({ store, providers: [idv], handler });
    const ready = await webhook.ready();
    expect(ready).toMatchObject({ provider: name, uses: ['webhooks'] });
    expect(ready.connection).toMatchObject({ provider: name, ok: true });
    expect((await processor.ready()).map((r) => r.provider)).toEqual([name]);
    expect((await checkReady(idv)).uses).toEqual(['start', 'webhooks', 'results']);
  });

  it('ready() rejects with the provider error when the credentials are refused', async () => {
    const wrong =
      name === 'onfido'
        ? { apiToken: 'api_sandbox.wrong-token-000000' }
        : { clientSecret: 'wrong' };
    const idv = await createProvider(emulator.config({ ...wrong, clock, maxRetries: 0 }));
    const webhook = createWebhookHandler({ provider: idv, store });
    const error = await webhook.ready().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderApiError);
    expect(error).toMatchObject({ status: 401 });
    expect(String(error)).not.toContain('wrong');
  });
});

describe('providers of your own', () => {
  it('the example provider reports itself ready and gets a route', async () => {
    registerProvider(acmeIdDefinition);
    const idv = await createProvider({
      provider: 'acme-id',
      apiKey: 'acme_key_0123456789',
      webhookSecret: 'acme-webhook-secret-0123456789',
    });
    expect(idv.readiness?.()).toEqual({ ready: true, problems: [] });
    expect(typeof createWebhookHandler({ provider: idv, store })).toBe('function');
  });

  it('a provider written before readiness() existed is taken as ready', () => {
    const old = {
      name: 'legacy',
      capabilities: {
        signedWebhooks: true,
        requiresCompleteCapture: false,
        hostedCapture: true,
        sdkToken: false,
      },
    } as unknown as IdentityVerificationProvider;
    expect(typeof createWebhookHandler({ provider: old, store })).toBe('function');
    expect(typeof createProcessor({ store, providers: [old], handler }).track).toBe('function');
  });
});

describe('a body already parsed by a framework', () => {
  let backend: Server | undefined;
  afterEach(async () => {
    await new Promise<void>((resolve) =>
      backend === undefined ? resolve() : backend.close(() => resolve()),
    );
    backend = undefined;
  });

  it('express.json() before the route: answered 500 raw_body_unavailable, the error names express.json()', async () => {
    const idv = await createProvider(onfido.config({ clock }));
    const errors: unknown[] = [];
    const listener = toNodeListener(createWebhookHandler({ provider: idv, store }), {
      onError: (error) => errors.push(error),
    });
    // What express.json() leaves behind: the stream read, req.body an object.
    backend = createServer((req: IncomingMessage & { body?: unknown }, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        req.body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        listener(req, res);
      });
    });
    await new Promise<void>((resolve) => backend!.listen(0, '127.0.0.1', resolve));
    const { port } = backend.address() as AddressInfo;
    server.use(http.all(`http://127.0.0.1:${port}/*`, () => passthrough()));
    const answer = await fetch(`http://127.0.0.1:${port}/webhooks/onfido`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-sha2-signature': 'a'.repeat(64) },
      body: JSON.stringify({ payload: { resource_type: 'check', action: 'check.completed' } }),
    });
    expect(answer.status).toBe(500);
    expect(await answer.json()).toEqual({ error: 'raw_body_unavailable' });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(ConfigError);
    expect(String(errors[0])).toContain('express.json()');
    expect(String(errors[0])).toContain("express.raw({ type: '*/*' })");
  });
});
