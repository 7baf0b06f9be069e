/**
 * Deletion, the store's part: `processor.forget(session)` deletes everything
 * the intake holds about one identity (its webhooks in every state, its
 * pending deadline, the keys kept for them and the verdicts they delivered),
 * through the public API, with both providers' real adapters and emulators,
 * on both built-in stores. Nobody else's events are touched.
 */
import { createMemoryStore, type EventStore } from 'idv-providers';
import type { ProviderEmulator } from 'idv-providers/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { tempSqliteStore } from './helpers';
import {
  clock,
  deliver,
  finishCustomer,
  intakeFor,
  jumio,
  onfido,
  resetLifecycle,
  server,
  startTracked,
  verdicts,
} from './lifecycle-helpers';

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => resetLifecycle());
afterAll(() => server.close());

const stores: Array<[string, () => Promise<{ store: EventStore; cleanup: () => Promise<void> }>]> =
  [
    ['memory', async () => ({ store: createMemoryStore(), cleanup: async () => {} })],
    ['sqlite', () => tempSqliteStore()],
  ];

describe.each([
  ['onfido', onfido as ProviderEmulator],
  ['jumio', jumio as ProviderEmulator],
] as const)('forgetting an identity with %s', (name, emulator) => {
  it.each(stores)(
    'on the %s store: its events, deadline and keys go; others stay',
    async (_, open) => {
      const { store, cleanup } = await open();
      try {
        const intake = await intakeFor(emulator, store);
        const gone = await startTracked(intake, `${name}-gone`);
        const kept = await startTracked(intake, `${name}-kept`);
        await finishCustomer(intake, emulator, gone);
        await finishCustomer(intake, emulator, kept);
        await intake.processor.drain();
        expect(verdicts(intake)).toEqual(['registered CLEAR', 'registered CLEAR']);
        const before = await intake.processor.stats();
        // Two deadlines waiting, and each identity's webhooks or callbacks (Onfido sends progress events too).
        expect(before.deadlines).toBe(2);
        const total = Object.values(before.states).reduce((a, b) => a + b, 0);

        // Onfido's progress webhooks (check.started) name only the check, and are never processed,
        // so the host passes the attempt it knows (the session completeCapture returned).
        const attemptOf = (session: typeof gone.session) =>
          name === 'onfido' ? onfido.checks(session.subjectId)[0]!.id : session.attemptId!;
        const attemptId = attemptOf(gone.session);
        const deleted = await intake.processor.forget({ ...gone.session, attemptId });
        // The deadline, and at least the webhook that carried the verdict.
        expect(deleted).toBeGreaterThanOrEqual(2);
        const after = await intake.processor.stats();
        expect(after.deadlines).toBe(1);
        expect(Object.values(after.states).reduce((a, b) => a + b, 0)).toBe(total - deleted);

        // Its deadline is gone: nothing is delivered when its link runs out; the other one still is checked.
        clock.advance(24 * 3600_000);
        expect(await intake.processor.drain()).toMatchObject({ completed: 1 });
        expect(intake.handled).toHaveLength(2);

        // A redelivery of its verdict's webhook is recorded anew: no key was kept for it.
        const verdictDelivery = emulator
          .deliveries()
          .filter((d) => d.body.includes(attemptId) && /check\.completed|PROCESSED/.test(d.body))
          .at(-1);
        expect(verdictDelivery).toBeDefined();
        expect(await deliver(verdictDelivery!)).toBe(200);
        expect((await intake.processor.stats()).states.queued).toBe(1);
        expect(await intake.processor.forget({ ...gone.session, attemptId })).toBe(1);
        expect(await intake.processor.forget({ ...gone.session, attemptId })).toBe(0);
        // Everything left was the other identity's, untouched.
        const kept2 = { ...kept.session, attemptId: attemptOf(kept.session) };
        expect(await intake.processor.forget(kept2)).toBe(total - deleted);
        expect((await intake.processor.stats()).states).toEqual({
          queued: 0,
          processing: 0,
          done: 0,
          skipped: 0,
          dead: 0,
        });
      } finally {
        await cleanup();
      }
    },
  );
});

describe('forget()', () => {
  it('needs the subject id', async () => {
    const intake = await intakeFor(jumio);
    await expect(
      intake.processor.forget({ provider: 'jumio', attemptId: 'only-an-attempt' }),
    ).rejects.toMatchObject({ name: 'InvalidInputError', field: 'session.subjectId' });
  });
});
