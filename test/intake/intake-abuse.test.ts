/**
 * The intake against abuse, over real HTTP on 127.0.0.1 where a socket
 * matters: forwarded-for chains believed only from trusted proxies (and
 * X-Real-IP never), a per-sender limit for unsigned callbacks, callbacks for
 * one session merged while queued, stale events ignored, slow bodies cut off,
 * slow senders unable to hold every connection, and header values that are not
 * strings refused as such.
 */
import { once } from 'node:events';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError, type IdentityVerificationProvider } from 'idv-providers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createMemoryStore,
  createWebhookHandler,
  type MemoryEventStore,
  type NodeListenerOptions,
  toNodeListener,
  type WebhookHandlerOptions,
} from '../../src/intake/index';
import { createFakeProvider, type FakeProvider, fakeDelivery } from './fixtures/fake-provider';
import { send } from './http-client';

const SECRET = 'intake-abuse-secret-0123456';

let provider: FakeProvider;
let store: MemoryEventStore;
let server: Server | undefined;

beforeEach(() => {
  provider = createFakeProvider(SECRET);
  store = createMemoryStore();
});
afterEach(async () => {
  if (server !== undefined) {
    server.closeAllConnections();
    server.close();
    await once(server, 'close');
    server = undefined;
  }
});

/** The fake provider as an unsigned one (like Jumio): its events are not signed by the provider. */
function unsigned(fake: FakeProvider): IdentityVerificationProvider {
  return { ...fake, capabilities: { ...fake.capabilities, signedWebhooks: false } };
}

