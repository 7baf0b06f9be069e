/**
 * The Jumio KYX mapping, row by row, through the public interface against the
 * emulator. The expectations below are transcribed by hand from the project's
 * record of Jumio's facts (docs/provider-facts.md, "Capability labels": one
 * entry per capability, decision type and label it lists) and the rule that
 * picks a reason for each (capture problem → REJECTED_*, retry; fraud or
 * manipulation → SUSPECTED_*, rejected; warning → CAUTION_*, review; a check
 * skipped because an earlier one failed → no reason of its own; a check that
 * could not run → UNKNOWN). They are not read from the adapter's table, so
 * the two check each other: a row changed in one place only fails here.
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
/** `null`: no reason of its own (skipped because an earlier capability failed). */
type Expectation = [capability: string, type: Type, label: string, reason: ReasonCode | null];

const each = (
  capability: string,
  type: Type,
  labels: string[],
  reason: ReasonCode | null,
): Expectation[] => labels.map((label) => [capability, type, label, reason]);

/** A capability skipped, or failed technically (the two NOT_EXECUTED labels nearly every capability has). */
const skippedOrFailed = (capability: string): Expectation[] => [
  [capability, 'NOT_EXECUTED', 'PRECONDITION_NOT_FULFILLED', null],
  [capability, 'NOT_EXECUTED', 'TECHNICAL_ERROR', 'UNKNOWN'],
];

/** The OK / DENY / ALERT checks of the 2023 guide (J-CAP-4 to J-CAP-11). */
const okDenyAlert = (capability: string, notRun: string[]): Expectation[] => [
  [capability, 'PASSED', 'OK', 'CLEAR'],
  [capability, 'REJECTED', 'DENY', 'SUSPECTED_DATA_VALIDATION'],
  [capability, 'WARNING', 'ALERT', 'CAUTION_DATA_VALIDATION'],
  [capability, 'NOT_EXECUTED', 'PRECONDITION_NOT_FULFILLED', null],
  ...each(capability, 'NOT_EXECUTED', notRun, 'UNKNOWN'),
];

