/**
 * The processor under the faults an adversarial review found: callbacks that
 * name sessions the provider does not know (404), forged statuses for a real
 * session, handlers that never settle and downloads that stall, `stop()` with
 * work stuck in progress, an outage longer than a few minutes, and a dead
 * event delivered again.
 */
import { PassThrough } from 'node:stream';
import { NotFoundError, ProviderApiError } from 'idv-providers';
import { createTestClock, type TestClock } from 'idv-providers/testing';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  createMemoryStore,
  createProcessor,
  createWebhookHandler,
  type MemoryEventStore,
  type ProcessorOptions,
  type ResultDelivery,
} from '../../src/intake/index';
import { attemptsForWindow, DEFAULT_RETRY_WINDOW_MS } from '../../src/intake/processor';
import {
  createFakeProvider,
  type FakeEventBody,
  type FakeProvider,
  fakeDelivery,
} from './fixtures/fake-provider';

const SECRET = 'processor-faults-secret-0123';
const HOUR = 3600_000;

let store: MemoryEventStore;
let provider: FakeProvider;
let clock: TestClock;
let handled: ResultDelivery[];

beforeEach(() => {
  store = createMemoryStore();
  provider = createFakeProvider(SECRET);
  clock = createTestClock();
  handled = [];
});

async function receive(event: Partial<FakeEventBody> & { id: string }) {
  const intake = createWebhookHandler({ provider, store, clock, coalesce: false });
  const { body, headers } = fakeDelivery(event, SECRET);
  const response = await intake(
    new Request('http://127.0.0.1/hook', { method: 'POST', body, headers }),
  );
  return (await response.json()) as { id: string; duplicate: boolean; requeued?: boolean };
}

const processor = (options: Partial<ProcessorOptions> = {}) =>
  createProcessor({
    store,
    providers: provider,
    clock,
    handler: (delivery) => {
      handled.push(delivery);
    },
    ...options,
  });

describe('callbacks naming sessions the provider does not know', () => {
  it('a 404 for the result ends the event as rejected after one fetch: no retries, no dead letter', async () => {
    provider.behaviour.getResult = async () => {
      throw new NotFoundError('[idv] [fake] GET /checks/made-up answered 404', {
        provider: 'fake',
      });
    };
    const ids = [];
    for (let i = 0; i < 50; i++) ids.push((await receive({ id: `forged-${i}` })).id);
    const p = processor();
    expect(await p.drain()).toMatchObject({ rejected: 50, retried: 0, deadLettered: 0 });
    expect(provider.calls.getResult).toBe(50);
    clock.advance(7 * 24 * HOUR);
    expect(await p.drain()).toMatchObject({ rejected: 0, retried: 0 });
    expect(provider.calls.getResult).toBe(50);
    expect(await p.listDeadLetters()).toEqual([]);
    expect(await store.get(ids[0]!)).toMatchObject({
      state: 'skipped',
      lastError: 'unknown session: [idv] [fake] GET /checks/made-up answered 404',
    });
    expect(handled).toEqual([]);
    // Finished records go with purge(), by age.
    expect(await p.purge({ olderThan: 24 * HOUR })).toBe(50);
    expect(await p.counts()).toMatchObject({ skipped: 0, dead: 0 });
  });
});

describe('forged statuses for a real session', () => {
  it('the handler runs once per verdict, and the documents are downloaded once, whatever statuses the callbacks claim', async () => {
    const p = processor();
    for (const type of ['PROCESSED', 'FORGED_A', 'FORGED_B', 'SESSION_EXPIRED', 'ZZZ']) {
      await receive({ id: `exec-1-${type}`, type, attemptId: 'exec-1', subjectId: 'acct-1' });
      await p.drain();
    }
    expect(provider.calls.getResult).toBe(5);
    expect(handled).toHaveLength(1);
    expect(provider.calls.downloads).toEqual(['exec-1-front', 'exec-1-selfie']);
    expect(await store.counts()).toMatchObject({ done: 5 });
    // A different verdict for the session is delivered.
    provider.behaviour.getResult = async (session) => ({
      ...(await createFakeProvider(SECRET).behaviour.getResult(session)),
      status: 'rejected',
      reason: 'REJECTED_IMAGE_INTEGRITY',
      reasons: ['REJECTED_IMAGE_INTEGRITY'],
    });
    await receive({
      id: 'exec-1-again',
      type: 'PROCESSED',
      attemptId: 'exec-1',
      subjectId: 'acct-1',
    });
    await p.drain();
    expect(handled.map((d) => d.result.status)).toEqual(['registered', 'rejected']);
    expect(handled[0]?.resultKey).not.toBe(handled[1]?.resultKey);
  });

  it('gives the handler a stable resultKey, a growing fencing token and an isCurrent() check', async () => {
    const first = await receive({ id: 'k1', attemptId: 'same', subjectId: 's' });
    provider.behaviour.getResult = async (session) => {
      const base = await createFakeProvider(SECRET).behaviour.getResult(session);
      return { ...base, completedAt: '2026-01-01T00:00:00Z' };
    };
    let current: boolean[] = [];
    let calls = 0;
    const p = processor({
      leaseMs: 1000,
      backoff: { baseMs: 10, capMs: 10 },
      handler: async (delivery) => {
        calls += 1;
        current.push(await delivery.isCurrent());
        if (calls === 1) {
          // Paused past the lease: another worker claims the event meanwhile.
          clock.advance(2000);
          await store.claim({ now: clock.now(), leaseMs: 1000, limit: 1 });
          current.push(await delivery.isCurrent());
          throw new Error('interrupted');
        }
        handled.push(delivery);
      },
    });
    await p.drain();
    expect(current).toEqual([true, false]);
    clock.advance(2000);
    current = [];
    await p.drain();
    expect(current).toEqual([true]);
    expect(handled).toHaveLength(1);
    expect(handled[0]).toMatchObject({ eventId: first.id, attempt: 3, fencingToken: 3 });
    expect(handled[0]?.resultKey).toMatch(/^fake:[A-Za-z0-9_-]{43}$/);
  });
});

