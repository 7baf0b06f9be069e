/**
 * The Jumio mapping of outcomes.md, row by row, through the public interface
 * against the emulator. The expectations below are transcribed from the
 * reference (outcomes.md's Jumio table and jumio.md's label lists), not read
 * from the adapter's table, so the two check each other.
 */

import {
  createProvider,
  type ExtractedPerson,
  type IdentityVerificationProvider,
  REASON_CODES,
  type ReasonCode,
  type VerificationResult,
} from 'idv-providers';
import { JUMIO_MAPPING } from 'idv-providers/jumio';
import {
  createTestClock,
  JUMIO_SAMPLE_PERSON,
  type JumioCapabilityLabel,
  type JumioLabelVerdict,
} from 'idv-providers/testing';
import { describe, expect, it } from 'vitest';
import { useJumioEmulator } from './harness';

const { emulator } = useJumioEmulator();

type Type = JumioCapabilityLabel['type'];
type Expectation = [capability: string, type: Type, label: string, reason: ReasonCode];

const each = (
  capability: string,
  type: Type,
  labels: string[],
  reason: ReasonCode,
): Expectation[] => labels.map((label) => [capability, type, label, reason]);

/** outcomes.md, "Jumio labels → reason codes", one entry per label jumio.md lists. */
const SPEC: Record<string, Expectation[]> = {
  'usability rejected → REJECTED_IMAGE_INTEGRITY': each(
    'usability',
    'REJECTED',
    [
      'BAD_QUALITY',
      'BLURRED',
      'GLARE',
      'PART_OF_DOCUMENT_MISSING',
      'PART_OF_DOCUMENT_HIDDEN',
      'DAMAGED_DOCUMENT',
      'MISSING_PAGE',
      'MISSING_SIGNATURE',
      'BLACK_WHITE',
      'PHOTOCOPY',
      'NOT_A_DOCUMENT',
      'NOT_UPLOADED',
      'TECHNICAL_ERROR',
    ],
    'REJECTED_IMAGE_INTEGRITY',
  ),
  'liveness rejected for capture quality; similarity NOT_POSSIBLE → REJECTED_IMAGE_INTEGRITY': [
    ...each(
      'liveness',
      'REJECTED',
      ['LIVENESS_UNDETERMINED', 'NO_FACE_PRESENT', 'FACE_NOT_FULLY_VISIBLE', 'BLACK_WHITE'],
      'REJECTED_IMAGE_INTEGRITY',
    ),
    ['similarity', 'WARNING', 'NOT_POSSIBLE', 'REJECTED_IMAGE_INTEGRITY'],
  ],
  'imageChecks rejected → SUSPECTED_VISUAL_CONSISTENCY': each(
    'imageChecks',
    'REJECTED',
    [
      'MANIPULATED_DOCUMENT',
      'DIGITAL_MANIPULATION',
      'DIGITAL_COPY',
      'WATERMARK',
      'GHOST_IMAGE_DIFFERENT',
      'MISMATCH_FRONT_BACK',
      'PUNCHED',
      'CHIP_MISSING',
      'OTHER_REJECTION',
    ],
    'SUSPECTED_VISUAL_CONSISTENCY',
  ),
  'imageChecks FAKE, SAMPLE; dataChecks HIGH_FRAUD_RISK → SUSPECTED_COMPROMISED_DOCUMENT': [
    ...each('imageChecks', 'REJECTED', ['FAKE', 'SAMPLE'], 'SUSPECTED_COMPROMISED_DOCUMENT'),
    ['dataChecks', 'REJECTED', 'HIGH_FRAUD_RISK', 'SUSPECTED_COMPROMISED_DOCUMENT'],
  ],
  'dataChecks MRZ_CHECKSUM, NFC_CERTIFICATE → SUSPECTED_DATA_VALIDATION': each(
    'dataChecks',
    'REJECTED',
    ['MRZ_CHECKSUM', 'NFC_CERTIFICATE'],
    'SUSPECTED_DATA_VALIDATION',
  ),
  'dataChecks MISMATCHING_DATAPOINTS, MISMATCH_HRZ_MRZ_DATA → SUSPECTED_DATA_CONSISTENCY': each(
    'dataChecks',
    'REJECTED',
    ['MISMATCHING_DATAPOINTS', 'MISMATCH_HRZ_MRZ_DATA'],
    'SUSPECTED_DATA_CONSISTENCY',
  ),
  'liveness spoofing; similarity NO_MATCH → SUSPECTED_FACE_COMPARISON': [
    ...each(
      'liveness',
      'REJECTED',
      ['ID_USED_AS_SELFIE', 'DIGITAL_COPY', 'PHOTOCOPY', 'MANIPULATED', 'MULTIPLE_PEOPLE'],
      'SUSPECTED_FACE_COMPARISON',
    ),
    ['similarity', 'REJECTED', 'NO_MATCH', 'SUSPECTED_FACE_COMPARISON'],
  ],
  'warnings DIFFERENT_PERSON, REPEATED_FACE, AGE_DIFFERENCE → CAUTION_FACIAL_COMPARISON': [
    ...each(
      'imageChecks',
      'WARNING',
      ['DIFFERENT_PERSON', 'REPEATED_FACE'],
      'CAUTION_FACIAL_COMPARISON',
    ),
    ['liveness', 'WARNING', 'AGE_DIFFERENCE', 'CAUTION_FACIAL_COMPARISON'],
  ],
  'warnings DOCUMENT_EXPIRY_WITHIN_CONFIGURED_LIMIT, UNSUPPORTED_* → CAUTION_DATA_VALIDATION': [
    ['dataChecks', 'WARNING', 'DOCUMENT_EXPIRY_WITHIN_CONFIGURED_LIMIT', 'CAUTION_DATA_VALIDATION'],
    ...each(
      'usability',
      'WARNING',
      ['UNSUPPORTED_COUNTRY', 'UNSUPPORTED_DOCUMENT_TYPE'],
      'CAUTION_DATA_VALIDATION',
    ),
  ],
  'watchlistScreening ALERT → CAUTION_WATCHLIST': [
    ['watchlistScreening', 'WARNING', 'ALERT', 'CAUTION_WATCHLIST'],
  ],
  // Not in outcomes.md's table: a quality warning (not a rejection) goes to review.
  'liveness warning BAD_QUALITY → CAUTION_IMAGE_INTEGRITY (adapter decision)': [
    ['liveness', 'WARNING', 'BAD_QUALITY', 'CAUTION_IMAGE_INTEGRITY'],
  ],
  'a capability skipped for a technical error → UNKNOWN (adapter decision)': [
    ['watchlistScreening', 'NOT_EXECUTED', 'TECHNICAL_ERROR', 'UNKNOWN'],
  ],
};