async function serve(
  handlerOptions: Partial<WebhookHandlerOptions> = {},
  listenerOptions: NodeListenerOptions = {},
): Promise<number> {
  const handler = createWebhookHandler({ provider, store, ...handlerOptions });
  server = createServer(toNodeListener(handler, listenerOptions));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

describe('the sender behind proxies', () => {
  it('a forwarded-for chain is believed only from a trusted proxy: the rightmost hop that is not one', async () => {
    const port = await serve({}, { trustProxy: ['127.0.0.1', '10.0.0.0/8'] });
    const cases: Array<[string | undefined, string]> = [
      [undefined, '127.0.0.1'],
      ['203.0.113.9', '203.0.113.9'],
      ['34.202.241.227, 203.0.113.9', '203.0.113.9'],
      ['1.1.1.1, 34.202.241.227, 10.1.2.3', '34.202.241.227'],
      ['10.9.9.9, 10.1.2.3', '10.9.9.9'],
      ['::ffff:34.202.241.227', '34.202.241.227'],
      ['[2001:db8::1]:443', '2001:db8::1'],
      // A hop that has to be read but is not an address: no sender can be vouched for.
      ['34.202.241.227, not-an-address', 'none'],
    ];
    for (const [i, [forwarded, expected]] of cases.entries()) {
      const { body, headers } = fakeDelivery({ id: `xff-${i}` }, SECRET);
      const before = provider.calls.remoteAddresses.length;
      const answer = await send({
        port,
        headers: {
          ...headers,
          ...(forwarded === undefined ? {} : { 'x-forwarded-for': forwarded }),
        },
        body,
      });
      expect(answer.status).toBe(200);
      const seen = provider.calls.remoteAddresses.slice(before);
      expect(seen).toEqual(expected === 'none' ? [] : [expected]);
    }
  });

  it('a client that reaches the port directly cannot choose its address with X-Forwarded-For or X-Real-IP', async () => {
    const port = await serve();
    const { body, headers } = fakeDelivery({ id: 'spoof' }, SECRET);
    await send({
      port,
      headers: { ...headers, 'x-forwarded-for': '34.202.241.227', 'x-real-ip': '34.202.241.227' },
      body,
    });
    expect(provider.calls.remoteAddresses).toEqual(['127.0.0.1']);
    // Behind a trusted proxy, X-Real-IP is still never read.
    const proxied = await serve({ trustProxy: ['loopback'] });
    const second = fakeDelivery({ id: 'real-ip' }, SECRET);
    await send({
      port: proxied,
      headers: { ...second.headers, 'x-real-ip': '34.202.241.227' },
      body: second.body,
    });
    expect(provider.calls.remoteAddresses).toEqual(['127.0.0.1', '127.0.0.1']);
  });

  it('the Web handler takes the same setting, and refuses a malformed trustProxy list', async () => {
    const handler = createWebhookHandler({ provider, store, trustProxy: ['192.168.0.0/16'] });
    const { body, headers } = fakeDelivery({ id: 'web' }, SECRET);
    await handler(
      new Request('http://x/hook', {
        method: 'POST',
        body,
        headers: { ...headers, 'x-forwarded-for': '198.51.100.4, 192.168.1.20' },
      }),
      { remoteAddress: '192.168.1.1' },
    );
    expect(provider.calls.remoteAddresses).toEqual(['198.51.100.4']);
    expect(() => createWebhookHandler({ provider, store, trustProxy: ['10.0.0.0/33'] })).toThrow(
      ConfigError,
    );
    expect(() => createWebhookHandler({ provider, store, trustProxy: ['nginx'] })).toThrow(
      /"nginx" is not an IP address, a CIDR range/,
    );
  });
});

describe('unsigned callbacks cost almost nothing until proven', () => {
  it('a sender past its limit is answered 429 with Retry-After; other senders are not', async () => {
    const handler = createWebhookHandler({ provider: unsigned(provider), store });
    const post = (id: string, remoteAddress: string) => {
      const { body, headers } = fakeDelivery({ id }, SECRET);
      return handler(new Request('http://x/cb', { method: 'POST', body, headers }), {
        remoteAddress,
      });
    };
    const statuses: number[] = [];
    for (let i = 0; i < 130; i++) statuses.push((await post(`flood-${i}`, '198.51.100.7')).status);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(100);
    expect(statuses.filter((s) => s === 200).length).toBeLessThanOrEqual(102);
    const limited = await post('flood-last', '198.51.100.7');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await limited.json()).toEqual({ error: 'rate_limited' });
    expect((await post('real', '34.202.241.227')).status).toBe(200);
    expect((await store.counts()).queued).toBeLessThanOrEqual(103);
  });

  it('signed providers get no sender limit by default; senderLimit: false turns it off', async () => {
    for (const [p, options] of [
      [provider, {}],
      [unsigned(provider), { senderLimit: false as const }],
    ] as const) {
      const handler = createWebhookHandler({ provider: p, store: createMemoryStore(), ...options });
      for (let i = 0; i < 150; i++) {
        const { body, headers } = fakeDelivery({ id: `n-${i}` }, SECRET);
        const answer = await handler(
          new Request('http://x/cb', { method: 'POST', body, headers }),
          {
            remoteAddress: '198.51.100.7',
          },
        );
        expect(answer.status).toBe(200);
      }
    }
  });

  it('300 callbacks for one session while it is queued become one event', async () => {
    const handler = createWebhookHandler({ provider, store });
    for (let i = 0; i < 300; i++) {
      const { body, headers } = fakeDelivery(
        { id: `burst-${i}`, type: `STATUS_${i}`, attemptId: 'exec-1', subjectId: 'acct-1' },
        SECRET,
      );
      const answer = await handler(new Request('http://x/cb', { method: 'POST', body, headers }));
      const json = (await answer.json()) as { coalesced?: boolean };
      expect(answer.status).toBe(200);
      expect(json.coalesced ?? false).toBe(i > 0);
    }
    expect(await store.counts()).toMatchObject({ queued: 1 });
  });

  it('an event older than maxEventAgeMs is answered 200 and not recorded', async () => {
    const { body, headers } = fakeDelivery({ id: 'old' }, SECRET);
    const stale: IdentityVerificationProvider = {
      ...provider,
      verifyWebhook: async (incoming) => ({
        ...(await provider.verifyWebhook(incoming)),
        occurredAt: '2020-01-01T00:00:00Z',
      }),
    };
    const handler = createWebhookHandler({
      provider: stale,
      store,
      maxEventAgeMs: 30 * 86_400_000,
    });
    const answer = await handler(new Request('http://x/hook', { method: 'POST', body, headers }));
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ received: true, stale: true });
    expect(Object.values(await store.counts()).reduce((a, b) => a + b, 0)).toBe(0);
  });
});

