/**
 * The part of the {@link EventStore} contract the verification lifecycle adds,
 * registered by `runEventStoreSuite` inside its own `describe`: deadlines
 * (due at their time, never merged with webhooks), tenants and the operators'
 * statistics, the session a completed event learned, and deleting one
 * identity (`purgeSubject`) in every state, with its kept keys and delivered
 * results.
 *
 * @module
 */
import type { EventStore, StoredEvent, WebhookEvent } from 'idv-providers';

/** What the lifecycle tests need from the suite around them. */
export interface LifecycleSuiteContext {
  /** vitest's `it` and `expect`. */
  it: (name: string, run: () => Promise<void>) => void;
  expect: typeof import('vitest').expect;
  /** The store under test (a fresh one for every test). */
  store: () => EventStore;
}

const T0 = Date.UTC(2026, 0, 1);
const LEASE = 30_000;

function webhook(id: string, session: WebhookEvent['session']): WebhookEvent {
  return {
    provider: 'fake',
    type: 'check.completed',
    dedupeKey: `fake:check.completed:${id}`,
    session,
    actionable: true,
  };
}

function deadlineEvent(subjectId: string, attemptId?: string): WebhookEvent {
  return {
    provider: 'fake',
    type: 'deadline',
    dedupeKey: `fake:deadline:${subjectId}:${attemptId ?? ''}`,
    session: { provider: 'fake', subjectId, ...(attemptId === undefined ? {} : { attemptId }) },
    actionable: true,
  };
}

const zero = { queued: 0, processing: 0, done: 0, skipped: 0, dead: 0 };