const PASSED: Expectation[] = [
  ['usability', 'PASSED', 'OK', 'CLEAR'],
  ['imageChecks', 'PASSED', 'OK', 'CLEAR'],
  ['extraction', 'PASSED', 'OK', 'CLEAR'],
  ['dataChecks', 'PASSED', 'OK', 'CLEAR'],
  ['liveness', 'PASSED', 'OK', 'CLEAR'],
  ['similarity', 'PASSED', 'MATCH', 'CLEAR'],
  ['watchlistScreening', 'PASSED', 'OK', 'CLEAR'],
];

const STATUS: Record<string, [auto: string, manual: string]> = {
  CLEAR: ['registered', 'awaiting_registration'],
  CAUTION: ['awaiting_registration', 'awaiting_registration'],
  SUSPECTED: ['rejected', 'rejected'],
  REJECTED: ['retry', 'retry'],
  EXPIRED: ['retry', 'retry'],
  UNKNOWN: ['awaiting_registration', 'awaiting_registration'],
};
const family = (reason: ReasonCode) =>
  reason === 'CLEAR' || reason === 'EXPIRED' || reason === 'UNKNOWN'
    ? reason
    : reason.split('_')[0]!;

async function run(
  verdict: JumioLabelVerdict | { expire: 'SESSION_EXPIRED' | 'TOKEN_EXPIRED' },
  autoRegistration = false,
): Promise<{ result: VerificationResult; idv: IdentityVerificationProvider }> {
  const idv = await createProvider(emulator.config({ autoRegistration, clock: createTestClock() }));
  const { session } = await idv.startVerification({ identityReference: 'identity-map' });
  if ('expire' in verdict) emulator.setExpiry(session.subjectId, verdict.expire);
  else emulator.setLabels(session.subjectId, verdict);
  await emulator.completeCustomerJourney(session);
  return { result: await idv.getResult(session), idv };
}

