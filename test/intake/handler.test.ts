import { ConfigError, StoreError, WebhookVerificationError } from 'idv-providers';
import { createTestClock } from 'idv-providers/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import { verificationStatus } from '../../src/intake/handler';
import {
  createMemoryStore,
  createProcessor,
  createWebhookHandler,
  type EventStore,
  type IntakeOutcome,
  type MemoryEventStore,
  type WebhookHandler,
} from '../../src/intake/index';
import {
  createFakeProvider,
  FAKE_SIGNATURE_HEADER,
  type FakeProvider,
  fakeDelivery,
  signFake,
} from './fixtures/fake-provider';

const SECRET = 'fake-webhook-secret-0123456789';
const URL_ = 'http://127.0.0.1/webhooks/fake';

function post(body: BodyInit | null, headers: Record<string, string>, init: RequestInit = {}) {
  return new Request(URL_, {
    method: 'POST',
    body,
    headers,
    duplex: 'half',
    ...init,
  } as RequestInit);
}

async function json(response: Response): Promise<unknown> {
  return JSON.parse(await response.text());
}

describe('createWebhookHandler', () => {
  let provider: FakeProvider;
  let store: MemoryEventStore;
  let nudges: number;
  let outcomes: IntakeOutcome[];
  let handler: WebhookHandler;
  const clock = createTestClock();

  beforeEach(() => {
    provider = createFakeProvider(SECRET);
    store = createMemoryStore();
    nudges = 0;
    outcomes = [];
    handler = createWebhookHandler({
      provider,
      store,
      clock,
      processor: {
        nudge: () => {
          nudges += 1;
        },
      },
      maxBodyBytes: 64 * 1024,
      onOutcome: (outcome) => outcomes.push(outcome),
    });
  });

  it('verifies, records and answers 200 at once, then nudges the processor', async () => {
    const delivery = fakeDelivery({ id: 'e1' }, SECRET);
    const response = await handler(post(delivery.body, delivery.headers));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    const body = (await json(response)) as { id: string };
    expect(body).toEqual({ received: true, duplicate: false, id: body.id });
    const stored = await store.get(body.id);
    expect(stored).toMatchObject({
      provider: 'fake',
      type: 'check.completed',
      dedupeKey: 'fake:check.completed:e1',
      session: { provider: 'fake', attemptId: 'chk-e1' },
      state: 'queued',
      receivedAt: clock.now(),
    });
    expect(nudges).toBe(1);
    expect(provider.calls.getResult).toBe(0);
    expect(outcomes.map((o) => [o.result, o.status])).toEqual([['recorded', 200]]);
  });

  it('answers a duplicate delivery 200 without storing it again; the host handler runs once', async () => {
    const delivery = fakeDelivery({ id: 'dup' }, SECRET);
    const first = await handler(post(delivery.body, delivery.headers));
    const second = await handler(post(delivery.body, delivery.headers));
    const a = (await json(first)) as { id: string; duplicate: boolean };
    const b = (await json(second)) as { id: string; duplicate: boolean };
    expect([first.status, second.status]).toEqual([200, 200]);
    expect([a.duplicate, b.duplicate]).toEqual([false, true]);
    expect(b.id).toBe(a.id);
    expect(nudges).toBe(1);
    expect(await store.counts()).toMatchObject({ queued: 1 });

    const handled: string[] = [];
    const processor = createProcessor({
      store,
      providers: provider,
      clock,
      handler: ({ eventId }) => void handled.push(eventId),
    });
    expect((await processor.drain()).completed).toBe(1);
    await handler(post(delivery.body, delivery.headers));
    expect((await processor.drain()).completed).toBe(0);
    expect(handled).toEqual([a.id]);
  });

  it('records a non-actionable event as skipped, without nudging or processing it', async () => {
    const delivery = fakeDelivery({ id: 'st', type: 'check.started', actionable: false }, SECRET);
    const response = await handler(post(delivery.body, delivery.headers));
    expect(response.status).toBe(200);
    expect(await store.counts()).toMatchObject({ queued: 0, skipped: 1 });
    expect(nudges).toBe(0);
  });

  it.each([
    ['a signature of another body', () => signFake('other body', SECRET), 'bad_signature'],
    [
      'a signature under another key',
      (body: string) => signFake(body, 'other-key'),
      'bad_signature',
    ],
    ['a signature that is not hex', () => 'not hex at all', 'bad_signature'],
    ['no signature', () => undefined, 'missing_signature'],
  ])('refuses %s with 401 and stores nothing', async (_name, sign, reason) => {
    const { body } = fakeDelivery({ id: 'forged' }, SECRET);
    const signature = sign(body);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (signature !== undefined) headers[FAKE_SIGNATURE_HEADER] = signature;
    const response = await handler(post(body, headers));
    expect(response.status).toBe(401);
    expect(await json(response)).toEqual({ error: reason });
    expect(await store.counts()).toEqual({
      queued: 0,
      processing: 0,
      done: 0,
      skipped: 0,
      dead: 0,
    });
    expect(nudges).toBe(0);
    expect(outcomes).toMatchObject([{ result: 'refused', status: 401, reason }]);
  });

  it('refuses a signed but malformed body with 400', async () => {
    const body = 'not json';
    const response = await handler(post(body, { [FAKE_SIGNATURE_HEADER]: signFake(body, SECRET) }));
    expect(response.status).toBe(400);
    expect(await json(response)).toEqual({ error: 'malformed_body' });
    expect((await store.counts()).queued).toBe(0);
  });

  it('refuses a sender outside the allowed addresses with 403', async () => {
    provider.behaviour.allowedSenders = ['203.0.113.7'];
    const delivery = fakeDelivery({ id: 'src' }, SECRET);
    const refused = await handler(post(delivery.body, delivery.headers), {
      remoteAddress: '198.51.100.1',
    });
    expect(refused.status).toBe(403);
    const allowed = await handler(post(delivery.body, delivery.headers), {
      remoteAddress: '203.0.113.7',
    });
    expect(allowed.status).toBe(200);
    expect(provider.calls.remoteAddresses).toEqual(['198.51.100.1', '203.0.113.7']);
  });

  it('maps verification reasons to statuses', () => {
    const status = (reason: string) =>
      verificationStatus(new WebhookVerificationError('m', { reason }));
    expect(
      ['missing_signature', 'malformed_signature', 'bad_signature', 'unknown_sender'].map(status),
    ).toEqual([401, 401, 401, 403]);
    expect(['malformed_body', 'unexpected_event', 'anything_else'].map(status)).toEqual([
      400, 400, 400,
    ]);
  });

  it('answers 405 with Allow: POST to other methods', async () => {
    const response = await handler(new Request(URL_, { method: 'GET' }));
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
    expect(provider.calls.verifyWebhook).toBe(0);
  });

  it('refuses a Content-Length over the limit with 413 before reading any of the body', async () => {
    let pulls = 0;
    const body = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          pulls += 1;
          controller.enqueue(new Uint8Array(1024));
        },
      },
      { highWaterMark: 0 },
    );
    const response = await handler(
      post(body, { 'content-length': String(64 * 1024 + 1), [FAKE_SIGNATURE_HEADER]: 'aa' }),
    );
    expect(response.status).toBe(413);
    expect(await json(response)).toEqual({ error: 'payload_too_large' });
    expect(pulls).toBe(0);
    expect(provider.calls.verifyWebhook).toBe(0);
    expect((await store.counts()).queued).toBe(0);
  });

  it('cuts off a body without Content-Length at the limit with 413 (an endless body ends)', async () => {
    let sent = 0;
    let cancelled = false;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        sent += 16 * 1024;
        controller.enqueue(new Uint8Array(16 * 1024));
      },
      cancel() {
        cancelled = true;
      },
    });
    const response = await handler(post(endless, { [FAKE_SIGNATURE_HEADER]: 'aa' }));
    expect(response.status).toBe(413);
    expect(cancelled).toBe(true);
    expect(sent).toBeLessThanOrEqual(64 * 1024 + 3 * 16 * 1024);
    expect(provider.calls.verifyWebhook).toBe(0);
  });

  it('accepts a streamed body within the limit', async () => {
    const delivery = fakeDelivery({ id: 'streamed' }, SECRET);
    const bytes = new TextEncoder().encode(delivery.body);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes.slice(0, 5));
        controller.enqueue(bytes.slice(5));
        controller.close();
      },
    });
    const response = await handler(post(stream, delivery.headers));
    expect(response.status).toBe(200);
  });

  it('refuses a Content-Length that is not a number with 400', async () => {
    const answer = await handler.receive({
      method: 'POST',
      headers: { 'content-length': '12abc' },
      readBody: () => Promise.reject(new Error('must not be read')),
    });
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ error: 'invalid_content_length' });
  });

  it('answers 503 without any secret when the store fails, so the provider retries', async () => {
    const failing: EventStore = {
      ...store,
      insertIfAbsent: () =>
        Promise.reject(new StoreError(`[idv] [store] password=${SECRET} rejected`)),
    };
    const guarded = createWebhookHandler({
      provider,
      store: failing,
      onOutcome: (o) => outcomes.push(o),
    });
    const delivery = fakeDelivery({ id: 'down' }, SECRET);
    const response = await guarded(post(delivery.body, delivery.headers));
    expect(response.status).toBe(503);
    const text = await response.text();
    expect(text).toBe('{"error":"store_unavailable"}');
    expect(text).not.toContain(SECRET);
    expect(response.headers.get('retry-after')).toBe('5');
    expect(outcomes.at(-1)).toMatchObject({ result: 'failed', status: 503 });
    expect((await store.counts()).queued).toBe(0);
  });

  it('answers 500 when the provider throws something other than a verification error', async () => {
    provider.verifyWebhook = () => Promise.reject(new TypeError('bug'));
    const delivery = fakeDelivery({ id: 'bug' }, SECRET);
    const response = await handler(post(delivery.body, delivery.headers));
    expect(response.status).toBe(500);
    expect(await json(response)).toEqual({ error: 'internal_error' });
  });

  it('is not disturbed by an observer that throws', async () => {
    const noisy = createWebhookHandler({
      provider,
      store,
      onOutcome: () => {
        throw new Error('observer bug');
      },
    });
    const delivery = fakeDelivery({ id: 'noisy' }, SECRET);
    expect((await noisy(post(delivery.body, delivery.headers))).status).toBe(200);
  });

  it('refuses a non-positive body limit', () => {
    expect(() => createWebhookHandler({ provider, store, maxBodyBytes: 0 })).toThrow(ConfigError);
  });
});
