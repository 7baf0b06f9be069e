/**
 * The capability labels Jumio publishes, as the project's record of facts
 * lists them (docs/provider-facts.md, "Capability labels"): every
 * (capability, decision type, label) the emulator can answer with through
 * `setCapabilityResult`, each with the fact it comes from.
 *
 * This list is written from the facts, not from the adapter's mapping table,
 * so that the two check each other: a label here without a row in the
 * adapter's table, or a row there that this list lacks, fails the drift test.
 *
 * @module
 */
import type { DecisionType } from './state';

/** One published label: the capability, the decision type it comes with, the label and its fact. */
export interface PublishedLabel {
  readonly capability: string;
  readonly decision: DecisionType;
  readonly label: string;
  /** The fact's anchor in docs/provider-facts.md (`j-usab-9`). */
  readonly fact: string;
}

type Labels = ReadonlyArray<readonly [label: string, fact: string]>;

function of(capability: string, decision: DecisionType, labels: Labels): PublishedLabel[] {
  return labels.map(([label, fact]) => ({ capability, decision, label, fact }));
}

/** The fact ids `j-<prefix>-<from>` .. `j-<prefix>-<to>` paired with labels, in order. */
function numbered(prefix: string, from: number, labels: readonly string[]): Labels {
  return labels.map((label, i) => [label, `j-${prefix}-${from + i}`] as const);
}

/**
 * The labels of the address, proof-of-residency and driving licence checks,
 * with their facts (docs/provider-facts.md#j-cap-4 to #j-cap-11).
 */
function okDenyAlert(
  capability: string,
  [ok, deny, alert]: readonly [string, string, string],
): PublishedLabel[] {
  return [
    ...of(capability, 'PASSED', [['OK', ok]]),
    ...of(capability, 'REJECTED', [['DENY', deny]]),
    ...of(capability, 'WARNING', [['ALERT', alert]]),
  ];
}

