import {
  CAUTION_REASONS,
  type FinalStatus,
  isReasonCode,
  REASON_CODES,
  REJECTED_REASONS,
  type ReasonCode,
  reasonFamily,
  SUSPECTED_REASONS,
  statusForReason,
} from 'idv-providers';
import { decideOutcome, mapLabels, orderReasons } from 'idv-providers/kit';
import { describe, expect, it } from 'vitest';

const session = { provider: 'test', subjectId: 'applicant-1', attemptId: 'check-1' };

// The reason -> status rule of the README's "Outcomes" table, written out row by row.
const expected: Record<ReasonCode, { off: FinalStatus; on: FinalStatus }> = {
  CLEAR: { off: 'awaiting_registration', on: 'registered' },
  CAUTION_VISUAL_CONSISTENCY: { off: 'awaiting_registration', on: 'awaiting_registration' },
  CAUTION_IMAGE_INTEGRITY: { off: 'awaiting_registration', on: 'awaiting_registration' },
  CAUTION_DATA_COMPARISON: { off: 'awaiting_registration', on: 'awaiting_registration' },
  CAUTION_FACIAL_COMPARISON: { off: 'awaiting_registration', on: 'awaiting_registration' },
  CAUTION_DATA_VALIDATION: { off: 'awaiting_registration', on: 'awaiting_registration' },
  CAUTION_DATA_CONSISTENCY: { off: 'awaiting_registration', on: 'awaiting_registration' },
  CAUTION_WATCHLIST: { off: 'awaiting_registration', on: 'awaiting_registration' },
  SUSPECTED_COMPROMISED_DOCUMENT: { off: 'rejected', on: 'rejected' },
  SUSPECTED_DATA_CONSISTENCY: { off: 'rejected', on: 'rejected' },
  SUSPECTED_POLICE_RECORD: { off: 'rejected', on: 'rejected' },
  SUSPECTED_VISUAL_CONSISTENCY: { off: 'rejected', on: 'rejected' },
  SUSPECTED_DATA_VALIDATION: { off: 'rejected', on: 'rejected' },
  SUSPECTED_FACE_COMPARISON: { off: 'rejected', on: 'rejected' },
  REJECTED_AGE_VALIDATION: { off: 'retry', on: 'retry' },
  REJECTED_IMAGE_INTEGRITY: { off: 'retry', on: 'retry' },
  EXPIRED: { off: 'retry', on: 'retry' },
  UNKNOWN: { off: 'awaiting_registration', on: 'awaiting_registration' },
};

describe('reason codes', () => {
  it('lists every code of the outcome model exactly once', () => {
    expect(new Set(REASON_CODES).size).toBe(REASON_CODES.length);
    expect([...REASON_CODES].sort()).toEqual(Object.keys(expected).sort());
  });

  it.each(REASON_CODES.map((r) => [r]))(
    '%s maps to its status with auto-registration off and on',
    async (reason) => {
      expect(statusForReason(reason, false)).toBe(expected[reason].off);
      expect(statusForReason(reason, true)).toBe(expected[reason].on);
      const off = await decideOutcome({ session, pending: false, reasons: [reason] });
      const on = await decideOutcome(
        { session, pending: false, reasons: [reason] },
        { autoRegistration: true },
      );
      expect(off.status).toBe(expected[reason].off);
      expect(on.status).toBe(expected[reason].on);
      expect(on.reason).toBe(reason);
      expect(on.reasons).toEqual([reason]);
      expect(on.statusSource).toBe('mapping');
    },
  );

  it('knows each family', () => {
    expect(reasonFamily('CLEAR')).toBe('CLEAR');
    expect(reasonFamily('EXPIRED')).toBe('EXPIRED');
    expect(reasonFamily('UNKNOWN')).toBe('UNKNOWN');
    for (const r of CAUTION_REASONS) expect(reasonFamily(r)).toBe('CAUTION');
    for (const r of SUSPECTED_REASONS) expect(reasonFamily(r)).toBe('SUSPECTED');
    for (const r of REJECTED_REASONS) expect(reasonFamily(r)).toBe('REJECTED');
  });

  it('recognises only its own codes', () => {
    expect(isReasonCode('CLEAR')).toBe(true);
    expect(isReasonCode('clear')).toBe(false);
    expect(isReasonCode('CAUTION_DATA_COMPARISO')).toBe(false);
    expect(isReasonCode(42)).toBe(false);
  });
});

