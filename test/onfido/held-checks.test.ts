/**
 * Checks that do not simply run once to completion: a check that is reopened
 * and completes again (a second `check.completed`, which the intake must not
 * drop as a duplicate), and checks that Onfido holds (`paused`,
 * `awaiting_applicant`: docs/provider-facts.md#o-chk-3), which are reported
 * as such instead of pending forever.
 */
import { buffer } from 'node:stream/consumers';
import { createProvider, type IdentityVerificationProvider } from 'idv-providers';
import { HELD_CHECK_STATUSES, resumeOnfidoCheck } from 'idv-providers/onfido';
import { createTestClock, type EmulatorDelivery } from 'idv-providers/testing';
import { describe, expect, it } from 'vitest';
import {
  createMemoryStore,
  createProcessor,
  createWebhookHandler,
  type ResultDelivery,
  type WebhookHandler,
} from '../../src/intake/index';
import { ADA, useOnfidoEmulator } from './helpers';

/** Where the emulator's deliveries go: the intake of the test that is running. */
let route: WebhookHandler | undefined;
async function deliver(delivery: EmulatorDelivery): Promise<number | undefined> {
  if (route === undefined) return 500;
  const answer = await route(
    new Request(delivery.url, {
      method: delivery.method,
      headers: delivery.headers,
      body: delivery.body,
    }),
  );
  return answer.status;
}

const { emulator } = useOnfidoEmulator({ autoCompleteChecks: false, deliver });

async function submitted(idv: IdentityVerificationProvider, reference: string) {
  const started = await idv.startVerification({ identityReference: reference, person: ADA });
  await emulator.completeCustomerJourney(started.session);
  const session = await idv.completeCapture(started.session);
  return { ...session, subjectId: started.session.subjectId };
}

describe('a reopened check', () => {
  it('delivers its second result through the intake: the second check.completed is a new event', async () => {
    const idv = await createProvider(emulator.config({ autoRegistration: true }));
    const store = createMemoryStore();
    const handled: Array<ResultDelivery & { bytes: number }> = [];
    const clock = createTestClock();
    const processor = createProcessor({
      store,
      providers: [idv],
      clock,
      handler: async (delivery) => {
        let bytes = 0;
        for (const doc of delivery.documents) bytes += (await buffer(doc.body)).length;
        handled.push({ ...delivery, bytes });
      },
    });
    route = createWebhookHandler({ provider: idv, store, processor, clock });
    try {
      const session = await submitted(idv, 'identity-reopened');
      await emulator.completeChecks();
      await processor.drain();
      expect(handled.map((d) => [d.result.status, d.result.reason])).toEqual([
        ['registered', 'CLEAR'],
      ]);

      // Onfido reopens the check; it completes again later, with another verdict.
      await emulator.reopenCheck(session.attemptId!);
      expect((await idv.getResult(session)).status).toBe('pending');
      emulator.setVerdict(session.subjectId, { reason: 'CAUTION_DATA_COMPARISON' });
      emulator.clock.advance(60_000);
      await emulator.completeChecks();

      const completions = emulator
        .deliveries()
        .filter((d) => JSON.parse(d.body).payload.action === 'check.completed');
      expect(completions).toHaveLength(2);
      expect(completions.every((d) => d.answeredStatus === 200)).toBe(true);
      expect((await store.counts()).queued).toBeGreaterThan(0);

      await processor.drain();
      expect(handled.map((d) => [d.event.type, d.result.status, d.result.reason])).toEqual([
        ['check.completed', 'registered', 'CLEAR'],
        ['check.completed', 'awaiting_registration', 'CAUTION_DATA_COMPARISON'],
      ]);
      const [first, second] = handled;
      expect(second!.event.dedupeKey).not.toBe(first!.event.dedupeKey);
      expect(second!.event.session.attemptId).toBe(session.attemptId);
      expect(second!.bytes).toBeGreaterThan(0);

      // A redelivery of the second completion is still a duplicate.
      const queued = (await store.counts()).queued;
      expect(await deliver(completions[1]!)).toBe(200);
      expect((await store.counts()).queued).toBe(queued);
      expect(await processor.drain()).toMatchObject({ completed: 0 });
    } finally {
      route = undefined;
    }
  });
});

describe('checks Onfido holds', () => {
  it('lists paused and awaiting_applicant as the statuses it holds', () => {
    expect([...HELD_CHECK_STATUSES].sort()).toEqual(['awaiting_applicant', 'paused']);
  });

  it('reports a paused check as awaiting registration (UNKNOWN), and completes it once resumed', async () => {
    const idv = await createProvider(emulator.config({ autoRegistration: true }));
    const session = await submitted(idv, 'identity-paused');
    emulator.holdCheck(session.attemptId!, 'paused');

    const held = await idv.getResult(session);
    expect(held.status).toBe('awaiting_registration');
    expect(held.reasons).toEqual(['UNKNOWN']);
    expect(held.providerLabels).toEqual([{ source: 'check.status', value: 'paused' }]);
    const check = await fetch(`https://api.eu.onfido.com/v3.6/checks/${session.attemptId}`, {
      headers: { Authorization: `Token token=${emulator.apiToken}` },
    });
    expect(await check.json()).toMatchObject({ status: 'paused', paused: true });

    await resumeOnfidoCheck(idv, held.session);
    expect(emulator.requestCount('POST', /\/checks\/[^/]+\/resume$/)).toBe(1);
    expect((await idv.getResult(session)).status).toBe('pending');
    await emulator.completeChecks();
    const done = await idv.getResult(session);
    expect([done.status, done.reason]).toEqual(['registered', 'CLEAR']);
  });

  it('reports a check awaiting the applicant as awaiting registration (UNKNOWN)', async () => {
    const idv = await createProvider(emulator.config({ autoRegistration: true }));
    const session = await submitted(idv, 'identity-awaiting-applicant');
    emulator.holdCheck(session.attemptId!, 'awaiting_applicant');
    const held = await idv.getResult(session);
    expect([held.status, held.reason]).toEqual(['awaiting_registration', 'UNKNOWN']);
    expect(held.providerLabels).toEqual([{ source: 'check.status', value: 'awaiting_applicant' }]);
    // Found from the applicant id alone as well.
    const bySubject = await idv.getResult({ provider: 'onfido', subjectId: session.subjectId });
    expect(bySubject.reason).toBe('UNKNOWN');
  });

  it('refuses to resume a check that is not paused, or without a check id', async () => {
    const idv = await createProvider(emulator.config());
    const session = await submitted(idv, 'identity-not-paused');
    await expect(resumeOnfidoCheck(idv, session)).rejects.toMatchObject({ status: 422 });
    await expect(
      resumeOnfidoCheck(idv, { provider: 'onfido', subjectId: session.subjectId }),
    ).rejects.toMatchObject({ code: 'invalid_input', field: 'session.attemptId' });
  });
});
