import { once } from 'node:events';
import { createServer, type IncomingMessage, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError } from 'idv-providers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createMemoryStore,
  createWebhookHandler,
  type MemoryEventStore,
  type NodeListenerOptions,
  toNodeListener,
} from '../../src/intake/index';
import { createFakeProvider, type FakeProvider, fakeDelivery } from './fixtures/fake-provider';
import { send } from './http-client';

const SECRET = 'node-adapter-secret-abcdef';
const LIMIT = 64 * 1024;

async function listen(listener: RequestListener): Promise<{ server: Server; port: number }> {
  const server = createServer(listener);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, port: (server.address() as AddressInfo).port };
}

function collect(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

describe('toNodeListener over a real local server', () => {
  let provider: FakeProvider;
  let store: MemoryEventStore;
  let server: Server;
  let port: number;
  let errors: unknown[];

  const start = async (
    options: NodeListenerOptions = {},
    wrap?: (listener: RequestListener) => RequestListener,
  ) => {
    const handler = createWebhookHandler({ provider, store, maxBodyBytes: LIMIT });
    const listener = toNodeListener(handler, { onError: (e) => errors.push(e), ...options });
    ({ server, port } = await listen(wrap === undefined ? listener : wrap(listener)));
  };

  beforeEach(() => {
    provider = createFakeProvider(SECRET);
    store = createMemoryStore();
    errors = [];
  });
  afterEach(async () => {
    server.closeAllConnections();
    server.close();
    await once(server, 'close');
  });

  it('records a signed webhook, answers 200 and passes the socket address', async () => {
    await start();
    const { body, headers } = fakeDelivery({ id: 'n1' }, SECRET);
    const answer = await send({ port, headers, body });
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('application/json');
    const parsed = JSON.parse(answer.body) as { id: string; duplicate: boolean };
    expect(parsed.duplicate).toBe(false);
    expect((await store.get(parsed.id))?.dedupeKey).toBe('fake:check.completed:n1');
    expect(provider.calls.remoteAddresses).toEqual(['127.0.0.1']);
  });

  it('stores one event for two concurrent deliveries of it', async () => {
    await start();
    const { body, headers } = fakeDelivery({ id: 'twice' }, SECRET);
    const answers = await Promise.all([
      send({ port, headers, body }),
      send({ port, headers, body }),
    ]);
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    const flags = answers.map((a) => (JSON.parse(a.body) as { duplicate: boolean }).duplicate);
    expect(flags.sort()).toEqual([false, true]);
    expect((await store.counts()).queued).toBe(1);
  });

  it('answers 413 to a declared Content-Length over the limit without waiting for the body', async () => {
    await start();
    const answer = await send({
      port,
      headers: { 'content-length': String(2 * 1024 * 1024), 'x-fake-signature': 'aa' },
      body: () => {
        // Never send the body: a reader that waited for it would hang here.
      },
    });
    expect(answer.status).toBe(413);
    expect(answer.headers['connection']).toBe('close');
    expect(JSON.parse(answer.body)).toEqual({ error: 'payload_too_large' });
    expect(provider.calls.verifyWebhook).toBe(0);
  });

  it('cuts off a chunked body at the limit with 413, long before the sender is done', async () => {
    await start();
    const total = 8 * 1024 * 1024;
    let sent = 0;
    let answered = false;
    const answer = await send({
      port,
      headers: { 'transfer-encoding': 'chunked', 'x-fake-signature': 'aa' },
      body: (write, end) => {
        const chunk = Buffer.alloc(16 * 1024, 0x61);
        const pump = () => {
          while (!answered && sent < total) {
            sent += chunk.length;
            if (!write(chunk)) {
              setTimeout(pump, 1);
              return;
            }
          }
          if (!answered) end();
        };
        pump();
      },
    }).finally(() => {
      answered = true;
    });
    expect(answer.status).toBe(413);
    expect(sent).toBeLessThan(total);
    expect(provider.calls.verifyWebhook).toBe(0);
    expect((await store.counts()).queued).toBe(0);
  });

  it('refuses a forged webhook with 401 and a GET with 405', async () => {
    await start();
    const { body } = fakeDelivery({ id: 'forged' }, SECRET);
    const forged = await send({ port, headers: { 'x-fake-signature': '00'.repeat(32) }, body });
    expect(forged.status).toBe(401);
    expect(JSON.parse(forged.body)).toEqual({ error: 'bad_signature' });
    const get = await send({ port, method: 'GET' });
    expect(get.status).toBe(405);
    expect(get.headers['allow']).toBe('POST');
    expect((await store.counts()).queued).toBe(0);
  });

  it('takes the sender address from the remoteAddress option', async () => {
    await start({ remoteAddress: (req) => String(req.headers['x-forwarded-for']) });
    const { body, headers } = fakeDelivery({ id: 'proxied' }, SECRET);
    await send({ port, headers: { ...headers, 'x-forwarded-for': '203.0.113.9' }, body });
    expect(provider.calls.remoteAddresses).toEqual(['203.0.113.9']);
  });

  it('uses a raw body an Express-style parser left in req.body', async () => {
    await start({}, (listener) => async (req, res) => {
      (req as IncomingMessage & { body?: unknown }).body = await collect(req);
      listener(req, res);
    });
    const { body, headers } = fakeDelivery({ id: 'raw' }, SECRET);
    expect((await send({ port, headers, body })).status).toBe(200);
    expect((await store.counts()).queued).toBe(1);
  });

  it('answers 500 raw_body_unavailable when a parser already turned the body into an object', async () => {
    await start({}, (listener) => async (req, res) => {
      (req as IncomingMessage & { body?: unknown }).body = JSON.parse(
        (await collect(req)).toString(),
      );
      listener(req, res);
    });
    const { body, headers } = fakeDelivery({ id: 'parsed' }, SECRET);
    const answer = await send({ port, headers, body });
    expect(answer.status).toBe(500);
    expect(JSON.parse(answer.body)).toEqual({ error: 'raw_body_unavailable' });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(ConfigError);
    expect(provider.calls.verifyWebhook).toBe(0);
  });
});
