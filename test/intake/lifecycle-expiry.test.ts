/**
 * Expiry arrives as an event: `processor.track(started)` records a deadline
 * for a started session, and when the link runs out the processor delivers
 * the outcome through the same handler as a webhook's, once, from the store.
 * Driven through the public API with the real adapters against both
 * emulators: Onfido sends no webhook for a link that ran out, Jumio sends
 * `TOKEN_EXPIRED` or `SESSION_EXPIRED` (or a callback gets lost), and the
 * handler sees one `EXPIRED` verdict per session attempt either way.
 */
import { join } from 'node:path';
import { createSqliteStore } from 'idv-providers';
import type { ProviderEmulator } from 'idv-providers/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from './helpers';
import {
  clock,
  deliver,
  finishCustomer,
  intakeFor,
  jumio,
  onfido,
  resetLifecycle,
  routing,
  server,
  startTracked,
  verdicts,
} from './lifecycle-helpers';

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => resetLifecycle());
afterAll(() => server.close());

const MINUTE = 60_000;
/** Onfido's link lives 90 minutes (docs/provider-facts.md#o-sdk-2); Jumio's `tokenLifetimeMinutes` defaults to 30. */
const LINK_MS = { onfido: 90 * MINUTE, jumio: 30 * MINUTE } as const;
/** The processor's defaults: first check a minute after the expiry, EXPIRED of its own 15 minutes after. */
const CHECK_DELAY = MINUTE;
const GRACE = 15 * MINUTE;

describe.each([
  ['onfido', onfido as ProviderEmulator],
  ['jumio', jumio as ProviderEmulator],
] as const)('deadlines with %s', (name, emulator) => {
  it('records the deadline in the store, due when the link runs out, and tracking twice records nothing new', async () => {
    const intake = await intakeFor(emulator);
    const started = await startTracked(intake, `${name}-tracked`);
    const again = await intake.processor.track(started);
    expect(again.duplicate).toBe(true);
    expect(again.dueAt).toBe(started.expiresAt.getTime() + CHECK_DELAY);
    expect(started.expiresAt.getTime() - clock.now()).toBe(LINK_MS[name]);
    const stats = await intake.processor.stats();
    expect(stats).toMatchObject({ states: { queued: 1 }, due: 0, deadlines: 1 });
    const stored = await intake.store.get(again.eventId);
    expect(stored).toMatchObject({
      provider: name,
      type: 'deadline',
      deadline: again.dueAt,
      session: { provider: name, subjectId: started.session.subjectId },
    });
    expect(await intake.processor.drain()).toMatchObject({ completed: 0, deferred: 0 });
    expect(intake.handled).toEqual([]);
  });

  it('one verdict when the webhook comes first: the deadline finds it delivered', async () => {
    const intake = await intakeFor(emulator);
    const started = await startTracked(intake, `${name}-first`);
    await finishCustomer(intake, emulator, started);
    await intake.processor.drain();
    expect(verdicts(intake)).toEqual(['registered CLEAR']);
    clock.advance(LINK_MS[name] + CHECK_DELAY);
    expect(await intake.processor.drain()).toMatchObject({ completed: 1, deadLettered: 0 });
    expect(verdicts(intake)).toEqual(['registered CLEAR']);
    expect((await intake.processor.stats()).states).toMatchObject({ queued: 0, done: 2 });
  });

  it('a verdict whose webhook was lost is delivered at the deadline instead of EXPIRED', async () => {
    const intake = await intakeFor(emulator);
    const started = await startTracked(intake, `${name}-lost`);
    routing.drop = true;
    await finishCustomer(intake, emulator, started);
    routing.drop = false;
    expect(await intake.processor.drain()).toMatchObject({ completed: 0 });
    clock.advance(LINK_MS[name] + CHECK_DELAY);
    expect(await intake.processor.drain()).toMatchObject({ completed: 1 });
    expect(verdicts(intake)).toEqual(['registered CLEAR']);
    const delivery = intake.handled[0]!;
    expect(delivery.event.type).toBe('deadline');
    expect(delivery.result.session.subjectId).toBe(started.session.subjectId);
    expect(delivery.documents.length).toBeGreaterThan(0);
  });
});

