/**
 * The intake refuses a body over its limit before reading it whole, with the
 * real Onfido adapter behind it. A declared `Content-Length` over the limit is
 * answered 413 with the body never read (not one pull of the stream, not one
 * byte off the socket) and the provider never asked; a body without a length,
 * or longer than it said, is cut off just past the limit and its stream
 * cancelled; a body of exactly the limit is accepted. Shown for the
 * Web-standard handler and for the node:http adapter on a real socket.
 */
import { once } from 'node:events';
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createMemoryStore,
  createWebhookHandler,
  type IdentityVerificationProvider,
  type MemoryEventStore,
  toNodeListener,
  type WebhookHandler,
} from 'idv-providers';
import { onfido, signOnfidoWebhook } from 'idv-providers/onfido';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const LIMIT = 64 * 1024;
const CHUNK = 8 * 1024;
const TOKEN = 'intake-limit-webhook-token-6e1d';
const adapter = onfido({
  apiToken: 'api_sandbox.intake-limits',
  webhookToken: TOKEN,
  verificationSiteUrl: 'https://verify.example.com/',
});

let verifications: number;
let store: MemoryEventStore;
let handler: WebhookHandler;

beforeEach(() => {
  verifications = 0;
  store = createMemoryStore();
  const counted: IdentityVerificationProvider = {
    ...adapter,
    verifyWebhook: (request) => {
      verifications += 1;
      return adapter.verifyWebhook(request);
    },
  };
  handler = createWebhookHandler({ provider: counted, store, maxBodyBytes: LIMIT });
});

/** A signed `check.completed` body of exactly `size` bytes (JSON padded with spaces). */
function signedBodyOf(size: number): { body: string; signature: string } {
  const json = JSON.stringify({
    payload: { resource_type: 'check', action: 'check.completed', object: { id: 'check-1' } },
  });
  const body = json + ' '.repeat(size - json.length);
  return { body, signature: signOnfidoWebhook(body, TOKEN) };
}

/** A body stream that counts what was pulled from it, never filling ahead of the reader. */
function countingStream(chunks: number | 'endless', chunkSize = CHUNK) {
  const seen = { pulls: 0, bytes: 0, cancelled: false };
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (chunks !== 'endless' && seen.pulls >= chunks) {
          controller.close();
          return;
        }
        seen.pulls += 1;
        seen.bytes += chunkSize;
        controller.enqueue(new Uint8Array(chunkSize).fill(0x20));
      },
      cancel() {
        seen.cancelled = true;
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, seen };
}

function post(body: BodyInit, headers: Record<string, string>): Request {
  return new Request('http://127.0.0.1/webhooks/onfido', {
    method: 'POST',
    body,
    headers,
    duplex: 'half',
  } as RequestInit);
}

async function nothingStored(): Promise<void> {
  expect(Object.values(await store.counts()).reduce((a, b) => a + b, 0)).toBe(0);
  expect(verifications).toBe(0);
}