/** Every capability label the facts record. */
export const PUBLISHED_LABELS: readonly PublishedLabel[] = [
  // usability: docs/provider-facts.md#j-usab-1 to #j-usab-21.
  ...of('usability', 'NOT_EXECUTED', numbered('usab', 1, ['TECHNICAL_ERROR', 'NOT_UPLOADED'])),
  ...of('usability', 'PASSED', [['OK', 'j-usab-3']]),
  ...of(
    'usability',
    'REJECTED',
    numbered('usab', 4, [
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
    ]),
  ),
  ...of(
    'usability',
    'WARNING',
    numbered('usab', 17, [
      'LIVENESS_UNDETERMINED',
      'UNSUPPORTED_COUNTRY',
      'UNSUPPORTED_DOCUMENT_TYPE',
    ]),
  ),
  ...of(
    'usability',
    'REJECTED',
    numbered('usab', 20, ['DOCUMENT_CONTENT_NOT_SUPPORTED', 'DIGITAL_COPY']),
  ),

  // imageChecks: docs/provider-facts.md#j-img-1 to #j-img-31.
  ...of(
    'imageChecks',
    'NOT_EXECUTED',
    numbered('img', 1, ['PRECONDITION_NOT_FULFILLED', 'TECHNICAL_ERROR']),
  ),
  ...of('imageChecks', 'PASSED', [['OK', 'j-img-3']]),
  ...of(
    'imageChecks',
    'REJECTED',
    numbered('img', 4, [
      'FAILED',
      'WATERMARK',
      'OTHER_REJECTION',
      'GHOST_IMAGE_DIFFERENT',
      'PUNCHED',
      'SAMPLE',
      'FAKE',
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
    ]),
  ),
  ...of('imageChecks', 'WARNING', numbered('img', 28, ['DIFFERENT_PERSON', 'REPEATED_FACE'])),
  ...of('imageChecks', 'REJECTED', [['LOOKUPS_HIGH_RISK_FACE', 'j-img-30']]),
  ...of('imageChecks', 'WARNING', [['GHOST_IMAGE_QUALITY_INSUFFICIENT', 'j-img-31']]),

  // dataChecks: docs/provider-facts.md#j-data-1 to #j-data-22.
  ...of(
    'dataChecks',
    'NOT_EXECUTED',
    numbered('data', 1, ['PRECONDITION_NOT_FULFILLED', 'TECHNICAL_ERROR']),
  ),
  ...of('dataChecks', 'PASSED', [['OK', 'j-data-3']]),
  ...of('dataChecks', 'WARNING', [['DOCUMENT_EXPIRY_WITHIN_CONFIGURED_LIMIT', 'j-data-4']]),
  ...of(
    'dataChecks',
    'REJECTED',
    numbered('data', 5, [
      'HIGH_FRAUD_RISK',
      'NFC_CERTIFICATE',
      'MISMATCHING_DATAPOINTS',
      'MRZ_CHECKSUM',
      'MISMATCHING_DATA_REPEATED_FACE',
      'MISMATCH_HRZ_MRZ_DATA',
      'CUSTOMER_FEEDBACK',
      'ID_DATA_MISMATCH',
    ]),
  ),
  ...of(
    'dataChecks',
    'WARNING',
    numbered('data', 13, ['LOOKUPS_MEDIUM_RISK_IP_ADDRESS', 'LOOKUPS_MEDIUM_RISK_DEVICE']),
  ),
  ...of('dataChecks', 'REJECTED', [['LOOKUPS_HIGH_RISK_SAME_DATA', 'j-data-15']]),
  ...of(
    'dataChecks',
    'WARNING',
    numbered('data', 16, [
      'ID_DATA_MISMATCH_LOW_CONFIDENCE',
      'ID_DATA_INVALID',
      'UNREADABLE_DATASOURCE',
      'LOOKUPS_MEDIUM_RISK_SAME_DOCUMENT_NUMBER',
    ]),
  ),
  ...of(
    'dataChecks',
    'REJECTED',
    numbered('data', 20, [
      'LOOKUPS_HIGH_RISK_SAME_FACE_MISMATCHING_DATA',
      'LOOKUPS_HIGH_RISK_DEVICE',
      'LOOKUPS_HIGH_RISK_IP_ADDRESS',
    ]),
  ),

  // liveness: docs/provider-facts.md#j-live-1 to #j-live-14.
  ...of(
    'liveness',
    'NOT_EXECUTED',
    numbered('live', 1, ['PRECONDITION_NOT_FULFILLED', 'TECHNICAL_ERROR']),
  ),
  ...of('liveness', 'PASSED', [['OK', 'j-live-3']]),
  ...of(
    'liveness',
    'REJECTED',
    numbered('live', 4, [
      'LIVENESS_UNDETERMINED',
      'ID_USED_AS_SELFIE',
      'MULTIPLE_PEOPLE',
      'DIGITAL_COPY',
      'PHOTOCOPY',
      'MANIPULATED',
      'NO_FACE_PRESENT',
      'FACE_NOT_FULLY_VISIBLE',
      'BLACK_WHITE',
    ]),
  ),
  ...of('liveness', 'WARNING', numbered('live', 13, ['AGE_DIFFERENCE', 'BAD_QUALITY'])),

  // similarity: docs/provider-facts.md#j-sim-1 to #j-sim-5.
  ...of(
    'similarity',
    'NOT_EXECUTED',
    numbered('sim', 1, ['PRECONDITION_NOT_FULFILLED', 'TECHNICAL_ERROR']),
  ),
  ...of('similarity', 'PASSED', [['MATCH', 'j-sim-3']]),
  ...of('similarity', 'REJECTED', [['NO_MATCH', 'j-sim-4']]),
  ...of('similarity', 'WARNING', [['NOT_POSSIBLE', 'j-sim-5']]),

  // watchlistScreening: docs/provider-facts.md#j-watch-1 to #j-watch-9 (never REJECTED, #j-watch-10).
  ...of(
    'watchlistScreening',
    'NOT_EXECUTED',
    numbered('watch', 1, [
      'PRECONDITION_NOT_FULFILLED',
      'TECHNICAL_ERROR',
      'NOT_ENOUGH_DATA',
      'VALIDATION_FAILED',
      'INVALID_MERCHANT_SETTINGS',
      'NO_VALID_ID_CREDENTIAL',
      'EXTRACTION_NOT_DONE',
    ]),
  ),
  ...of('watchlistScreening', 'PASSED', [['OK', 'j-watch-8']]),
  ...of('watchlistScreening', 'WARNING', [['ALERT', 'j-watch-9']]),

  // extraction: docs/provider-facts.md#j-extr-1 to #j-extr-3.
  ...of(
    'extraction',
    'NOT_EXECUTED',
    numbered('extr', 1, ['PRECONDITION_NOT_FULFILLED', 'TECHNICAL_ERROR']),
  ),
  ...of('extraction', 'PASSED', [['OK', 'j-extr-3']]),

  // Other capabilities, from the 2022 and 2023 guides: docs/provider-facts.md#j-cap-1 to #j-cap-15.
  ...of('authentication', 'PASSED', [['OK', 'j-cap-1']]),
  ...of('authentication', 'REJECTED', [['FAILED', 'j-cap-2']]),
  ...of('authentication', 'NOT_EXECUTED', [
    ['PRECONDITION_NOT_FULFILLED', 'j-cap-3'],
    ['TECHNICAL_ERROR', 'j-cap-3'],
  ]),
  ...okDenyAlert('addressValidation', ['j-cap-4', 'j-cap-5', 'j-cap-6']),
  ...of('addressValidation', 'NOT_EXECUTED', [
    ['NOT_ENOUGH_DATA', 'j-cap-7'],
    ['TECHNICAL_ERROR', 'j-cap-7'],
    ['UNSUPPORTED_COUNTRY', 'j-cap-7'],
    ['PRECONDITION_NOT_FULFILLED', 'j-cap-7'],
  ]),
  ...okDenyAlert('proofOfResidency', ['j-cap-8', 'j-cap-8', 'j-cap-8']),
  ...of('proofOfResidency', 'NOT_EXECUTED', [
    ['NOT_ENOUGH_DATA', 'j-cap-9'],
    ['TECHNICAL_ERROR', 'j-cap-9'],
    ['UNSUPPORTED_COUNTRY', 'j-cap-9'],
    ['PRECONDITION_NOT_FULFILLED', 'j-cap-9'],
  ]),
  ...okDenyAlert('drivingLicenseVerification', ['j-cap-10', 'j-cap-10', 'j-cap-10']),
  ...of('drivingLicenseVerification', 'NOT_EXECUTED', [
    ['TECHNICAL_ERROR', 'j-cap-11'],
    ['UNSUPPORTED_COUNTRY', 'j-cap-11'],
    ['UNSUPPORTED_STATE', 'j-cap-11'],
    ['PRECONDITION_NOT_FULFILLED', 'j-cap-11'],
    ['VALIDATION_FAILED', 'j-cap-11'],
  ]),
  ...of('braCpfValidation', 'PASSED', [['OK', 'j-cap-12']]),
  ...of('braCpfValidation', 'REJECTED', [['DENY', 'j-cap-12']]),
  ...of('braCpfValidation', 'WARNING', [['UNSUPPORTED_COUNTRY', 'j-cap-13']]),
  ...of('braCpfValidation', 'NOT_EXECUTED', [
    ['NOT_ENOUGH_DATA', 'j-cap-14'],
    ['TECHNICAL_ERROR', 'j-cap-14'],
    ['INVALID_MERCHANT_SETTINGS', 'j-cap-14'],
    ['VALIDATION_FAILED', 'j-cap-14'],
    ['PRECONDITION_NOT_FULFILLED', 'j-cap-14'],
  ]),
  // J-CAP-15 gives the labels but not which decision type each comes with;
  // the emulator answers each with the type its name suggests.
  ...of('biometricVerification', 'PASSED', [['LOW_RISK', 'j-cap-15']]),
  ...of('biometricVerification', 'WARNING', [['MEDIUM_RISK', 'j-cap-15']]),
  ...of('biometricVerification', 'REJECTED', [['HIGH_RISK', 'j-cap-15']]),
  ...of('biometricVerification', 'NOT_EXECUTED', [
    ['TECHNICAL_ERROR', 'j-cap-15'],
    ['PERMISSION_DENIED', 'j-cap-15'],
    ['BAD_REQUEST', 'j-cap-15'],
    ['PRECONDITION_NOT_FULFILLED', 'j-cap-15'],
  ]),
];

/** The published label for a capability, decision type and label, if there is one. */
export function findPublishedLabel(
  capability: string,
  decision: string,
  label: string,
): PublishedLabel | undefined {
  return PUBLISHED_LABELS.find(
    (entry) =>
      entry.capability === capability && entry.decision === decision && entry.label === label,
  );
}