const PERSON: Required<ExtractedPerson> = {
  firstName: 'MARÍA JOSÉ',
  lastName: 'GARCÍA LÓPEZ',
  dateOfBirth: '1984-02-29',
  documentType: 'ID_CARD',
  documentNumber: 'CAA123456',
  nationality: 'ESP',
  issuingCountry: 'ESP',
  documentExpiry: '2029-11-30',
};

describe('decision PASSED → CLEAR', () => {
  it.each([false, true])('every capability passed (auto-registration %s)', async (auto) => {
    const { result } = await run({ person: PERSON }, auto);
    expect(result.reason).toBe('CLEAR');
    expect(result.reasons).toEqual(['CLEAR']);
    expect(result.status).toBe(auto ? 'registered' : 'awaiting_registration');
    expect(result.statusSource).toBe('mapping');
    expect(result.person).toEqual(PERSON);
    expect(result.providerLabels.slice(0, 3)).toEqual([
      { source: 'workflow.status', value: 'PROCESSED' },
      { source: 'decision.type', value: 'PASSED' },
      { source: 'decision.details.label', value: 'PASSED' },
    ]);
  });

  it.each(PASSED)('%s %s %s is CLEAR', async (capability, type, label) => {
    const { result } = await run({ capabilities: [{ capability, type, label }] }, true);
    expect(result).toMatchObject({ reason: 'CLEAR', reasons: ['CLEAR'], status: 'registered' });
    expect(result.providerLabels).toContainEqual({
      source: `capabilities.${capability}`,
      value: `${capability}.${type}.${label}`,
    });
  });
});

for (const [row, expectations] of Object.entries(SPEC)) {
  describe(row, () => {
    it.each(expectations)('%s %s %s', async (capability, type, label, reason) => {
      const [auto, manual] = STATUS[family(reason)]!;
      const verdict: JumioLabelVerdict = {
        capabilities: [{ capability, type, label }],
        person: PERSON,
      };
      const on = (await run(verdict, true)).result;
      const off = (await run(verdict, false)).result;
      for (const [result, status] of [
        [on, auto],
        [off, manual],
      ] as const) {
        expect(result.reason).toBe(reason);
        expect(result.reasons).toEqual([reason]);
        expect(result.status).toBe(status);
        expect(result.providerLabels).toContainEqual({
          source: `capabilities.${capability}`,
          value: `${capability}.${type}.${label}`,
        });
      }
      // The person is read whenever extraction ran; a rejected document skips it.
      const extractionRan = !(capability === 'usability' && type === 'REJECTED');
      expect(on.person).toEqual(extractionRan ? PERSON : null);
    });
  });
}

describe('the adapter table has exactly the rows of the reference', () => {
  it('lists every expectation above and nothing else', () => {
    const expected = [...PASSED, ...Object.values(SPEC).flat()]
      .filter(([, type]) => type !== 'NOT_EXECUTED')
      .map(([c, t, l, r]) => `${c}.${t}.${l} → ${r}`)
      .sort();
    const actual = JUMIO_MAPPING.filter((row) => row.capability !== '*')
      .map((row) => `${row.key} → ${row.reason}`)
      .sort();
    expect(actual).toEqual(expected);
  });
});