/** docs/provider-facts.md, "Capability labels", one entry per label, by capability. */
const SPEC: Record<string, Expectation[]> = {
  // J-USAB-1 to J-USAB-21.
  usability: [
    ['usability', 'PASSED', 'OK', 'CLEAR'],
    ...each(
      'usability',
      'REJECTED',
      [
        'BLACK_WHITE',
        'MISSING_SIGNATURE',
        'MISSING_PAGE',
        'NOT_A_DOCUMENT',
        'PHOTOCOPY',
        'BAD_QUALITY_IMAGE',
        'BLURRED',
        'GLARE',
        'PART_OF_DOCUMENT_MISSING',
        'PART_OF_DOCUMENT_HIDDEN',
        'DAMAGED_DOCUMENT',
        'MISSING_MANDATORY_DATAPOINTS',
        'BAD_QUALITY',
        'DOCUMENT_CONTENT_NOT_SUPPORTED',
        'DIGITAL_COPY',
      ],
      'REJECTED_IMAGE_INTEGRITY',
    ),
    ['usability', 'WARNING', 'LIVENESS_UNDETERMINED', 'CAUTION_IMAGE_INTEGRITY'],
    ...each(
      'usability',
      'WARNING',
      ['UNSUPPORTED_COUNTRY', 'UNSUPPORTED_DOCUMENT_TYPE'],
      'CAUTION_DATA_VALIDATION',
    ),
    // NOT_UPLOADED and TECHNICAL_ERROR come as NOT_EXECUTED, not REJECTED (J-USAB-22).
    ['usability', 'NOT_EXECUTED', 'NOT_UPLOADED', 'REJECTED_IMAGE_INTEGRITY'],
    ['usability', 'NOT_EXECUTED', 'TECHNICAL_ERROR', 'UNKNOWN'],
  ],
  // J-IMG-1 to J-IMG-31.
  imageChecks: [
    ['imageChecks', 'PASSED', 'OK', 'CLEAR'],
    ...each(
      'imageChecks',
      'REJECTED',
      [
        'FAILED',
        'WATERMARK',
        'OTHER_REJECTION',
        'GHOST_IMAGE_DIFFERENT',
        'PUNCHED',
        'CHIP_MISSING',
        'DIGITAL_MANIPULATION',
        'MISMATCH_FRONT_BACK',
        'MANIPULATED_DOCUMENT',
        'MANIPULATED_DOCUMENT_PHOTO',
        'MANIPULATED_DOCUMENT_DOCUMENT_NUMBER',
        'MANIPULATED_DOCUMENT_EXPIRY',
        'MANIPULATED_DOCUMENT_DOB',
        'MANIPULATED_DOCUMENT_NAME',
        'MANIPULATED_DOCUMENT_ADDRESS',
        'MANIPULATED_DOCUMENT_SECURITY_CHECKS',
        'MANIPULATED_DOCUMENT_SIGNATURE',
        'MANIPULATED_DOCUMENT_PERSONAL_NUMBER',
        'MANIPULATED_DOCUMENT_PLACE_OF_BIRTH',
        'MANIPULATED_DOCUMENT_GENDER',
        'MANIPULATED_DOCUMENT_ISSUING_DATE',
        'DIGITAL_COPY',
      ],
      'SUSPECTED_VISUAL_CONSISTENCY',
    ),
    ...each('imageChecks', 'REJECTED', ['SAMPLE', 'FAKE'], 'SUSPECTED_COMPROMISED_DOCUMENT'),
    ['imageChecks', 'REJECTED', 'LOOKUPS_HIGH_RISK_FACE', 'SUSPECTED_FACE_COMPARISON'],
    ...each(
      'imageChecks',
      'WARNING',
      ['DIFFERENT_PERSON', 'REPEATED_FACE'],
      'CAUTION_FACIAL_COMPARISON',
    ),
    ['imageChecks', 'WARNING', 'GHOST_IMAGE_QUALITY_INSUFFICIENT', 'CAUTION_VISUAL_CONSISTENCY'],
    ...skippedOrFailed('imageChecks'),
  ],
  // J-DATA-1 to J-DATA-22.
  dataChecks: [
    ['dataChecks', 'PASSED', 'OK', 'CLEAR'],
    ...each(
      'dataChecks',
      'REJECTED',
      [
        'HIGH_FRAUD_RISK',
        'CUSTOMER_FEEDBACK',
        'LOOKUPS_HIGH_RISK_SAME_DATA',
        'LOOKUPS_HIGH_RISK_DEVICE',
        'LOOKUPS_HIGH_RISK_IP_ADDRESS',
      ],
      'SUSPECTED_COMPROMISED_DOCUMENT',
    ),
    ...each(
      'dataChecks',
      'REJECTED',
      ['NFC_CERTIFICATE', 'MRZ_CHECKSUM'],
      'SUSPECTED_DATA_VALIDATION',
    ),
    ...each(
      'dataChecks',
      'REJECTED',
      ['MISMATCHING_DATAPOINTS', 'MISMATCH_HRZ_MRZ_DATA', 'ID_DATA_MISMATCH'],
      'SUSPECTED_DATA_CONSISTENCY',
    ),
    ...each(
      'dataChecks',
      'REJECTED',
      ['MISMATCHING_DATA_REPEATED_FACE', 'LOOKUPS_HIGH_RISK_SAME_FACE_MISMATCHING_DATA'],
      'SUSPECTED_FACE_COMPARISON',
    ),
    ...each(
      'dataChecks',
      'WARNING',
      ['DOCUMENT_EXPIRY_WITHIN_CONFIGURED_LIMIT', 'ID_DATA_INVALID', 'UNREADABLE_DATASOURCE'],
      'CAUTION_DATA_VALIDATION',
    ),
    ['dataChecks', 'WARNING', 'ID_DATA_MISMATCH_LOW_CONFIDENCE', 'CAUTION_DATA_CONSISTENCY'],
    ...each(
      'dataChecks',
      'WARNING',
      [
        'LOOKUPS_MEDIUM_RISK_IP_ADDRESS',
        'LOOKUPS_MEDIUM_RISK_DEVICE',
        'LOOKUPS_MEDIUM_RISK_SAME_DOCUMENT_NUMBER',
      ],
      'CAUTION_DATA_COMPARISON',
    ),
    ...skippedOrFailed('dataChecks'),
  ],
  // J-LIVE-1 to J-LIVE-14.
  liveness: [
    ['liveness', 'PASSED', 'OK', 'CLEAR'],
    ...each(
      'liveness',
      'REJECTED',
      ['LIVENESS_UNDETERMINED', 'NO_FACE_PRESENT', 'FACE_NOT_FULLY_VISIBLE', 'BLACK_WHITE'],
      'REJECTED_IMAGE_INTEGRITY',
    ),
    ...each(
      'liveness',
      'REJECTED',
      ['ID_USED_AS_SELFIE', 'MULTIPLE_PEOPLE', 'DIGITAL_COPY', 'PHOTOCOPY', 'MANIPULATED'],
      'SUSPECTED_FACE_COMPARISON',
    ),
    ['liveness', 'WARNING', 'AGE_DIFFERENCE', 'CAUTION_FACIAL_COMPARISON'],
    ['liveness', 'WARNING', 'BAD_QUALITY', 'CAUTION_IMAGE_INTEGRITY'],
    ...skippedOrFailed('liveness'),
  ],
  // J-SIM-1 to J-SIM-5.
  similarity: [
    ['similarity', 'PASSED', 'MATCH', 'CLEAR'],
    ['similarity', 'REJECTED', 'NO_MATCH', 'SUSPECTED_FACE_COMPARISON'],
    // A WARNING, not a rejection: a person compares the faces.
    ['similarity', 'WARNING', 'NOT_POSSIBLE', 'CAUTION_FACIAL_COMPARISON'],
    ...skippedOrFailed('similarity'),
  ],
  // J-WATCH-1 to J-WATCH-9.
  watchlistScreening: [
    ['watchlistScreening', 'PASSED', 'OK', 'CLEAR'],
    ['watchlistScreening', 'WARNING', 'ALERT', 'CAUTION_WATCHLIST'],
    ...each(
      'watchlistScreening',
      'NOT_EXECUTED',
      ['PRECONDITION_NOT_FULFILLED', 'NO_VALID_ID_CREDENTIAL', 'EXTRACTION_NOT_DONE'],
      null,
    ),
    ...each(
      'watchlistScreening',
      'NOT_EXECUTED',
      ['TECHNICAL_ERROR', 'NOT_ENOUGH_DATA', 'VALIDATION_FAILED', 'INVALID_MERCHANT_SETTINGS'],
      'UNKNOWN',
    ),
  ],
  // J-EXTR-1 to J-EXTR-3.
  extraction: [['extraction', 'PASSED', 'OK', 'CLEAR'], ...skippedOrFailed('extraction')],
  // J-CAP-1 to J-CAP-15 (2022 and 2023 guides).
  authentication: [
    ['authentication', 'PASSED', 'OK', 'CLEAR'],
    ['authentication', 'REJECTED', 'FAILED', 'SUSPECTED_FACE_COMPARISON'],
    ...skippedOrFailed('authentication'),
  ],
  addressValidation: okDenyAlert('addressValidation', [
    'NOT_ENOUGH_DATA',
    'TECHNICAL_ERROR',
    'UNSUPPORTED_COUNTRY',
  ]),
  proofOfResidency: okDenyAlert('proofOfResidency', [
    'NOT_ENOUGH_DATA',
    'TECHNICAL_ERROR',
    'UNSUPPORTED_COUNTRY',
  ]),
  drivingLicenseVerification: okDenyAlert('drivingLicenseVerification', [
    'TECHNICAL_ERROR',
    'UNSUPPORTED_COUNTRY',
    'UNSUPPORTED_STATE',
    'VALIDATION_FAILED',
  ]),
  braCpfValidation: [
    ['braCpfValidation', 'PASSED', 'OK', 'CLEAR'],
    ['braCpfValidation', 'REJECTED', 'DENY', 'SUSPECTED_DATA_VALIDATION'],
    ['braCpfValidation', 'WARNING', 'UNSUPPORTED_COUNTRY', 'CAUTION_DATA_VALIDATION'],
    ['braCpfValidation', 'NOT_EXECUTED', 'PRECONDITION_NOT_FULFILLED', null],
    ...each(
      'braCpfValidation',
      'NOT_EXECUTED',
      ['NOT_ENOUGH_DATA', 'TECHNICAL_ERROR', 'INVALID_MERCHANT_SETTINGS', 'VALIDATION_FAILED'],
      'UNKNOWN',
    ),
  ],
  // J-CAP-15 gives no decision type per label: each label with the type its name suggests.
  biometricVerification: [
    ['biometricVerification', 'PASSED', 'LOW_RISK', 'CLEAR'],
    ['biometricVerification', 'WARNING', 'MEDIUM_RISK', 'CAUTION_FACIAL_COMPARISON'],
    ['biometricVerification', 'REJECTED', 'HIGH_RISK', 'SUSPECTED_FACE_COMPARISON'],
    ['biometricVerification', 'NOT_EXECUTED', 'PRECONDITION_NOT_FULFILLED', null],
    ...each(
      'biometricVerification',
      'NOT_EXECUTED',
      ['TECHNICAL_ERROR', 'PERMISSION_DENIED', 'BAD_REQUEST'],
      'UNKNOWN',
    ),
  ],
};

