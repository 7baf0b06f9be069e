import { text } from 'node:stream/consumers';
import { NotFoundError, ProviderApiError } from 'idv-providers';
import { backoffDelay } from 'idv-providers/kit';
import { createTestClock, type TestClock } from 'idv-providers/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createMemoryStore,
  createProcessor,
  createWebhookHandler,
  type EventStore,
  type ProcessorOptions,
  type ResultDelivery,
} from '../../src/intake/index';
import {
  clearResult,
  createFakeProvider,
  type FakeProvider,
  fakeDelivery,
  pendingResult,
} from './fixtures/fake-provider';
import { tempSqliteStore } from './helpers';

const SECRET = 'processor-secret-0123456789';

const stores: Array<[string, () => Promise<{ store: EventStore; cleanup: () => Promise<void> }>]> =
  [
    ['memory', async () => ({ store: createMemoryStore(), cleanup: async () => {} })],
    ['sqlite', () => tempSqliteStore()],
  ];

describe.each(stores)('processor on the %s store', (_name, open) => {
  let store: EventStore;
  let cleanup: () => Promise<void>;
  let provider: FakeProvider;
  let clock: TestClock;
  let deliveries: ResultDelivery[];

  beforeEach(async () => {
    ({ store, cleanup } = await open());
    provider = createFakeProvider(SECRET);
    clock = createTestClock();
    deliveries = [];
  });
  afterEach(async () => {
    await cleanup();
  });

  const receive = async (id: string) => {
    const handler = createWebhookHandler({ provider, store, clock });
    const { body, headers } = fakeDelivery({ id }, SECRET);
    const response = await handler(
      new Request('http://127.0.0.1/hook', { method: 'POST', body, headers }),
    );
    expect(response.status).toBe(200);
    return ((await response.json()) as { id: string }).id;
  };

  const processor = (options: Partial<ProcessorOptions> = {}) =>
    createProcessor({
      store,
      providers: [provider],
      clock,
      handler: async (delivery) => {
        deliveries.push(delivery);
      },
      ...options,
    });

  it('fetches the result, streams the documents to the handler, and marks the event done', async () => {
    const id = await receive('ok');
    const contents: string[] = [];
    const summary = await processor({
      handler: async (delivery) => {
        deliveries.push(delivery);
        for (const doc of delivery.documents) contents.push(await text(doc.body));
      },
    }).drain();
    expect(summary).toEqual({
      completed: 1,
      rejected: 0,
      retried: 0,
      deferred: 0,
      deadLettered: 0,
    });
    expect(deliveries).toHaveLength(1);
    const [delivery] = deliveries;
    expect(delivery?.eventId).toBe(id);
    expect(delivery?.attempt).toBe(1);
    expect(delivery?.event.dedupeKey).toBe('fake:check.completed:ok');
    expect(delivery?.result).toMatchObject({ status: 'registered', reason: 'CLEAR' });
    expect(delivery?.documents.map((d) => [d.document.kind, d.contentType])).toEqual([
      ['document', 'image/jpeg'],
      ['selfie', 'image/png'],
    ]);
    expect(contents).toEqual(['bytes of chk-ok-front', 'bytes of chk-ok-selfie']);
    expect(await store.get(id)).toMatchObject({ state: 'done', finishedAt: clock.now() });
  });

  it('destroys document streams the handler left unread', async () => {
    await receive('unread');
    await processor().drain();
    expect(deliveries[0]?.documents.map((d) => d.body.destroyed)).toEqual([true, true]);
  });

  it('passes no documents when downloads are off, or when the provider has none stored', async () => {
    await receive('off');
    await processor({ downloadDocuments: false }).drain();
    expect(deliveries[0]?.documents).toEqual([]);
    expect(provider.calls.downloads).toEqual([]);
    provider.behaviour.listDocuments = () =>
      Promise.reject(new NotFoundError('[idv] [fake] gone', { provider: 'fake' }));
    await receive('gone');
    expect((await processor().drain()).completed).toBe(1);
    expect(deliveries[1]?.documents).toEqual([]);
  });

  it('retries a pending result after the pending backoff without using up attempts', async () => {
    const id = await receive('slow');
    let calls = 0;
    provider.behaviour.getResult = async (session) => {
      calls += 1;
      return calls <= 2 ? pendingResult(session) : clearResult(session);
    };
    const p = processor({ maxAttempts: 1, pendingBackoff: { baseMs: 1000, capMs: 60_000 } });
    expect(await p.drain()).toMatchObject({ deferred: 1, completed: 0 });
    const first = await store.get(id);
    expect(first).toMatchObject({ state: 'queued', attempts: 0, pendingChecks: 1 });
    expect(first?.nextAttemptAt).toBe(clock.now() + backoffDelay(0, () => 0.5, { baseMs: 1000 }));
    expect(await p.drain()).toMatchObject({ deferred: 0, completed: 0 });
    clock.advance(750);
    expect(await p.drain()).toMatchObject({ deferred: 1 });
    expect((await store.get(id))?.nextAttemptAt).toBe(clock.now() + 1500);
    clock.advance(1500);
    expect(await p.drain()).toMatchObject({ completed: 1 });
    expect(deliveries.map((d) => [d.attempt, d.result.status])).toEqual([[1, 'registered']]);
  });

  it('dead-letters a result still pending after maxPendingChecks', async () => {
    const id = await receive('forever');
    provider.behaviour.getResult = async (session) => pendingResult(session);
    const p = processor({ maxPendingChecks: 2, pendingBackoff: { baseMs: 10, capMs: 10 } });
    await p.drain();
    clock.advance(10);
    expect(await p.drain()).toMatchObject({ deadLettered: 1 });
    const [dead] = await p.listDeadLetters();
    expect(dead?.id).toBe(id);
    expect(dead?.lastError).toBe('the result was still pending after 2 checks');
  });

  it('retries failures with exponential backoff, dead-letters after maxAttempts, and re-drives', async () => {
    const id = await receive('flaky');
    let failing = true;
    provider.behaviour.getResult = async (session) => {
      if (failing) {
        throw new ProviderApiError('[idv] [fake] GET /checks/x answered 502', {
          provider: 'fake',
          status: 502,
        });
      }
      return clearResult(session);
    };
    const errors: unknown[] = [];
    const p = processor({
      maxAttempts: 3,
      backoff: { baseMs: 100, capMs: 10_000 },
      onError: (error) => errors.push(error),
    });
    const waits: number[] = [];
    for (let attempt = 1; attempt <= 3; attempt++) {
      const summary = await p.drain();
      const stored = await store.get(id);
      expect(stored?.attempts).toBe(attempt);
      if (attempt < 3) {
        expect(summary).toMatchObject({ retried: 1 });
        waits.push((stored?.nextAttemptAt ?? 0) - clock.now());
        clock.advance(waits.at(-1)!);
      } else {
        expect(summary).toMatchObject({ deadLettered: 1 });
      }
    }
    expect(waits).toEqual([75, 150]);
    expect(errors).toHaveLength(3);
    expect(deliveries).toEqual([]);
    const dead = await p.listDeadLetters();
    expect(dead.map((e) => [e.id, e.state, e.attempts, e.lastError])).toEqual([
      [id, 'dead', 3, '[idv] [fake] GET /checks/x answered 502'],
    ]);
    clock.advance(1_000_000);
    expect(await p.drain()).toMatchObject({ completed: 0, retried: 0 });

    failing = false;
    expect(await p.redrive(id)).toBe(true);
    expect(await p.redrive(id)).toBe(false);
    expect(await p.drain()).toMatchObject({ completed: 1 });
    expect(deliveries.map((d) => [d.eventId, d.attempt])).toEqual([[id, 1]]);
    expect(await p.counts()).toMatchObject({ done: 1, dead: 0 });
  });

  it('keeps only name and message of an error that is not an IdvError', async () => {
    const id = await receive('host-bug');
    const p = processor({
      maxAttempts: 1,
      handler: async () => {
        const error = new TypeError('cannot read x of undefined');
        error.stack = 'TypeError: cannot read x\n    at secret-path/token=abc (file.js:1:1)';
        throw error;
      },
    });
    expect(await p.drain()).toMatchObject({ deadLettered: 1 });
    expect((await store.get(id))?.lastError).toBe('TypeError: cannot read x of undefined');
  });

  it('marks the event done only after the handler resolves; a rejection retries it', async () => {
    const id = await receive('reject-once');
    let calls = 0;
    const p = processor({
      backoff: { baseMs: 10, capMs: 10 },
      handler: async (delivery) => {
        calls += 1;
        expect((await store.get(id))?.state).toBe('processing');
        if (calls === 1) throw new Error('database busy');
        deliveries.push(delivery);
      },
    });
    expect(await p.drain()).toMatchObject({ retried: 1 });
    expect((await store.get(id))?.lastError).toBe('Error: database busy');
    clock.advance(10);
    expect(await p.drain()).toMatchObject({ completed: 1 });
    expect(deliveries.map((d) => d.attempt)).toEqual([2]);
  });

  it('reprocesses an event whose worker died mid-processing once its lease expires', async () => {
    const id = await receive('crashed');
    // A worker claims the event and dies without recording anything.
    const [abandoned] = await store.claim({ now: clock.now(), leaseMs: 5000, limit: 1 });
    expect(abandoned?.id).toBe(id);
    const p = processor({ leaseMs: 5000 });
    expect(await p.drain()).toMatchObject({ completed: 0 });
    clock.advance(5000);
    expect(await p.drain()).toMatchObject({ completed: 1 });
    expect(deliveries.map((d) => [d.eventId, d.attempt])).toEqual([[id, 2]]);
    expect(await store.complete(id, abandoned!.leaseToken, clock.now())).toBe(false);
  });

  it('dead-letters without running the handler when the last allowed attempt died mid-processing', async () => {
    const id = await receive('poison');
    for (let i = 0; i < 2; i++) {
      await store.claim({ now: clock.now(), leaseMs: 1000, limit: 1 });
      clock.advance(1000);
    }
    const p = processor({ maxAttempts: 2, leaseMs: 1000 });
    expect(await p.drain()).toMatchObject({ deadLettered: 1, completed: 0 });
    expect(deliveries).toEqual([]);
    expect((await store.get(id))?.lastError).toMatch(
      /lease expired on the last allowed attempt \(2\)/,
    );
  });

  it('retries an event that names a provider the processor does not have', async () => {
    const id = await receive('orphan');
    const p = processor({ providers: [createFakeProvider(SECRET, 'other')], maxAttempts: 1 });
    expect(await p.drain()).toMatchObject({ deadLettered: 1 });
    expect((await store.get(id))?.lastError).toBe(
      '[idv] [intake] the event names provider "fake", which the processor was not given',
    );
  });
});