describe('Onfido: a link that runs out unused (no webhook is ever sent)', () => {
  it('reaches the handler as retry / EXPIRED from the deadline, once', async () => {
    const intake = await intakeFor(onfido);
    const started = await startTracked(intake, 'onfido-unused');
    clock.advance(LINK_MS.onfido);
    expect(await intake.processor.drain()).toMatchObject({ completed: 0 });
    clock.advance(CHECK_DELAY);
    expect(await intake.processor.drain()).toMatchObject({ completed: 1, deadLettered: 0 });
    expect(verdicts(intake)).toEqual(['retry EXPIRED']);
    const { result, event, documents } = intake.handled[0]!;
    expect(event.type).toBe('deadline');
    expect(result.session).toEqual({ provider: 'onfido', subjectId: started.session.subjectId });
    expect(documents).toEqual([]);
    expect(onfido.deliveries()).toEqual([]);
    clock.advance(24 * 60 * MINUTE);
    expect(await intake.processor.drain()).toMatchObject({ completed: 0 });
    expect(intake.handled).toHaveLength(1);
  });

  it('a check still running at the deadline is followed until it completes, never EXPIRED', async () => {
    const intake = await intakeFor(onfido);
    const started = await startTracked(intake, 'onfido-running');
    await onfido.completeCustomerJourney(started.session);
    await intake.idv.completeCapture(started.session);
    clock.advance(LINK_MS.onfido + CHECK_DELAY + GRACE + MINUTE);
    expect(await intake.processor.drain()).toMatchObject({ completed: 0, deferred: 1 });
    expect(intake.handled).toEqual([]);
    // The check completes and its webhook is lost: the deadline still brings the verdict.
    routing.drop = true;
    await onfido.completeChecks();
    routing.drop = false;
    clock.advance(60 * MINUTE);
    expect(await intake.processor.drain()).toMatchObject({ completed: 1 });
    expect(verdicts(intake)).toEqual(['registered CLEAR']);
  });

  it('survives a restart: the deadline in the SQLite file is delivered by the next process, once', async () => {
    const { dir, remove } = await tempDir();
    try {
      const path = join(dir, 'events.sqlite');
      const first = await intakeFor(onfido, await createSqliteStore({ path }));
      const started = await startTracked(first, 'onfido-restart');
      await first.processor.stop();
      await first.store.close();

      clock.advance(LINK_MS.onfido + CHECK_DELAY);
      const second = await intakeFor(onfido, await createSqliteStore({ path }));
      const third = await intakeFor(onfido, await createSqliteStore({ path }));
      const [a, b] = await Promise.all([second.processor.drain(), third.processor.drain()]);
      expect(a.completed + b.completed).toBe(1);
      const handled = [...second.handled, ...third.handled];
      expect(handled.map((d) => `${d.result.status} ${d.result.reason}`)).toEqual([
        'retry EXPIRED',
      ]);
      expect(handled[0]?.result.session.subjectId).toBe(started.session.subjectId);
      await second.store.close();
      await third.store.close();
    } finally {
      await remove();
    }
  });
});

describe('Jumio: TOKEN_EXPIRED, SESSION_EXPIRED and a missed callback end the same way', () => {
  it('an expiry callback, another one and the deadline reach the handler as one EXPIRED', async () => {
    const intake = await intakeFor(jumio);
    const started = await startTracked(intake, 'jumio-both');
    await jumio.expire(started.session, 'TOKEN_EXPIRED');
    const sent = jumio.deliveries().at(-1)!;
    expect(sent.answeredStatus).toBe(200);
    expect(await intake.processor.drain()).toMatchObject({ completed: 1 });
    // The same transaction's SESSION_EXPIRED arrives too (a tenant may be sent both).
    const other = { ...sent, body: sent.body.replace('"TOKEN_EXPIRED"', '"SESSION_EXPIRED"') };
    expect(other.body).not.toBe(sent.body);
    expect(await deliver(other)).toBe(200);
    expect(await intake.processor.drain()).toMatchObject({ completed: 1 });
    clock.advance(LINK_MS.jumio + CHECK_DELAY);
    expect(await intake.processor.drain()).toMatchObject({ completed: 1 });
    expect(verdicts(intake)).toEqual(['retry EXPIRED']);
    expect(intake.handled[0]!.event.type).toBe('TOKEN_EXPIRED');
    expect((await intake.processor.stats()).states).toMatchObject({ done: 3, queued: 0 });
  });

  it('a missed expiry callback: the deadline reads the expiry from Jumio and delivers it', async () => {
    const intake = await intakeFor(jumio);
    const started = await startTracked(intake, 'jumio-missed');
    routing.drop = true;
    await jumio.expire(started.session, 'TOKEN_EXPIRED');
    routing.drop = false;
    expect(await intake.processor.drain()).toMatchObject({ completed: 0 });
    clock.advance(LINK_MS.jumio + CHECK_DELAY);
    expect(await intake.processor.drain()).toMatchObject({ completed: 1 });
    expect(verdicts(intake)).toEqual(['retry EXPIRED']);
    const { event, result } = intake.handled[0]!;
    expect(event.type).toBe('deadline');
    expect(result.providerLabels).toContainEqual({
      source: 'workflow.status',
      value: 'TOKEN_EXPIRED',
    });
  });

  it('a transaction Jumio still shows as open: re-checked through the grace, then EXPIRED, and a late callback adds nothing', async () => {
    const intake = await intakeFor(jumio);
    const started = await startTracked(intake, 'jumio-open');
    clock.advance(LINK_MS.jumio + CHECK_DELAY);
    expect(await intake.processor.drain()).toMatchObject({ deferred: 1, completed: 0 });
    clock.advance(GRACE);
    const summary = await intake.processor.drain();
    expect(summary).toMatchObject({ completed: 1, deadLettered: 0 });
    expect(verdicts(intake)).toEqual(['retry EXPIRED']);
    const { result, documents } = intake.handled[0]!;
    expect(result).toMatchObject({
      provider: 'jumio',
      session: started.session,
      statusSource: 'mapping',
      reasons: ['EXPIRED'],
      person: null,
    });
    expect(result.providerLabels).toContainEqual({
      source: 'intake.deadline',
      value: started.expiresAt.toISOString(),
    });
    expect(documents).toEqual([]);
    // Jumio's own expiry callback, late: the same expiry, not delivered again.
    await jumio.expire(started.session, 'TOKEN_EXPIRED');
    expect(await intake.processor.drain()).toMatchObject({ completed: 1 });
    expect(intake.handled).toHaveLength(1);
  });
});
