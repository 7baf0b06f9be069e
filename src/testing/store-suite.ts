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
import { lifecycleContract } from './store-suite-lifecycle';

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
 * de-duplication (concurrent inserts included, and kept past a purge), claims
 * (due order shared out by sender, limits, leases, concurrent claims, expired
 * leases and fencing off their old holder, fencing tokens), retry, defer,
 * reject, dead letters, re-drive and requeue on redelivery, coalescing by
 * session, delivered results, error clipping and purging by age; and what the
 * verification lifecycle adds (./store-suite-lifecycle.ts): deadlines due at
 * their time and never merged with webhooks, tenants and `stats`, the session
 * a completed event learned, and deleting one identity with `purgeSubject`.
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

    it('purges finished events older than a time, and frees their dedupe keys when asked', async () => {
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
      expect(await store.purge({ before: T0 + 11, forgetKeysBefore: T0 + 11 })).toBe(1);
      expect(await store.get(old.id)).toBeUndefined();
      expect((await store.get(open.id))?.state).toBe('queued');
      expect((await insert('old')).inserted).toBe(true);
    });

    it("keeps a purged event's dedupe key: a replay after purge() is a duplicate, not a new event", async () => {
      const { event: first } = await insert('replayed');
      const [claimed] = await store.claim({ now: T0, leaseMs: LEASE, limit: 1 });
      await store.complete(first.id, claimed!.leaseToken, T0 + 1);
      expect(await store.purge(T0 + 2)).toBe(1);
      expect(await store.get(first.id)).toBeUndefined();
      const replay = await insert('replayed', T0 + 3);
      expect(replay.inserted).toBe(false);
      expect(replay.event).toMatchObject({ id: first.id, state: 'done', purged: true });
      expect(await store.counts()).toEqual({
        queued: 0,
        processing: 0,
        done: 0,
        skipped: 0,
        dead: 0,
      });
      // Keys go only when asked, by the time their record finished.
      await store.purge({ before: T0 + 2, forgetKeysBefore: T0 + 1 });
      expect((await insert('replayed', T0 + 4)).inserted).toBe(false);
      await store.purge({ before: T0 + 2, forgetKeysBefore: T0 + 2 });
      expect((await insert('replayed', T0 + 5)).inserted).toBe(true);
    });

    it('purges dead letters by age too, and only the states named', async () => {
      for (const [i, id] of ['dead-old', 'dead-new'].entries()) {
        await insert(id);
        const [claimed] = await store.claim({ now: T0, leaseMs: LEASE, limit: 1 });
        await store.deadLetter(claimed!.id, claimed!.leaseToken, { now: T0 + i * 100, error: id });
      }
      expect(await store.purge({ before: T0 + 50, states: ['done', 'skipped'] })).toBe(0);
      expect(await store.purge({ before: T0 + 50 })).toBe(1);
      expect((await store.listDeadLetters()).map((e) => e.lastError)).toEqual(['dead-new']);
      expect((await insert('dead-old', T0 + 200)).inserted).toBe(false);
    });

    it('requeues a dead event when it is delivered again, with its attempts reset', async () => {
      const { event: stored } = await insert('outage');
      const [claimed] = await store.claim({ now: T0, leaseMs: LEASE, limit: 1 });
      await store.deadLetter(stored.id, claimed!.leaseToken, { now: T0 + 1, error: 'down' });
      const again = await insert('outage', T0 + 2);
      expect(again.inserted).toBe(false);
      expect(again.requeued).toBe(true);
      expect(again.event).toMatchObject({
        id: stored.id,
        state: 'queued',
        attempts: 0,
        nextAttemptAt: T0 + 2,
        finishedAt: undefined,
      });
      expect((await store.claim({ now: T0 + 2, leaseMs: LEASE, limit: 1 }))[0]?.id).toBe(stored.id);
      // A skipped (not actionable) redelivery does not requeue anything.
      const twice = await insert('outage', T0 + 3);
      expect(twice.requeued).toBeFalsy();
    });

    it('coalesces events for one session into a queued event not yet attempted, when asked', async () => {
      const session = { provider: 'fake', attemptId: 'chk-one', subjectId: 'app-one' };
      const put = (id: string, now = T0) =>
        store.insertIfAbsent({
          event: event(id, { session, dedupeKey: `fake:${id}` }),
          state: 'queued',
          now,
          coalesce: true,
        });
      const first = await put('s1');
      expect(first.inserted).toBe(true);
      const merged = await put('s2');
      expect(merged).toMatchObject({ inserted: false, coalesced: true });
      expect(merged.event.id).toBe(first.event.id);
      // Not merged without the option, nor into an event already attempted.
      const plain = await store.insertIfAbsent({
        event: event('s3', { session, dedupeKey: 'fake:s3' }),
        state: 'queued',
        now: T0,
      });
      expect(plain.inserted).toBe(true);
      await store.claim({ now: T0, leaseMs: LEASE, limit: 10 });
      expect((await put('s4')).inserted).toBe(true);
      expect((await store.counts()).queued + (await store.counts()).processing).toBe(3);
      // A merge records no key: the same delivery later is merged or recorded anew.
      expect(await store.getByDedupeKey('fake:s2')).toBeUndefined();
    });

    it("shares claims out by sender: one sender's backlog does not hold up another's event", async () => {
      for (let i = 0; i < 6; i++) {
        await store.insertIfAbsent({
          event: event(`flood${i}`),
          state: 'queued',
          now: T0 + i,
          source: '198.51.100.7',
        });
      }
      await store.insertIfAbsent({
        event: event('real'),
        state: 'queued',
        now: T0 + 10,
        source: '34.202.241.227',
      });
      await store.insertIfAbsent({ event: event('other'), state: 'queued', now: T0 + 11 });
      const claimed = await store.claim({ now: T0 + 20, leaseMs: LEASE, limit: 4 });
      expect(claimed.map((e) => e.dedupeKey.split(':').at(-1))).toEqual([
        'flood0',
        'real',
        'other',
        'flood1',
      ]);
      expect(claimed[1]?.source).toBe('34.202.241.227');
      expect(claimed[2]?.source).toBeUndefined();
    });

    it('hands out a fencing token that grows at every claim, even across a re-drive', async () => {
      const { event: stored } = await insert('fence');
      const tokens: number[] = [];
      let now = T0;
      for (let round = 0; round < 3; round++) {
        const [claimed] = await store.claim({ now, leaseMs: LEASE, limit: 1 });
        tokens.push(claimed!.fencingToken);
        await store.defer(stored.id, claimed!.leaseToken, { now, nextAttemptAt: now });
      }
      const [last] = await store.claim({ now, leaseMs: LEASE, limit: 1 });
      await store.deadLetter(stored.id, last!.leaseToken, { now, error: 'x' });
      tokens.push(last!.fencingToken);
      now += 1;
      await store.redrive(stored.id, now);
      const [after] = await store.claim({ now, leaseMs: LEASE, limit: 1 });
      tokens.push(after!.fencingToken);
      expect(after!.attempts).toBe(1);
      expect(tokens).toEqual([1, 2, 3, 4, 5]);
    });

    it('records the result a completed event delivered, only under a held lease', async () => {
      const { event: a } = await insert('ra');
      const { event: b } = await insert('rb');
      const [first, second] = await store.claim({ now: T0, leaseMs: LEASE, limit: 2 });
      expect(await store.deliveredResult('fake:app:chk:registered')).toBeUndefined();
      expect(await store.complete(first!.id, 'not-the-lease', T0, 'fake:app:chk:registered')).toBe(
        false,
      );
      expect(await store.deliveredResult('fake:app:chk:registered')).toBeUndefined();
      expect(
        await store.complete(first!.id, first!.leaseToken, T0, 'fake:app:chk:registered'),
      ).toBe(true);
      expect(
        await store.complete(second!.id, second!.leaseToken, T0, 'fake:app:chk:registered'),
      ).toBe(true);
      expect(await store.deliveredResult('fake:app:chk:registered')).toBe(a.id);
      expect((await store.get(b.id))?.state).toBe('done');
      // Kept past a purge of the events, forgotten with their keys.
      await store.purge(T0 + 1);
      expect(await store.deliveredResult('fake:app:chk:registered')).toBe(a.id);
      await store.purge({ before: T0 + 1, forgetKeysBefore: T0 + 1 });
      expect(await store.deliveredResult('fake:app:chk:registered')).toBeUndefined();
    });

    it('rejects a claimed event as skipped with its reason, fencing off an old lease', async () => {
      const { event: stored } = await insert('unknown-session');
      const [claimed] = await store.claim({ now: T0, leaseMs: LEASE, limit: 1 });
      expect(await store.reject(stored.id, 'old-lease', { now: T0 + 1, error: 'x' })).toBe(false);
      expect(
        await store.reject(stored.id, claimed!.leaseToken, {
          now: T0 + 1,
          error: 'unknown session: the provider answered 404',
        }),
      ).toBe(true);
      expect(await store.get(stored.id)).toMatchObject({
        state: 'skipped',
        lastError: 'unknown session: the provider answered 404',
        finishedAt: T0 + 1,
        leaseUntil: undefined,
      });
      expect(await store.claim({ now: T0 + 1e9, leaseMs: LEASE, limit: 10 })).toEqual([]);
      expect(await store.purge(T0 + 2)).toBe(1);
    });

    lifecycleContract({ it, expect, store: () => store });
  });
}