/** Rows for any capability without its own (J-DEC-6; the risk signals of J-CAP-16). */
const ANY_CAPABILITY: Expectation[] = [
  ['*', 'NOT_EXECUTED', 'PRECONDITION_NOT_FULFILLED', null],
  ['*', 'NOT_EXECUTED', 'TECHNICAL_ERROR', 'UNKNOWN'],
];

const PASSED = Object.values(SPEC)
  .flat()
  .filter(([, type]) => type === 'PASSED');

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

/** Whether the document is read: extraction runs unless the ID was unusable or an earlier check did not run. */
const readsDocument = (capability: string, type: Type): boolean =>
  !(
    (capability === 'usability' && (type === 'REJECTED' || type === 'NOT_EXECUTED')) ||
    ((capability === 'imageChecks' || capability === 'extraction') && type === 'NOT_EXECUTED')
  );

/** A failure elsewhere that explains a skipped check. */
const explainer = (capability: string): JumioCapabilityLabel =>
  capability === 'similarity'
    ? { capability: 'liveness', type: 'REJECTED', label: 'NO_FACE_PRESENT' }
    : { capability: 'similarity', type: 'REJECTED', label: 'NO_MATCH' };
const EXPLAINED: Record<string, ReasonCode> = {
  liveness: 'REJECTED_IMAGE_INTEGRITY',
  similarity: 'SUSPECTED_FACE_COMPARISON',
};