describe('workflow SESSION_EXPIRED or TOKEN_EXPIRED → EXPIRED', () => {
  it.each(['SESSION_EXPIRED', 'TOKEN_EXPIRED'] as const)(
    '%s is EXPIRED → retry',
    async (status) => {
      for (const auto of [true, false]) {
        const { result } = await run({ expire: status }, auto);
        expect(result).toMatchObject({
          status: 'retry',
          reason: 'EXPIRED',
          reasons: ['EXPIRED'],
          person: null,
        });
        expect(result.providerLabels).toEqual([{ source: 'workflow.status', value: status }]);
      }
    },
  );
});

describe('anything else → UNKNOWN (never CLEAR)', () => {
  const cases: Array<[string, JumioLabelVerdict]> = [
    [
      'an unseen label',
      {
        capabilities: [{ capability: 'imageChecks', type: 'REJECTED', label: 'HOLOGRAM_MISSING' }],
      },
    ],
    [
      'a known label under another decision type',
      { capabilities: [{ capability: 'similarity', type: 'PASSED', label: 'NO_MATCH' }] },
    ],
    [
      'an unknown capability',
      { capabilities: [{ capability: 'deviceRisk', type: 'PASSED', label: 'OK' }] },
    ],
    ['an unexplained WARNING decision', { decision: 'WARNING' }],
    ['an unexplained REJECTED decision', { decision: 'REJECTED', decisionLabel: 'CUSTOM_RULE' }],
    [
      'an unknown decision type',
      { decision: 'MAYBE' as NonNullable<JumioLabelVerdict['decision']> },
    ],
    [
      'checks skipped with nothing failed',
      {
        capabilities: [
          { capability: 'dataChecks', type: 'NOT_EXECUTED', label: 'PRECONDITION_NOT_FULFILLED' },
        ],
      },
    ],
  ];
  it.each(cases)('%s', async (_name, verdict) => {
    for (const auto of [true, false]) {
      const { result } = await run(verdict, auto);
      expect(result).toMatchObject({
        reason: 'UNKNOWN',
        reasons: ['UNKNOWN'],
        status: 'awaiting_registration',
      });
    }
  });
});

describe('several findings: the most severe family decides, all reasons are kept', () => {
  it('orders SUSPECTED before REJECTED before CAUTION', async () => {
    const { result } = await run({
      capabilities: [
        { capability: 'watchlistScreening', type: 'WARNING', label: 'ALERT' },
        { capability: 'liveness', type: 'REJECTED', label: 'NO_FACE_PRESENT' },
        { capability: 'similarity', type: 'REJECTED', label: 'NO_MATCH' },
        {
          capability: 'dataChecks',
          type: 'WARNING',
          label: 'DOCUMENT_EXPIRY_WITHIN_CONFIGURED_LIMIT',
        },
      ],
    });
    expect(result.reason).toBe('SUSPECTED_FACE_COMPARISON');
    expect(result.reasons).toEqual([
      'SUSPECTED_FACE_COMPARISON',
      'REJECTED_IMAGE_INTEGRITY',
      'CAUTION_DATA_VALIDATION',
      'CAUTION_WATCHLIST',
    ]);
    expect(result.status).toBe('rejected');
  });

  it('keeps an unknown label beside a known failure', async () => {
    const { result } = await run({
      capabilities: [
        { capability: 'imageChecks', type: 'REJECTED', label: 'FAKE' },
        { capability: 'dataChecks', type: 'REJECTED', label: 'BRAND_NEW_CHECK' },
      ],
    });
    expect(result.reasons).toEqual(['SUSPECTED_COMPROMISED_DOCUMENT', 'UNKNOWN']);
  });

  it('does not let a PASSED decision hide a failed capability', async () => {
    const { result } = await run(
      {
        decision: 'PASSED',
        capabilities: [{ capability: 'dataChecks', type: 'REJECTED', label: 'MRZ_CHECKSUM' }],
      },
      true,
    );
    expect(result).toMatchObject({ reason: 'SUSPECTED_DATA_VALIDATION', status: 'rejected' });
  });

  it('reads no reason from checks skipped because the document was unusable', async () => {
    const { result } = await run({
      capabilities: [{ capability: 'usability', type: 'REJECTED', label: 'GLARE' }],
    });
    expect(result.reasons).toEqual(['REJECTED_IMAGE_INTEGRITY']);
    expect(result.providerLabels).toContainEqual({
      source: 'capabilities.imageChecks',
      value: 'imageChecks.NOT_EXECUTED.PRECONDITION_NOT_FULFILLED',
    });
    expect(result.person).toBeNull();
  });
});

