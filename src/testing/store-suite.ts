/**
 * The event store contract, written once and run against every store: a host
 * with its own {@link EventStore} (Postgres, Redis, ...) runs the same suite
 * the memory and SQLite stores pass, with one call in a vitest test file:
 *
 * ```ts
 * import { runEventStoreSuite } from 'idv-providers/testing';
 * await runEventStoreSuite('postgres', async () => {
 *   const store = await openEmptyStore();
 *   return { store, cleanup: () => dropAndClose(store) };
 * });
 * ```
 *
 * vitest is a peer dependency of this module, loaded when the suite runs.
 *
 * @module
 */
import { type EventStore, MAX_ERROR_LENGTH, type WebhookEvent } from 'idv-providers';

/** A store under test, and how to remove what it made. */
export interface EventStoreUnderTest {
  /** A fresh, empty store. */
  store: EventStore;
  /** Removes what the store made (files, tables). Default: `store.close()`. */
  cleanup?: (() => Promise<void>) | undefined;
}

/** Opens a fresh, empty store; called before every test of the suite. */
export type EventStoreFactory = () => Promise<EventStoreUnderTest>;

const T0 = Date.UTC(2026, 0, 1);
const LEASE = 30_000;

function event(id: string, overrides: Partial<WebhookEvent> = {}): WebhookEvent {
  return {
    provider: 'fake',
    type: 'check.completed',
    dedupeKey: `fake:check.completed:${id}`,
    session: { provider: 'fake', attemptId: `chk-${id}`, subjectId: `app-${id}` },
    actionable: true,
    ...overrides,
  };
}

/**
 * Registers the {@link EventStore} contract tests for one store with vitest:
 * de-duplication (concurrent inserts included), claims (due order, limits,
 * leases, concurrent claims, expired leases and fencing off their old holder),
 * retry, defer, dead letters and re-drive, error clipping and purging.
 */