describe('Web handler', () => {
  it.each([LIMIT + 1, 10 * LIMIT, 2 ** 40])(
    'answers a declared Content-Length of %i with 413 without pulling the body once',
    async (length) => {
      const { stream, seen } = countingStream('endless');
      const response = await handler(
        post(stream, { 'content-length': String(length), 'x-sha2-signature': 'aa' }),
      );
      expect(response.status).toBe(413);
      expect(await response.json()).toEqual({ error: 'payload_too_large' });
      expect(seen.pulls).toBe(0);
      expect(seen.bytes).toBe(0);
      expect(seen.cancelled).toBe(true);
      await nothingStored();
    },
  );

  it('cuts off a body without Content-Length just past the limit, and cancels it', async () => {
    const { stream, seen } = countingStream('endless');
    const response = await handler(post(stream, { 'x-sha2-signature': 'aa' }));
    expect(response.status).toBe(413);
    expect(seen.bytes).toBeGreaterThan(LIMIT);
    expect(seen.bytes).toBeLessThanOrEqual(LIMIT + CHUNK);
    expect(seen.cancelled).toBe(true);
    await nothingStored();
  });

  it('cuts off a body longer than its declared Content-Length at the limit', async () => {
    const { stream, seen } = countingStream('endless');
    const response = await handler(
      post(stream, { 'content-length': '100', 'x-sha2-signature': 'aa' }),
    );
    expect(response.status).toBe(413);
    expect(seen.bytes).toBeLessThanOrEqual(LIMIT + CHUNK);
    expect(seen.cancelled).toBe(true);
    await nothingStored();
  });

  it('accepts a signed body of exactly the limit, and refuses one byte more', async () => {
    const exact = signedBodyOf(LIMIT);
    expect(Buffer.byteLength(exact.body)).toBe(LIMIT);
    const accepted = await handler(post(exact.body, { 'x-sha2-signature': exact.signature }));
    expect(accepted.status).toBe(200);
    expect(verifications).toBe(1);

    const over = signedBodyOf(LIMIT + 1);
    const refused = await handler(post(over.body, { 'x-sha2-signature': over.signature }));
    expect(refused.status).toBe(413);
    expect(verifications).toBe(1);
  });
});

describe('node:http adapter, on a real socket', () => {
  let server: Server;
  let port: number;
  let read: number;

  beforeEach(async () => {
    read = 0;
    const listener = toNodeListener(handler);
    server = createServer((req: IncomingMessage, res) => {
      // Counts what the application reads off the socket; the adapter reads in the same tick.
      req.on('data', (chunk: Buffer) => {
        read += chunk.length;
      });
      listener(req, res);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;
  });

  afterEach(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  /** Sends headers, then `write` feeds the body until the answer arrives; resolves with the answer. */
  function send(
    headers: Record<string, string>,
    write: (req: ReturnType<typeof httpRequest>, answered: () => boolean) => void,
  ): Promise<{ status: number; connection: string | undefined; body: string }> {
    return new Promise((resolve, reject) => {
      let done = false;
      const req = httpRequest({ port, host: '127.0.0.1', method: 'POST', path: '/', headers });
      req.on('response', (res) => {
        done = true;
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (text: string) => {
          body += text;
        });
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, body });
          req.destroy();
        });
      });
      req.on('error', (error) => {
        if (!done) reject(error);
      });
      req.flushHeaders();
      write(req, () => done);
    });
  }

  it('answers a declared Content-Length over the limit with 413 while the body is still unsent', async () => {
    const answer = await send(
      { 'content-length': String(100 * LIMIT), 'x-sha2-signature': 'aa' },
      () => {
        // The body is never sent: an intake that waited for it would never answer.
      },
    );
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toEqual({ error: 'payload_too_large' });
    expect(answer.connection).toBe('close');
    expect(read).toBe(0);
    await nothingStored();
  });

  it('cuts off an endless chunked body just past the limit and closes the connection', async () => {
    const answer = await send(
      { 'transfer-encoding': 'chunked', 'x-sha2-signature': 'aa' },
      (req, answered) => {
        const chunk = Buffer.alloc(CHUNK, 0x20);
        const pump = () => {
          while (!answered() && !req.destroyed && req.write(chunk)) {
            // keep writing until the socket pushes back
          }
          if (!answered() && !req.destroyed) req.once('drain', pump);
        };
        pump();
      },
    );
    expect(answer.status).toBe(413);
    expect(answer.connection).toBe('close');
    expect(read).toBeGreaterThan(LIMIT);
    // Node hands over socket reads of up to 64 KiB at a time.
    expect(read).toBeLessThanOrEqual(LIMIT + 64 * 1024);
    await nothingStored();
  });

  it('accepts a signed body of exactly the limit (the control)', async () => {
    const exact = signedBodyOf(LIMIT);
    const answer = await send(
      { 'content-length': String(LIMIT), 'x-sha2-signature': exact.signature },
      (req) => {
        req.end(exact.body);
      },
    );
    expect(answer.status).toBe(200);
    expect(read).toBe(LIMIT);
    expect(verifications).toBe(1);
  });
});