describe('setVerdict by reason code', () => {
  const supported: ReasonCode[] = [
    'CLEAR',
    'REJECTED_IMAGE_INTEGRITY',
    'SUSPECTED_VISUAL_CONSISTENCY',
    'SUSPECTED_COMPROMISED_DOCUMENT',
    'SUSPECTED_DATA_VALIDATION',
    'SUSPECTED_DATA_CONSISTENCY',
    'SUSPECTED_FACE_COMPARISON',
    'CAUTION_FACIAL_COMPARISON',
    'CAUTION_IMAGE_INTEGRITY',
    'CAUTION_DATA_VALIDATION',
    'CAUTION_WATCHLIST',
    'EXPIRED',
    'UNKNOWN',
  ];

  it.each(supported)('%s comes back as %s', async (reason) => {
    const idv = await createProvider(emulator.config({ clock: createTestClock() }));
    const { session } = await idv.startVerification({ identityReference: 'identity-reason' });
    emulator.setVerdict(session.subjectId, { reason, person: PERSON });
    await emulator.completeCustomerJourney(session);
    const result = await idv.getResult(session);
    expect(result.reason).toBe(reason);
    expect(result.reasons).toEqual([reason]);
    const documentRead = reason !== 'EXPIRED' && reason !== 'REJECTED_IMAGE_INTEGRITY';
    expect(result.person).toEqual(documentRead ? PERSON : null);
  });

  it('uses the sample person unless told otherwise', async () => {
    const idv = await createProvider(emulator.config());
    const { session } = await idv.startVerification({ identityReference: 'identity-sample' });
    await emulator.completeCustomerJourney(session);
    expect((await idv.getResult(session)).person).toEqual(JUMIO_SAMPLE_PERSON);
  });

  it('refuses reasons no Jumio verdict produces', async () => {
    const idv = await createProvider(emulator.config());
    const { session } = await idv.startVerification({ identityReference: 'identity-none' });
    for (const reason of REASON_CODES.filter((r) => !supported.includes(r))) {
      expect(() => emulator.setVerdict(session.subjectId, { reason })).toThrow(`maps to ${reason}`);
    }
  });
});

describe('the host policy', () => {
  it('sees the person and may change the status', async () => {
    const idv = await createProvider(emulator.config({ autoRegistration: true }), {
      policy: (result) =>
        result.status === 'registered' && (result.person?.dateOfBirth ?? '') > '2008-01-01'
          ? { status: 'awaiting_registration', note: 'under 18' }
          : undefined,
    });
    const { session } = await idv.startVerification({ identityReference: 'identity-minor' });
    emulator.setVerdict(session.subjectId, {
      reason: 'CLEAR',
      person: { ...PERSON, dateOfBirth: '2010-06-01' },
    });
    await emulator.completeCustomerJourney(session);
    const result = await idv.getResult(session);
    expect(result).toMatchObject({
      reason: 'CLEAR',
      status: 'awaiting_registration',
      statusSource: 'policy',
      policyOverride: { from: 'registered', to: 'awaiting_registration', note: 'under 18' },
    });
  });
});