export async function runEventStoreSuite(name: string, factory: EventStoreFactory): Promise<void> {
  const { describe, it, expect, beforeEach, afterEach } = await import('vitest');

  describe(`EventStore contract: ${name}`, () => {
    let store: EventStore;
    let cleanup: () => Promise<void>;

    beforeEach(async () => {
      const opened = await factory();
      store = opened.store;
      cleanup = opened.cleanup ?? (() => opened.store.close());
    });
    afterEach(async () => {
      await cleanup();
    });

    const insert = (id: string, now = T0, overrides: Partial<WebhookEvent> = {}) =>
      store.insertIfAbsent({ event: event(id, overrides), state: 'queued', now });

    it('records an event once per dedupe key and returns the first record for a duplicate', async () => {
      const first = await insert('a', T0, { occurredAt: '2026-01-01T00:00:00Z' });
      const second = await insert('a', T0 + 5);
      expect(first.inserted).toBe(true);
      expect(second.inserted).toBe(false);
      expect(second.event.id).toBe(first.event.id);
      expect(second.event.receivedAt).toBe(T0);
      expect(first.event).toEqual({
        id: first.event.id,
        provider: 'fake',
        type: 'check.completed',
        dedupeKey: 'fake:check.completed:a',
        session: { provider: 'fake', attemptId: 'chk-a', subjectId: 'app-a' },
        actionable: true,
        occurredAt: '2026-01-01T00:00:00Z',
        state: 'queued',
        attempts: 0,
        pendingChecks: 0,
        receivedAt: T0,
        updatedAt: T0,
        nextAttemptAt: T0,
        leaseUntil: undefined,
        lastError: undefined,
        finishedAt: undefined,
      });
      expect(await store.counts()).toEqual({
        queued: 1,
        processing: 0,
        done: 0,
        skipped: 0,
        dead: 0,
      });
    });

    it('records one event when the same key is inserted concurrently', async () => {
      const results = await Promise.all(Array.from({ length: 20 }, () => insert('same')));
      expect(results.filter((r) => r.inserted)).toHaveLength(1);
      expect(new Set(results.map((r) => r.event.id)).size).toBe(1);
      expect((await store.counts()).queued).toBe(1);
    });

    it('reads events by id and by dedupe key, and answers undefined for unknown ones', async () => {
      const { event: stored } = await insert('b');
      expect(await store.get(stored.id)).toEqual(stored);
      expect(await store.getByDedupeKey('fake:check.completed:b')).toEqual(stored);
      expect(await store.get('no-such-id')).toBeUndefined();
      expect(await store.getByDedupeKey('fake:nothing')).toBeUndefined();
    });

    it('keeps skipped events out of claims, finished at receipt', async () => {
      const { event: stored } = await store.insertIfAbsent({
        event: event('s', { actionable: false, type: 'check.started' }),
        state: 'skipped',
        now: T0,
      });
      expect(stored.state).toBe('skipped');
      expect(stored.finishedAt).toBe(T0);
      expect(await store.claim({ now: T0 + 1e9, leaseMs: LEASE, limit: 10 })).toEqual([]);
      expect((await store.counts()).skipped).toBe(1);
    });

    it('claims due events oldest first, up to the limit, under a lease, once', async () => {
      await insert('c1', T0);
      await insert('c2', T0 + 1);
      await insert('c3', T0 + 2);
      await insert('later', T0 + 10_000);
      const claimed = await store.claim({ now: T0 + 100, leaseMs: LEASE, limit: 2 });
      expect(claimed.map((e) => e.dedupeKey)).toEqual([
        'fake:check.completed:c1',
        'fake:check.completed:c2',
      ]);
      for (const e of claimed) {
        expect(e.state).toBe('processing');
        expect(e.attempts).toBe(1);
        expect(e.leaseUntil).toBe(T0 + 100 + LEASE);
        expect(typeof e.leaseToken).toBe('string');
      }
      const rest = await store.claim({ now: T0 + 100, leaseMs: LEASE, limit: 10 });
      expect(rest.map((e) => e.dedupeKey)).toEqual(['fake:check.completed:c3']);
      expect(await store.claim({ now: T0 + 100, leaseMs: LEASE, limit: 10 })).toEqual([]);
      expect((await store.counts()).processing).toBe(3);
    });

    it('claims in due order: a queued event due before an expired lease ran out comes first', async () => {
      const key = (id: string) => `fake:check.completed:${id}`;
      const { event: leased } = await insert('leased', T0);
      const [held] = await store.claim({ now: T0, leaseMs: LEASE, limit: 1 });
      expect(held?.id).toBe(leased.id);
      // Recorded later, then retried: due before and after the lease runs out (T0 + LEASE).
      await insert('early', T0 + 1);
      await insert('late', T0 + 2);
      const failed = await store.claim({ now: T0 + 2, leaseMs: LEASE, limit: 2 });
      expect(failed.map((e) => e.dedupeKey)).toEqual([key('early'), key('late')]);
      const [early, late] = failed;
      await store.retry(early!.id, early!.leaseToken, {
        now: T0 + 3,
        nextAttemptAt: T0 + LEASE / 2,
        error: 'provider down',
      });
      await store.retry(late!.id, late!.leaseToken, {
        now: T0 + 3,
        nextAttemptAt: T0 + LEASE + 1000,
        error: 'provider down',
      });

      const now = T0 + 2 * LEASE;
      const [first] = await store.claim({ now, leaseMs: LEASE, limit: 1 });
      expect(first?.dedupeKey).toBe(key('early'));
      await store.retry(first!.id, first!.leaseToken, {
        now,
        nextAttemptAt: T0 + LEASE / 2,
        error: 'provider down',
      });
      const all = await store.claim({ now, leaseMs: LEASE, limit: 10 });
      expect(all.map((e) => e.dedupeKey)).toEqual([key('early'), key('leased'), key('late')]);
      expect(all.map((e) => e.attempts)).toEqual([3, 2, 2]);
      for (const e of all) expect(e.leaseUntil).toBe(now + LEASE);
    });

    it('never hands one event to two concurrent claims', async () => {
      for (let i = 0; i < 10; i++) await insert(`p${i}`);
      const batches = await Promise.all(
        Array.from({ length: 5 }, () => store.claim({ now: T0, leaseMs: LEASE, limit: 3 })),
      );
      const ids = batches.flat().map((e) => e.id);
      expect(ids).toHaveLength(10);
      expect(new Set(ids).size).toBe(10);
    });

    it('reclaims an event whose lease expired, and fences off the old lease holder', async () => {
      const { event: stored } = await insert('l');
      const [first] = await store.claim({ now: T0, leaseMs: LEASE, limit: 1 });
      expect(await store.claim({ now: T0 + LEASE - 1, leaseMs: LEASE, limit: 1 })).toEqual([]);
      const [second] = await store.claim({ now: T0 + LEASE, leaseMs: LEASE, limit: 1 });
      expect(second?.id).toBe(stored.id);
      expect(second?.attempts).toBe(2);
      expect(second?.leaseToken).not.toBe(first?.leaseToken);
      expect(await store.complete(stored.id, first!.leaseToken, T0 + LEASE + 1)).toBe(false);
      expect(
        await store.retry(stored.id, first!.leaseToken, {
          now: T0 + LEASE + 1,
          nextAttemptAt: T0,
          error: 'x',
        }),
      ).toBe(false);
      expect(await store.complete(stored.id, second!.leaseToken, T0 + LEASE + 2)).toBe(true);
      const done = await store.get(stored.id);
      expect(done?.state).toBe('done');
      expect(done?.finishedAt).toBe(T0 + LEASE + 2);
      expect(done?.leaseUntil).toBeUndefined();
      expect(await store.complete(stored.id, second!.leaseToken, T0 + LEASE + 3)).toBe(false);
    });

    it('extends a held lease only', async () => {
      const { event: stored } = await insert('x');
      const [claimed] = await store.claim({ now: T0, leaseMs: LEASE, limit: 1 });
      expect(await store.extendLease(stored.id, 'wrong-token', T0 + 10 * LEASE, T0)).toBe(false);
      expect(await store.extendLease(stored.id, claimed!.leaseToken, T0 + 3 * LEASE, T0)).toBe(
        true,
      );
      expect(await store.claim({ now: T0 + 2 * LEASE, leaseMs: LEASE, limit: 1 })).toEqual([]);
      expect((await store.get(stored.id))?.leaseUntil).toBe(T0 + 3 * LEASE);
    });

    it('requeues a failed attempt for later with its error', async () => {
      const { event: stored } = await insert('r');
      const [claimed] = await store.claim({ now: T0, leaseMs: LEASE, limit: 1 });
      expect(
        await store.retry(stored.id, claimed!.leaseToken, {
          now: T0 + 1,
          nextAttemptAt: T0 + 5000,
          error: 'provider down',
        }),
      ).toBe(true);
      const queued = await store.get(stored.id);
      expect(queued).toMatchObject({
        state: 'queued',
        attempts: 1,
        nextAttemptAt: T0 + 5000,
        lastError: 'provider down',
        leaseUntil: undefined,
      });
      expect(await store.claim({ now: T0 + 4999, leaseMs: LEASE, limit: 1 })).toEqual([]);
      const [again] = await store.claim({ now: T0 + 5000, leaseMs: LEASE, limit: 1 });
      expect(again?.attempts).toBe(2);
    });

    it('defers a pending result, giving the attempt back', async () => {
      const { event: stored } = await insert('d');
      const [claimed] = await store.claim({ now: T0, leaseMs: LEASE, limit: 1 });
      expect(
        await store.defer(stored.id, claimed!.leaseToken, {
          now: T0 + 1,
          nextAttemptAt: T0 + 30_000,
        }),
      ).toBe(true);
      expect(await store.get(stored.id)).toMatchObject({
        state: 'queued',
        attempts: 0,
        pendingChecks: 1,
        nextAttemptAt: T0 + 30_000,
      });
    });

    it('dead-letters, lists and re-drives an event', async () => {
      const { event: stored } = await insert('dead');
      await insert('alive');
      const [claimed] = await store.claim({ now: T0, leaseMs: LEASE, limit: 1 });
      expect(claimed?.id).toBe(stored.id);
      expect(
        await store.deadLetter(stored.id, claimed!.leaseToken, { now: T0 + 7, error: 'gave up' }),
      ).toBe(true);
      const dead = await store.listDeadLetters();
      expect(dead.map((e) => [e.id, e.state, e.lastError, e.attempts, e.finishedAt])).toEqual([
        [stored.id, 'dead', 'gave up', 1, T0 + 7],
      ]);
      expect((await store.counts()).dead).toBe(1);
      expect(await store.redrive('no-such-id', T0 + 8)).toBe(false);
      const [other] = await store.claim({ now: T0, leaseMs: LEASE, limit: 1 });
      expect(await store.redrive(other!.id, T0 + 8)).toBe(false);
      expect(await store.redrive(stored.id, T0 + 8)).toBe(true);
      expect(await store.get(stored.id)).toMatchObject({
        state: 'queued',
        attempts: 0,
        pendingChecks: 0,
        nextAttemptAt: T0 + 8,
        finishedAt: undefined,
        lastError: 'gave up',
      });
      expect(await store.listDeadLetters()).toEqual([]);
      expect(await store.redrive(stored.id, T0 + 9)).toBe(false);
    });

    it('lists dead letters most recent first, within a limit', async () => {
      for (const [i, id] of ['d1', 'd2', 'd3'].entries()) {
        await insert(id);
        const [claimed] = await store.claim({ now: T0, leaseMs: LEASE, limit: 1 });
        await store.deadLetter(claimed!.id, claimed!.leaseToken, { now: T0 + i, error: id });
      }
      expect((await store.listDeadLetters()).map((e) => e.lastError)).toEqual(['d3', 'd2', 'd1']);
      expect((await store.listDeadLetters({ limit: 2 })).map((e) => e.lastError)).toEqual([
        'd3',
        'd2',
      ]);
    });

    it('clips a very long error', async () => {
      const { event: stored } = await insert('long');
      const [claimed] = await store.claim({ now: T0, leaseMs: LEASE, limit: 1 });
      await store.deadLetter(stored.id, claimed!.leaseToken, {
        now: T0,
        error: 'e'.repeat(10_000),
      });
      expect((await store.get(stored.id))?.lastError).toHaveLength(MAX_ERROR_LENGTH);
    });

    it('purges finished events older than a time, freeing their dedupe keys', async () => {
      const { event: old } = await insert('old');
      await store.insertIfAbsent({
        event: event('skip', { actionable: false }),
        state: 'skipped',
        now: T0,
      });
      const { event: open } = await insert('open');
      const [claimed] = await store.claim({ now: T0, leaseMs: LEASE, limit: 1 });
      expect(claimed?.id).toBe(old.id);
      await store.complete(old.id, claimed!.leaseToken, T0 + 10);
      expect(await store.purge(T0 + 10)).toBe(1);
      expect(await store.purge(T0 + 11)).toBe(1);
      expect(await store.get(old.id)).toBeUndefined();
      expect((await store.get(open.id))?.state).toBe('queued');
      expect((await insert('old')).inserted).toBe(true);
    });
  });
}