describe('orderReasons', () => {
  it('puts the most severe family first: SUSPECTED, REJECTED, EXPIRED, CAUTION, UNKNOWN', () => {
    expect(
      orderReasons([
        'UNKNOWN',
        'CAUTION_DATA_COMPARISON',
        'REJECTED_IMAGE_INTEGRITY',
        'SUSPECTED_POLICE_RECORD',
        'CAUTION_VISUAL_CONSISTENCY',
      ]),
    ).toEqual([
      'SUSPECTED_POLICE_RECORD',
      'REJECTED_IMAGE_INTEGRITY',
      'CAUTION_VISUAL_CONSISTENCY',
      'CAUTION_DATA_COMPARISON',
      'UNKNOWN',
    ]);
  });

  it('gives the same order whatever order the reasons came in', () => {
    const a = orderReasons(['SUSPECTED_DATA_VALIDATION', 'SUSPECTED_COMPROMISED_DOCUMENT']);
    const b = orderReasons(['SUSPECTED_COMPROMISED_DOCUMENT', 'SUSPECTED_DATA_VALIDATION']);
    expect(a).toEqual(b);
    expect(a[0]).toBe('SUSPECTED_COMPROMISED_DOCUMENT');
  });

  it('drops CLEAR beside other reasons and removes duplicates', () => {
    expect(orderReasons(['CLEAR', 'CAUTION_WATCHLIST', 'CAUTION_WATCHLIST'])).toEqual([
      'CAUTION_WATCHLIST',
    ]);
    expect(orderReasons(['CLEAR', 'CLEAR'])).toEqual(['CLEAR']);
  });

  it('fails closed: no reasons at all is UNKNOWN, not CLEAR', async () => {
    expect(orderReasons([])).toEqual(['UNKNOWN']);
    const result = await decideOutcome(
      { session, pending: false, reasons: [] },
      { autoRegistration: true },
    );
    expect(result.status).toBe('awaiting_registration');
    expect(result.reason).toBe('UNKNOWN');
  });
});

describe('decideOutcome', () => {
  it('reports pending without reasons and without asking the policy', async () => {
    let asked = 0;
    const result = await decideOutcome(
      { session, pending: true, reasons: ['CLEAR'] },
      {
        autoRegistration: true,
        policy: () => {
          asked++;
          return 'rejected';
        },
      },
    );
    expect(result).toMatchObject({
      status: 'pending',
      reason: null,
      reasons: [],
      statusSource: 'mapping',
    });
    expect(asked).toBe(0);
  });

  it('carries the person, labels and completion time', async () => {
    const person = { firstName: 'Ada', lastName: 'Lovelace', dateOfBirth: '1990-12-10' };
    const labels = [{ source: 'check.result', value: 'clear' }];
    const result = await decideOutcome({
      session,
      pending: false,
      reasons: ['CLEAR'],
      person,
      providerLabels: labels,
      completedAt: '2026-01-01T00:00:00Z',
    });
    expect(result.person).toEqual(person);
    expect(result.providerLabels).toEqual(labels);
    expect(result.completedAt).toBe('2026-01-01T00:00:00Z');
    expect(result.session).toEqual(session);
    expect(result.provider).toBe('test');
  });

  it('lets the policy change the status and records that it did', async () => {
    const result = await decideOutcome(
      { session, pending: false, reasons: ['CLEAR'], person: { dateOfBirth: '2012-05-01' } },
      {
        autoRegistration: true,
        policy: (r) =>
          r.person?.dateOfBirth?.startsWith('2012')
            ? { status: 'awaiting_registration', note: 'under 18' }
            : undefined,
      },
    );
    expect(result.status).toBe('awaiting_registration');
    expect(result.statusSource).toBe('policy');
    expect(result.policyOverride).toEqual({
      from: 'registered',
      to: 'awaiting_registration',
      note: 'under 18',
    });
    expect(result.reason).toBe('CLEAR');
  });

  it('accepts a bare status from an async policy', async () => {
    const result = await decideOutcome(
      { session, pending: false, reasons: ['CAUTION_DATA_COMPARISON'] },
      { policy: async () => 'registered' as const },
    );
    expect(result.status).toBe('registered');
    expect(result.policyOverride).toEqual({ from: 'awaiting_registration', to: 'registered' });
  });

  it('records nothing when the policy keeps the status or answers nothing', async () => {
    for (const answer of [undefined, null, 'registered'] as const) {
      const result = await decideOutcome(
        { session, pending: false, reasons: ['CLEAR'] },
        { autoRegistration: true, policy: () => answer },
      );
      expect(result.status).toBe('registered');
      expect(result.statusSource).toBe('mapping');
      expect(result.policyOverride).toBeUndefined();
    }
  });

  it('ignores a policy answer that is not a final status', async () => {
    const result = await decideOutcome(
      { session, pending: false, reasons: ['UNKNOWN'] },
      { policy: () => 'pending' as never },
    );
    expect(result.status).toBe('awaiting_registration');
    expect(result.statusSource).toBe('mapping');
  });

  it('gives the policy a frozen copy it cannot use to alter the result', async () => {
    const result = await decideOutcome(
      { session, pending: false, reasons: ['REJECTED_IMAGE_INTEGRITY'] },
      {
        policy: (r) => {
          expect(Object.isFrozen(r)).toBe(true);
          (r.reasons as string[]).push('CLEAR');
          return undefined;
        },
      },
    );
    expect(result.reasons).toEqual(['REJECTED_IMAGE_INTEGRITY']);
  });
});

describe('mapLabels', () => {
  const table = [
    { key: 'document.image_integrity', reason: 'REJECTED_IMAGE_INTEGRITY' },
    { key: 'document.police_record', reason: 'SUSPECTED_POLICE_RECORD' },
  ] as const;

  it('reads each label through its row', () => {
    expect(mapLabels(table, ['document.police_record', 'document.image_integrity'])).toEqual({
      reasons: ['SUSPECTED_POLICE_RECORD', 'REJECTED_IMAGE_INTEGRITY'],
      unmatched: [],
    });
  });

  it('turns a label with no row into UNKNOWN and reports it', () => {
    expect(mapLabels(table, ['document.visual_consistency'])).toEqual({
      reasons: ['UNKNOWN'],
      unmatched: ['document.visual_consistency'],
    });
  });
});