describe('processor concurrency and leases (memory store)', () => {
  const setup = () => {
    const store = createMemoryStore();
    const provider = createFakeProvider(SECRET);
    const clock = createTestClock();
    const intake = createWebhookHandler({ provider, store, clock });
    const receive = async (id: string) => {
      const { body, headers } = fakeDelivery({ id }, SECRET);
      const response = await intake(
        new Request('http://127.0.0.1/hook', { method: 'POST', body, headers }),
      );
      return ((await response.json()) as { id: string }).id;
    };
    return { store, provider, clock, receive };
  };

  it('keeps processing other events while a slow one is in progress', async () => {
    const { store, provider, clock, receive } = setup();
    const slow = await receive('slow');
    await receive('quick-1');
    await receive('quick-2');
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const order: string[] = [];
    const p = createProcessor({
      store,
      providers: provider,
      clock,
      concurrency: 2,
      handler: async ({ eventId, event }) => {
        if (eventId === slow) await gate;
        order.push(event.dedupeKey.split(':').at(-1)!);
        if (order.length === 2) release();
      },
    });
    expect(await p.drain()).toMatchObject({ completed: 3 });
    expect(order).toEqual(['quick-1', 'quick-2', 'slow']);
  });

  it('renews the lease of a slow handler, so no other worker takes the event meanwhile', async () => {
    const { store, provider, clock, receive } = setup();
    const id = await receive('renewed');
    let stolen: unknown[] = ['not checked'];
    let runs = 0;
    const p = createProcessor({
      store,
      providers: provider,
      clock,
      leaseMs: 60,
      handler: async () => {
        runs += 1;
        clock.advance(50);
        await new Promise((r) => setTimeout(r, 80));
        clock.advance(50);
        // 100 ms after the claim, past the first lease: renewed, so still held.
        stolen = await store.claim({ now: clock.now(), leaseMs: 60, limit: 1 });
      },
    });
    expect(await p.drain()).toMatchObject({ completed: 1 });
    expect(stolen).toEqual([]);
    expect(runs).toBe(1);
    expect((await store.get(id))?.state).toBe('done');
  });

  it('aborts the handler signal when the lease is lost', async () => {
    const { store, provider, clock, receive } = setup();
    await receive('lost');
    const losing: EventStore = { ...store, extendLease: async () => false };
    let reason: unknown;
    const p = createProcessor({
      store: losing,
      providers: provider,
      clock,
      leaseMs: 30,
      handler: async ({ signal }) => {
        await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
        reason = signal.reason;
        throw signal.reason;
      },
    });
    expect(await p.drain()).toMatchObject({ retried: 1 });
    expect((reason as Error).message).toBe('the lease on this event was lost');
  });
});