/** `usability NOT_EXECUTED NOT_UPLOADED → REJECTED_IMAGE_INTEGRITY (retry)`. */
const titled = (rows: Expectation[]) =>
  rows.map(([capability, type, label, reason]) => {
    const [auto, manual] = STATUS[family(reason ?? 'UNKNOWN')]!;
    const status = auto === manual ? auto : `${auto} / ${manual}`;
    const read = reason ?? 'no reason of its own, UNKNOWN alone';
    return [
      `${capability} ${type} ${label} → ${read} (${status})`,
      capability,
      type,
      label,
      reason,
    ] as const;
  });
for (const [capability, expectations] of Object.entries(SPEC)) {
  describe(`${capability}: one test per (capability, decision type, label)`, () => {
    it.each(titled(expectations))('%s', async (_title, _capability, type, label, reason) => {
      // A skipped check alone explains nothing: UNKNOWN.
      const read = reason ?? 'UNKNOWN';
      const [auto, manual] = STATUS[family(read)]!;
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
        expect(result.reason).toBe(read);
        expect(result.reasons).toEqual([read]);
        expect(result.status).toBe(status);
        expect(result.providerLabels).toContainEqual({
          source: `capabilities.${capability}`,
          value: `${capability}.${type}.${label}`,
        });
      }
      expect(on.person).toEqual(readsDocument(capability, type) ? PERSON : null);

      if (reason === null) {
        // Beside a failure, it adds nothing: the failure decides alone.
        const other = explainer(capability);
        const { result } = await run({ capabilities: [{ capability, type, label }, other] });
        expect(result.reasons).toEqual([EXPLAINED[other.capability]]);
      }
    });
  });
}

