/**
 * End to end through the public interface: `createProvider(config)` against the
 * emulator, one verification per reason code, as a host runs it.
 */
import {
  createProvider,
  type FinalStatus,
  type IdentityVerificationProvider,
  type ReasonCode,
  type SessionRef,
} from 'idv-providers';
import type { OnfidoOutcome } from 'idv-providers/testing';
import { describe, expect, it } from 'vitest';
import { ADA, GRACE, useOnfidoEmulator } from './helpers';

const { emulator } = useOnfidoEmulator();

const WITH_KNOWN_FACES = { reportNames: ['document', 'facial_similarity_photo', 'known_faces'] };

/** The outcome model (README.md, "Outcomes"): reason → status with auto-registration on, and off. */
const CASES: ReadonlyArray<[ReasonCode, FinalStatus, FinalStatus]> = [
  ['CLEAR', 'registered', 'awaiting_registration'],
  ['SUSPECTED_COMPROMISED_DOCUMENT', 'rejected', 'rejected'],
  ['SUSPECTED_DATA_CONSISTENCY', 'rejected', 'rejected'],
  ['SUSPECTED_POLICE_RECORD', 'rejected', 'rejected'],
  ['SUSPECTED_VISUAL_CONSISTENCY', 'rejected', 'rejected'],
  ['SUSPECTED_DATA_VALIDATION', 'rejected', 'rejected'],
  ['SUSPECTED_FACE_COMPARISON', 'rejected', 'rejected'],
  ['REJECTED_AGE_VALIDATION', 'retry', 'retry'],
  ['REJECTED_IMAGE_INTEGRITY', 'retry', 'retry'],
  ['CAUTION_VISUAL_CONSISTENCY', 'awaiting_registration', 'awaiting_registration'],
  ['CAUTION_IMAGE_INTEGRITY', 'awaiting_registration', 'awaiting_registration'],
  ['CAUTION_DATA_COMPARISON', 'awaiting_registration', 'awaiting_registration'],
  ['CAUTION_FACIAL_COMPARISON', 'awaiting_registration', 'awaiting_registration'],
  ['CAUTION_DATA_VALIDATION', 'awaiting_registration', 'awaiting_registration'],
  ['CAUTION_DATA_CONSISTENCY', 'awaiting_registration', 'awaiting_registration'],
  ['UNKNOWN', 'awaiting_registration', 'awaiting_registration'],
  ['EXPIRED', 'retry', 'retry'],
];

async function providers(extra: Record<string, unknown> = {}) {
  const auto = await createProvider(emulator.config({ autoRegistration: true, ...extra }));
  const manual = await createProvider(emulator.config({ autoRegistration: false, ...extra }));
  return { auto, manual };
}

async function start(idv: IdentityVerificationProvider) {
  return idv.startVerification({ identityReference: 'identity-7', person: ADA });
}

describe('one verification per reason code', () => {
  it.each(CASES)('%s → %s (auto-registration on) / %s (off)', async (reason, on, off) => {
    const extra = reason === 'SUSPECTED_FACE_COMPARISON' ? WITH_KNOWN_FACES : {};
    const { auto, manual } = await providers(extra);
    const started = await start(auto);
    emulator.setVerdict(started.session.subjectId, { reason, person: GRACE });

    const before = await auto.getResult(started.session);
    expect(before.status).toBe('pending');
    expect(before.reason).toBeNull();

    await emulator.completeCustomerJourney(started.session);
    const session: SessionRef =
      reason === 'EXPIRED' ? started.session : await auto.completeCapture(started.session);

    const withAuto = await auto.getResult(session);
    const withoutAuto = await manual.getResult(session);
    expect(withAuto.reason).toBe(reason);
    expect(withAuto.reasons).toEqual([reason]);
    expect(withAuto.status).toBe(on);
    expect(withoutAuto.reason).toBe(reason);
    expect(withoutAuto.reasons).toEqual([reason]);
    expect(withoutAuto.status).toBe(off);
    expect(withAuto.statusSource).toBe('mapping');
    expect(withAuto.session.subjectId).toBe(started.session.subjectId);

    const expectPerson = reason !== 'EXPIRED' && reason !== 'UNKNOWN';
    expect(withAuto.person).toEqual(expectPerson ? GRACE : null);

    if (reason !== 'EXPIRED') {
      expect(withAuto.session.attemptId).toBe(session.attemptId);
      // The completion webhook names the check, and verifies.
      const delivery = emulator
        .deliveries()
        .find((d) => JSON.parse(d.body).payload.action === 'check.completed');
      expect(delivery).toBeDefined();
      const event = await auto.verifyWebhook({ body: delivery!.body, headers: delivery!.headers });
      expect(event).toMatchObject({
        type: 'check.completed',
        actionable: true,
        session: { attemptId: session.attemptId },
      });
    }
  });
});