describe('slow senders', () => {
  /** Sends headers, then one byte every `everyMs`; resolves with the status, or 0 if the socket closed first. */
  function dribble(
    port: number,
    everyMs: number,
  ): Promise<{ status: number; closedAfterMs: number }> {
    const started = Date.now();
    return new Promise((resolve) => {
      const req = request({
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/cb',
        headers: { 'content-type': 'application/json', 'content-length': '1000' },
        agent: false,
      });
      let status = 0;
      const timer = setInterval(() => {
        if (!req.destroyed) req.write('x');
      }, everyMs);
      req.on('response', (res) => {
        status = res.statusCode ?? 0;
        res.resume();
      });
      req.on('close', () => {
        clearInterval(timer);
        resolve({ status, closedAfterMs: Date.now() - started });
      });
      req.on('error', () => {});
      req.flushHeaders();
    });
  }

  it('a body of one byte every 200 ms is answered 408 at bodyTimeoutMs and its connection closed', async () => {
    const port = await serve({}, { bodyTimeoutMs: 800 });
    const { status, closedAfterMs } = await dribble(port, 200);
    expect(status).toBe(408);
    expect(closedAfterMs).toBeGreaterThanOrEqual(700);
    expect(closedAfterMs).toBeLessThan(3000);
    expect(Object.values(await store.counts()).reduce((a, b) => a + b, 0)).toBe(0);
  });

  it('slow senders cannot hold every connection: past maxConcurrentBodies, new requests get 503 at once', async () => {
    const port = await serve({}, { bodyTimeoutMs: 1500, maxConcurrentBodies: 2 });
    const slow = [dribble(port, 300), dribble(port, 300)];
    await new Promise((resolve) => setTimeout(resolve, 200));
    const { body, headers } = fakeDelivery({ id: 'while-held' }, SECRET);
    const started = Date.now();
    const refused = await send({ port, headers, body });
    expect(refused.status).toBe(503);
    expect(Date.now() - started).toBeLessThan(500);
    expect(JSON.parse(refused.body)).toEqual({ error: 'too_many_pending_bodies' });
    expect((await Promise.all(slow)).map((s) => s.status)).toEqual([408, 408]);
    const after = fakeDelivery({ id: 'after' }, SECRET);
    expect((await send({ port, headers: after.headers, body: after.body })).status).toBe(200);
  });

  it('the Web handler gives up on a body that does not arrive within bodyTimeoutMs (408)', async () => {
    const handler = createWebhookHandler({ provider, store, bodyTimeoutMs: 300 });
    let cancelled = false;
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{'));
      },
      cancel() {
        cancelled = true;
      },
    });
    const started = Date.now();
    const answer = await handler(
      new Request('http://x/hook', { method: 'POST', body: stream, duplex: 'half' } as RequestInit),
    );
    expect(answer.status).toBe(408);
    expect(await answer.json()).toEqual({ error: 'body_timeout' });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(cancelled).toBe(true);
  });
});

describe('header values that are not strings', () => {
  it.each([
    ['a number', 42],
    ['an object', { length: 5 }],
    ['an array of a number', [42]],
    ['a boolean', true],
    ['null inside an array', [null]],
  ])('a Content-Length that is %s is refused with 400, not a 500', async (_name, value) => {
    const handler = createWebhookHandler({ provider, store });
    const { body, headers } = fakeDelivery({ id: 'typed' }, SECRET);
    const answer = await handler.receive({
      method: 'POST',
      headers: { ...headers, 'content-length': value } as never,
      readBody: async () => ({ ok: true, bytes: Buffer.from(body) }),
    });
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ error: 'invalid_content_length' });
  });

  it('an X-Forwarded-For that is not a string names no forwarded client', async () => {
    const handler = createWebhookHandler({ provider, store, trustProxy: ['loopback'] });
    const { body, headers } = fakeDelivery({ id: 'xff-typed' }, SECRET);
    const answer = await handler.receive({
      method: 'POST',
      headers: { ...headers, 'x-forwarded-for': [34, 202] } as never,
      remoteAddress: '127.0.0.1',
      readBody: async () => ({ ok: true, bytes: Buffer.from(body) }),
    });
    expect(answer.status).toBe(200);
    expect(provider.calls.remoteAddresses).toEqual(['127.0.0.1']);
  });
});