describe('* (a capability without rows of its own)', () => {
  it('NOT_EXECUTED TECHNICAL_ERROR of an unlisted capability → UNKNOWN (awaiting_registration)', async () => {
    const { result } = await run(
      {
        capabilities: [
          { capability: 'deviceRisk', type: 'NOT_EXECUTED', label: 'TECHNICAL_ERROR' },
        ],
      },
      true,
    );
    expect(result).toMatchObject({
      reason: 'UNKNOWN',
      reasons: ['UNKNOWN'],
      status: 'awaiting_registration',
    });
  });

  it('NOT_EXECUTED PRECONDITION_NOT_FULFILLED of an unlisted capability → no reason of its own', async () => {
    const skipped: JumioCapabilityLabel = {
      capability: 'deviceRisk',
      type: 'NOT_EXECUTED',
      label: 'PRECONDITION_NOT_FULFILLED',
    };
    const alone = (await run({ capabilities: [skipped] }, true)).result;
    expect(alone).toMatchObject({ reason: 'UNKNOWN', status: 'awaiting_registration' });
    const beside = (await run({ capabilities: [skipped, explainer('deviceRisk')] })).result;
    expect(beside.reasons).toEqual(['SUSPECTED_FACE_COMPARISON']);
  });
});

describe('the adapter table has exactly the rows of the reference', () => {
  it('lists every expectation above and nothing else', () => {
    const expected = [...Object.values(SPEC).flat(), ...ANY_CAPABILITY]
      .map(([c, t, l, r]) => `${c}.${t}.${l} → ${r}`)
      .sort();
    const actual = JUMIO_MAPPING.map((row) => `${row.key} → ${row.reason}`).sort();
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
  // Every reason some Jumio label maps to (the table above); Jumio has no label
  // for a police record or an age check.
  const supported: ReasonCode[] = [
    'CLEAR',
    'REJECTED_IMAGE_INTEGRITY',
    'SUSPECTED_VISUAL_CONSISTENCY',
    'SUSPECTED_COMPROMISED_DOCUMENT',
    'SUSPECTED_DATA_VALIDATION',
    'SUSPECTED_DATA_CONSISTENCY',
    'SUSPECTED_FACE_COMPARISON',
    'CAUTION_VISUAL_CONSISTENCY',
    'CAUTION_FACIAL_COMPARISON',
    'CAUTION_IMAGE_INTEGRITY',
    'CAUTION_DATA_COMPARISON',
    'CAUTION_DATA_VALIDATION',
    'CAUTION_DATA_CONSISTENCY',
    'CAUTION_WATCHLIST',
    'EXPIRED',
    'UNKNOWN',
  ];

  it('advertises exactly the reasons it produces', () => {
    expect([...emulator.reasons()].sort()).toEqual([...supported].sort());
    expect(REASON_CODES.filter((r) => !supported.includes(r))).toEqual([
      'SUSPECTED_POLICE_RECORD',
      'REJECTED_AGE_VALIDATION',
    ]);
  });

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