/** Registers the lifecycle contract tests (see the module description). */
export function lifecycleContract({ it, expect, store }: LifecycleSuiteContext): void {
  it('records a deadline due at its time, not before, and keeps it apart from webhooks', async () => {
    const s = store();
    const due = T0 + 90 * 60_000;
    const { event: stored, inserted } = await s.insertIfAbsent({
      event: deadlineEvent('app-d', 'run-d'),
      state: 'queued',
      now: T0,
      deadline: due,
    });
    expect(inserted).toBe(true);
    expect(stored).toMatchObject({ state: 'queued', nextAttemptAt: due, deadline: due });
    expect(await s.get(stored.id)).toEqual(stored);
    expect(await s.claim({ now: due - 1, leaseMs: LEASE, limit: 10 })).toEqual([]);
    // A webhook for the same session is not merged into the deadline (nor the other way round).
    const callback = await s.insertIfAbsent({
      event: webhook('d1', { provider: 'fake', subjectId: 'app-d', attemptId: 'run-d' }),
      state: 'queued',
      now: T0 + 1,
      coalesce: true,
    });
    expect(callback.inserted).toBe(true);
    expect(callback.event.deadline).toBeUndefined();
    const claimedEarly = await s.claim({ now: T0 + 2, leaseMs: LEASE, limit: 10 });
    expect(claimedEarly.map((e) => e.id)).toEqual([callback.event.id]);
    await s.complete(callback.event.id, claimedEarly[0]!.leaseToken, T0 + 3);
    const [atDeadline] = await s.claim({ now: due, leaseMs: LEASE, limit: 10 });
    expect(atDeadline).toMatchObject({ id: stored.id, deadline: due, attempts: 1 });
    // Recording the same deadline again is a duplicate.
    const again = await s.insertIfAbsent({
      event: deadlineEvent('app-d', 'run-d'),
      state: 'queued',
      now: T0 + 3,
      deadline: due,
    });
    expect(again).toMatchObject({ inserted: false });
    expect(again.event.id).toBe(stored.id);
  });

  it('never merges a deadline into a queued webhook', async () => {
    const s = store();
    const session = { provider: 'fake', subjectId: 'app-m', attemptId: 'run-m' };
    const first = await s.insertIfAbsent({
      event: webhook('m1', session),
      state: 'queued',
      now: T0,
      coalesce: true,
    });
    const deadline = await s.insertIfAbsent({
      event: deadlineEvent('app-m', 'run-m'),
      state: 'queued',
      now: T0,
      coalesce: true,
      deadline: T0 + 1000,
    });
    expect(deadline.inserted).toBe(true);
    expect(deadline.event.id).not.toBe(first.event.id);
    expect((await s.counts()).queued).toBe(2);
  });

  it('records tenants and reports counts by state and tenant, the backlog and the deadlines', async () => {
    const s = store();
    expect(await s.stats(T0)).toEqual({
      states: zero,
      tenants: [],
      due: 0,
      deadlines: 0,
      oldestDueAt: undefined,
    });
    const put = (id: string, now: number, tenant?: string) =>
      s.insertIfAbsent({
        event: webhook(id, { provider: 'fake', subjectId: `app-${id}`, attemptId: `chk-${id}` }),
        state: 'queued',
        now,
        ...(tenant === undefined ? {} : { tenant }),
      });
    const { event: a } = await put('a', T0, 'brand-b');
    await put('b', T0 + 5, 'brand-a');
    await put('c', T0 + 10);
    await s.insertIfAbsent({
      event: deadlineEvent('app-x'),
      state: 'queued',
      now: T0,
      deadline: T0 + 60_000,
      tenant: 'brand-a',
    });
    expect(a.tenant).toBe('brand-b');
    expect((await s.get(a.id))?.tenant).toBe('brand-b');
    const [claimed] = await s.claim({ now: T0, leaseMs: LEASE, limit: 1 });
    expect(claimed?.id).toBe(a.id);
    await s.deadLetter(a.id, claimed!.leaseToken, { now: T0 + 1, error: 'down' });
    expect(await s.stats(T0 + 20)).toEqual({
      states: { ...zero, queued: 3, dead: 1 },
      tenants: [
        { tenant: 'brand-a', states: { ...zero, queued: 2 } },
        { tenant: 'brand-b', states: { ...zero, dead: 1 } },
      ],
      due: 2,
      deadlines: 1,
      oldestDueAt: T0 + 5,
    });
    // Once its time has come, a deadline is part of the backlog.
    expect(await s.stats(T0 + 60_000)).toMatchObject({
      due: 3,
      deadlines: 0,
      oldestDueAt: T0 + 5,
    });
  });

  it("fills in the ids a completed event's result named, keeping its own", async () => {
    const s = store();
    const { event: stored } = await s.insertIfAbsent({
      event: webhook('learn', { provider: 'fake', attemptId: 'chk-learn' }),
      state: 'queued',
      now: T0,
    });
    const [claimed] = await s.claim({ now: T0, leaseMs: LEASE, limit: 1 });
    expect(
      await s.complete(stored.id, claimed!.leaseToken, T0 + 1, 'fake:learned', {
        provider: 'fake',
        subjectId: 'app-learn',
        attemptId: 'chk-other',
      }),
    ).toBe(true);
    expect((await s.get(stored.id))?.session).toEqual({
      provider: 'fake',
      attemptId: 'chk-learn',
      subjectId: 'app-learn',
    });
  });

  it("deletes one identity's events in every state, its deadline, kept keys and results, and no one else's", async () => {
    const s = store();
    const mine = { provider: 'fake', subjectId: 'app-gone', attemptId: 'chk-gone' };
    const ids: Record<string, StoredEvent> = {};
    for (const name of ['done', 'dead', 'processing', 'queued']) {
      ids[name] = (
        await s.insertIfAbsent({ event: webhook(`gone-${name}`, mine), state: 'queued', now: T0 })
      ).event;
    }
    const skipped = await s.insertIfAbsent({
      event: { ...webhook('gone-started', mine), type: 'check.started', actionable: false },
      state: 'skipped',
      now: T0,
    });
    const deadline = await s.insertIfAbsent({
      event: deadlineEvent('app-gone'),
      state: 'queued',
      now: T0,
      deadline: T0 + 1e6,
    });
    // An event naming only the attempt, not processed yet: found by the attempt id given.
    const attemptOnly = await s.insertIfAbsent({
      event: webhook('gone-attempt', { provider: 'fake', attemptId: 'chk-gone-2' }),
      state: 'queued',
      now: T0 + 100,
    });
    // Another identity, and the same subject id at another provider.
    const other = await s.insertIfAbsent({
      event: webhook('kept', { provider: 'fake', subjectId: 'app-kept', attemptId: 'chk-kept' }),
      state: 'queued',
      now: T0 + 100,
    });
    const elsewhere = await s.insertIfAbsent({
      event: {
        ...webhook('elsewhere', { provider: 'other', subjectId: 'app-gone' }),
        provider: 'other',
        dedupeKey: 'other:elsewhere',
      },
      state: 'queued',
      now: T0 + 100,
    });
    const claimed = await s.claim({ now: T0, leaseMs: LEASE, limit: 3 });
    const byId = new Map(claimed.map((e) => [e.id, e.leaseToken]));
    await s.complete(ids['done']!.id, byId.get(ids['done']!.id)!, T0 + 1, 'fake:verdict-gone');
    await s.deadLetter(ids['dead']!.id, byId.get(ids['dead']!.id)!, { now: T0 + 1, error: 'x' });
    // A purge by age first: the done event's key is kept (for replays) until the identity goes.
    expect(await s.purge({ before: T0 + 2, states: ['done'] })).toBe(1);
    expect(
      (await s.insertIfAbsent({ event: webhook('gone-done', mine), state: 'queued', now: T0 + 3 }))
        .inserted,
    ).toBe(false);
    expect(await s.deliveredResult('fake:verdict-gone')).toBe(ids['done']!.id);

    const deleted = await s.purgeSubject('fake', 'app-gone', { attemptIds: ['chk-gone-2'] });
    expect(deleted).toBe(6); // dead, processing, queued, skipped, the deadline, the attempt-only one
    for (const gone of [
      ids['dead']!,
      ids['processing']!,
      ids['queued']!,
      skipped.event,
      deadline.event,
      attemptOnly.event,
    ]) {
      expect(await s.get(gone.id)).toBeUndefined();
    }
    expect(await s.deliveredResult('fake:verdict-gone')).toBeUndefined();
    // The processing event's holder changes nothing now.
    expect(await s.complete(ids['processing']!.id, byId.get(ids['processing']!.id)!, T0 + 4)).toBe(
      false,
    );
    // Its webhooks, delivered again, are recorded anew: nothing was kept.
    expect(
      (await s.insertIfAbsent({ event: webhook('gone-done', mine), state: 'queued', now: T0 + 5 }))
        .inserted,
    ).toBe(true);
    expect((await s.get(other.event.id))?.state).toBe('queued');
    expect((await s.get(elsewhere.event.id))?.state).toBe('queued');
    expect(await s.purgeSubject('fake', 'nobody')).toBe(0);
  });

  it('finds an event that named only its attempt once its completion recorded the subject', async () => {
    const s = store();
    const { event: stored } = await s.insertIfAbsent({
      event: webhook('late', { provider: 'fake', attemptId: 'chk-late' }),
      state: 'queued',
      now: T0,
    });
    const [claimed] = await s.claim({ now: T0, leaseMs: LEASE, limit: 1 });
    await s.complete(stored.id, claimed!.leaseToken, T0 + 1, undefined, {
      provider: 'fake',
      subjectId: 'app-late',
      attemptId: 'chk-late',
    });
    expect(await s.purgeSubject('fake', 'app-late')).toBe(1);
    expect(await s.get(stored.id)).toBeUndefined();
  });
}