describe('several reasons at once', () => {
  async function run(outcome: OnfidoOutcome, extra: Record<string, unknown> = {}) {
    const { auto } = await providers(extra);
    const started = await start(auto);
    emulator.setOutcome(started.session.subjectId, outcome);
    await emulator.completeCustomerJourney(started.session);
    return auto.getResult(await auto.completeCapture(started.session));
  }

  it('puts SUSPECTED first and keeps the others, in the fixed order', async () => {
    const result = await run({
      reports: {
        document: {
          subResult: 'suspected',
          consider: ['visual_authenticity', 'data_consistency', 'compromised_document'],
        },
        facial_similarity: { consider: ['face_comparison'] },
      },
    });
    expect(result.reasons).toEqual([
      'SUSPECTED_COMPROMISED_DOCUMENT',
      'SUSPECTED_DATA_CONSISTENCY',
      'SUSPECTED_VISUAL_CONSISTENCY',
      'CAUTION_FACIAL_COMPARISON',
    ]);
    expect(result.reason).toBe('SUSPECTED_COMPROMISED_DOCUMENT');
    expect(result.status).toBe('rejected');
  });

  it('a rejected document outranks a facial caution: retry', async () => {
    const result = await run({
      reports: {
        document: { subResult: 'rejected', consider: ['image_integrity'] },
        facial_similarity: { consider: ['visual_authenticity', 'image_integrity'] },
      },
    });
    expect(result.reasons).toEqual([
      'REJECTED_IMAGE_INTEGRITY',
      'CAUTION_VISUAL_CONSISTENCY',
      'CAUTION_IMAGE_INTEGRITY',
    ]);
    expect(result.status).toBe('retry');
  });

  it('cautions only: a person reviews it even with auto-registration on', async () => {
    const result = await run({
      reports: {
        document: { subResult: 'caution', consider: ['data_comparison', 'visual_authenticity'] },
      },
    });
    expect(result.reasons).toEqual(['CAUTION_VISUAL_CONSISTENCY', 'CAUTION_DATA_COMPARISON']);
    expect(result.status).toBe('awaiting_registration');
  });

  it('a known face outranks document cautions', async () => {
    const result = await run(
      {
        reports: {
          document: { subResult: 'caution', consider: ['data_validation'] },
          known_faces: { consider: ['previously_seen_faces'] },
        },
      },
      WITH_KNOWN_FACES,
    );
    expect(result.reasons).toEqual(['SUSPECTED_FACE_COMPARISON', 'CAUTION_DATA_VALIDATION']);
    expect(result.status).toBe('rejected');
  });

  it('an unseen breakdown is kept as UNKNOWN beside the mapped reason', async () => {
    const result = await run({
      reports: {
        document: { subResult: 'caution', consider: ['data_comparison', 'new_breakdown'] },
      },
    });
    expect(result.reasons).toEqual(['CAUTION_DATA_COMPARISON', 'UNKNOWN']);
    expect(result.providerLabels).toContainEqual({
      source: 'document.breakdown.new_breakdown',
      value: 'consider',
    });
  });

  it('a breakdown of the spec without a row takes the family of its sub_result', async () => {
    const result = await run({
      reports: {
        document: { subResult: 'caution', consider: ['data_comparison', 'police_record'] },
      },
    });
    // docs/provider-facts.md#o-rep-5: the explicit sub_result decides (the generic caution row).
    expect(result.reasons).toEqual(['CAUTION_DATA_COMPARISON', 'CAUTION_DATA_VALIDATION']);
  });

  it('an unseen sub_result is kept as UNKNOWN beside the mapped reason', async () => {
    const result = await run({
      reports: {
        document: { subResult: 'new_sub_result', consider: ['data_comparison'] },
        facial_similarity: { consider: ['face_comparison'] },
      },
    });
    expect(result.reasons).toEqual(['CAUTION_FACIAL_COMPARISON', 'UNKNOWN']);
    expect(result.providerLabels).toContainEqual({
      source: 'document.sub_result',
      value: 'new_sub_result',
    });
  });
});

describe('check lifecycle', () => {
  it('finds the result from the applicant id alone', async () => {
    const { auto } = await providers();
    const started = await start(auto);
    emulator.setVerdict(started.session.subjectId, { reason: 'CAUTION_DATA_COMPARISON' });
    await emulator.completeCustomerJourney(started.session);
    const session = await auto.completeCapture(started.session);
    const result = await auto.getResult({
      provider: 'onfido',
      subjectId: started.session.subjectId,
    });
    expect(result.reason).toBe('CAUTION_DATA_COMPARISON');
    expect(result.session.attemptId).toBe(session.attemptId);
  });

  it('honours the sandbox consider / sub_result fields of POST /checks', async () => {
    const { auto } = await providers();
    const started = await start(auto);
    await emulator.completeCustomerJourney(started.session);
    const answer = await fetch('https://api.eu.onfido.com/v3.6/checks', {
      method: 'POST',
      headers: {
        Authorization: `Token token=${emulator.apiToken}`,
        'Content-Type': 'application/json',
      },
      body: JSON.stringify({
        applicant_id: started.session.subjectId,
        report_names: ['document', 'facial_similarity_photo'],
        consider: ['document', 'facial_similarity_photo'],
        sub_result: 'rejected',
      }),
    });
    expect(answer.status).toBe(201);
    const created = (await answer.json()) as { id: string; status: string };
    expect(created.status).toBe('in_progress');
    const result = await auto.getResult({ provider: 'onfido', attemptId: created.id });
    expect(result.reasons).toEqual(['REJECTED_IMAGE_INTEGRITY', 'CAUTION_FACIAL_COMPARISON']);
    expect(result.status).toBe('retry');
  });
});