describe('handlers that never settle', () => {
  it('aborts a handler after handlerTimeoutMs, frees its slot and retries the event', async () => {
    const stuck = await receive({ id: 'stuck' });
    await receive({ id: 'next' });
    let aborted: unknown;
    const p = processor({
      concurrency: 1,
      handlerTimeoutMs: 200,
      handler: (delivery) => {
        if (delivery.eventId === stuck.id) {
          delivery.signal.addEventListener('abort', () => {
            aborted = delivery.signal.reason;
          });
          return new Promise(() => {}); // ignores its signal, never settles
        }
        handled.push(delivery);
      },
    });
    const started = Date.now();
    expect(await p.drain()).toMatchObject({ completed: 1, retried: 1 });
    expect(Date.now() - started).toBeLessThan(2000);
    expect((aborted as Error).message).toBe('the handler did not finish within 200 ms');
    expect((await store.get(stuck.id))?.lastError).toBe(
      'Error: the handler did not finish within 200 ms',
    );
    expect(handled).toHaveLength(1);
  });

  it('four handlers stuck on downloads that never end: the others are processed, and stop() returns within its bound', async () => {
    const never: PassThrough[] = [];
    provider.downloadDocument = async (document) => {
      const body = new PassThrough();
      body.write(Buffer.from('first bytes'));
      never.push(body);
      return { document, contentType: 'image/jpeg', fileName: 'x.jpg', size: undefined, body };
    };
    for (let i = 0; i < 6; i++) await receive({ id: `dl-${i}` });
    const reads: string[] = [];
    const p = createProcessor({
      store,
      providers: provider,
      concurrency: 4,
      pollIntervalMs: 20,
      handlerTimeoutMs: 300,
      stopTimeoutMs: 200,
      backoff: { baseMs: 60_000, capMs: 60_000 },
      handler: async ({ eventId, documents }) => {
        for await (const chunk of documents[0]!.body) reads.push(`${eventId}:${String(chunk)}`);
      },
    });
    p.start();
    await new Promise((resolve) => setTimeout(resolve, 1200));
    // Every event got its turn: the four first ones did not hold the rest up.
    const counts = await store.counts();
    expect(counts.queued + counts.processing).toBeGreaterThanOrEqual(4);
    expect(new Set(reads.map((r) => r.split(':')[0])).size).toBe(6);
    await receive({ id: 'late' });
    p.nudge();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = Date.now();
    await p.stop();
    expect(Date.now() - started).toBeLessThan(1500);
    expect(never.every((body) => body.destroyed)).toBe(true);
  });
});

describe('outages and redeliveries', () => {
  it('an outage of hours dead-letters nothing: failures are retried for at least 72 hours by default', async () => {
    const { id } = await receive({ id: 'outage' });
    provider.behaviour.getResult = async () => {
      throw new ProviderApiError('[idv] [fake] GET /checks/x answered 502', {
        provider: 'fake',
        status: 502,
      });
    };
    const p = processor();
    const start = clock.now();
    let attempts = 0;
    for (;;) {
      const summary = await p.drain();
      attempts += summary.retried + summary.deadLettered;
      if (summary.deadLettered === 1) break;
      const stored = await store.get(id);
      expect(stored?.state).toBe('queued');
      clock.advance((stored?.nextAttemptAt ?? 0) - clock.now());
    }
    expect(clock.now() - start).toBeGreaterThanOrEqual(DEFAULT_RETRY_WINDOW_MS);
    expect(attempts).toBe(
      attemptsForWindow(DEFAULT_RETRY_WINDOW_MS, { baseMs: 1000, capMs: HOUR }),
    );
    expect(attempts).toBe(156);
  });

  it('a redelivery of a dead event queues it again, and it is processed', async () => {
    const first = await receive({ id: 'redelivered' });
    let failing = true;
    provider.behaviour.getResult = async (session) => {
      if (failing)
        throw new ProviderApiError('[idv] [fake] answered 503', { provider: 'fake', status: 503 });
      return createFakeProvider(SECRET).behaviour.getResult(session);
    };
    const p = processor({ maxAttempts: 1 });
    expect(await p.drain()).toMatchObject({ deadLettered: 1 });
    failing = false;
    const again = await receive({ id: 'redelivered' });
    expect(again).toMatchObject({ id: first.id, duplicate: true, requeued: true });
    expect(await p.drain()).toMatchObject({ completed: 1 });
    expect(handled.map((d) => [d.eventId, d.attempt])).toEqual([[first.id, 1]]);
  });
});