describe('processor running in-process', () => {
  it('starts on a nudge from the intake and stops cleanly', async () => {
    const store = createMemoryStore();
    const provider = createFakeProvider(SECRET);
    let resolveHandled!: (id: string) => void;
    const handled = new Promise<string>((resolve) => {
      resolveHandled = resolve;
    });
    const p = createProcessor({
      store,
      providers: provider,
      pollIntervalMs: 60_000,
      handler: ({ eventId }) => resolveHandled(eventId),
    });
    p.start();
    p.start();
    const intake = createWebhookHandler({ provider, store, processor: p });
    const { body, headers } = fakeDelivery({ id: 'live' }, SECRET);
    const response = await intake(
      new Request('http://127.0.0.1/hook', { method: 'POST', body, headers }),
    );
    const { id } = (await response.json()) as { id: string };
    const started = Date.now();
    expect(await handled).toBe(id);
    expect(Date.now() - started).toBeLessThan(5000);
    await p.stop();
    expect((await store.get(id))?.state).toBe('done');
  });

  it('picks up due events by polling without a nudge', async () => {
    const store = createMemoryStore();
    const provider = createFakeProvider(SECRET);
    const intake = createWebhookHandler({ provider, store });
    const { body, headers } = fakeDelivery({ id: 'polled' }, SECRET);
    await intake(new Request('http://127.0.0.1/hook', { method: 'POST', body, headers }));
    let resolveHandled!: () => void;
    const handled = new Promise<void>((resolve) => {
      resolveHandled = resolve;
    });
    const p = createProcessor({
      store,
      providers: provider,
      pollIntervalMs: 20,
      handler: () => resolveHandled(),
    });
    p.start();
    await handled;
    await p.stop();
    expect(await store.counts()).toMatchObject({ done: 1, queued: 0 });
  });

  it('refuses nonsensical options', () => {
    const store = createMemoryStore();
    const provider = createFakeProvider(SECRET);
    expect(() =>
      createProcessor({ store, providers: provider, handler: () => {}, maxAttempts: 0 }),
    ).toThrow(/option "maxAttempts" must be a positive number/);
    expect(() =>
      createProcessor({ store, providers: provider, handler: () => {}, leaseMs: Number.NaN }),
    ).toThrow(/leaseMs/);
  });
});
