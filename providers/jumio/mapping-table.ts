/**
 * The KYX mapping table: one row per capability, decision type and label that
 * the project's record of Jumio's facts lists (docs/provider-facts.md,
 * "Capability labels"), each with the reason code it yields, the customer's
 * next step that reason implies, and the fact it rests on. Read by
 * `mapJumioVerdict` (./mapping.ts) through the kit's fail-closed reader.
 *
 * How a row's reason is chosen:
 * - `PASSED` → `CLEAR`.
 * - `REJECTED` for a capture problem (the picture or the upload is not usable)
 *   → `REJECTED_IMAGE_INTEGRITY`: the status is `retry`, the customer captures
 *   again.
 * - `REJECTED` for fraud, tampering or a spoof → a `SUSPECTED_*` reason: the
 *   status is `rejected`.
 * - `WARNING` → a `CAUTION_*` reason: Jumio let the check pass with a doubt, so
 *   a person reviews (`awaiting_registration`, even with auto-registration).
 * - `NOT_EXECUTED`: decided per label. `NOT_UPLOADED` is a capture problem
 *   (`retry`); `PRECONDITION_NOT_FULFILLED` (and the screening labels that say
 *   the same) yields no reason of its own, because an earlier capability
 *   failed and that one decides; when nothing else explains it, the reading is
 *   `UNKNOWN`. `TECHNICAL_ERROR` and the other "could not run" labels are
 *   `UNKNOWN`: nobody knows what the check would have said, the fault is not
 *   the customer's, and Jumio documents no advice that a new transaction
 *   cures it (J-RET-5 covers retrying *retrieval* calls only), so a person
 *   looks rather than the customer being sent round again.
 *
 * Labels the facts mark **historical** (the 2022–2023 KYX guide) or
 * **unconfirmed** (seen only outside Jumio's material) have rows too, with the
 * marker at the start of the row's note: a row only decides what a label
 * means once it arrives, and the reasons chosen never register anyone on a
 * label Jumio did not pass. A capability, decision type or label with no row
 * is `UNKNOWN` (awaiting registration, never registered).
 *
 * No row needs a reason code the core lacks. Two families have no exact
 * member, and the nearest existing one is used (noted on the rows):
 * cross-transaction "lookups" of devices and IP addresses (fraud: the
 * compromised-document reason, as for `HIGH_FRAUD_RISK`; a warning: the
 * data-comparison caution), and the address, proof-of-residency, driving
 * licence and CPF checks (the data-validation reasons).
 *
 * @module
 */
import type { MappingRow, ReasonCode } from 'idv-providers/kit';

/** Jumio's decision types, for the workflow and for each capability (docs/provider-facts.md#j-dec-2). */
export type JumioDecisionType = 'PASSED' | 'REJECTED' | 'WARNING' | 'NOT_EXECUTED';

/**
 * What the customer is to do next, as a row's reason implies it (the core's
 * reason → status rule):
 * - `proceed`: `CLEAR`, nothing to do (`registered` with auto-registration,
 *   else `awaiting_registration`);
 * - `retry`: a `REJECTED_*` reason, capture again with a fresh link;
 * - `rejected`: a `SUSPECTED_*` reason, the verification is refused;
 * - `review`: a `CAUTION_*` reason or `UNKNOWN`, a person decides
 *   (`awaiting_registration`);
 * - `decided-elsewhere`: no reason of its own (`null`): the capability whose
 *   failure skipped this one decides, and without one the result is `UNKNOWN`.
 */
export type JumioNextStep = 'proceed' | 'retry' | 'rejected' | 'review' | 'decided-elsewhere';

/** One row of the Jumio mapping table (a kit `MappingRow` that names its capability, decision type and label). */
export interface JumioMappingRow extends MappingRow {
  /** `capability.DECISION_TYPE.LABEL`; capability `*` matches every capability without a row of its own. */
  key: string;
  /** The capability (`usability`, `imageChecks`, ...) or `*`. */
  capability: string;
  /** The capability's decision type. */
  decision: JumioDecisionType;
  /** The decision's label. */
  label: string;
  /**
   * The reason it yields; `null` for a capability that was skipped because an
   * earlier one failed (it has no reason of its own, and the one that failed
   * gives the reason).
   */
  reason: ReasonCode | null;
  /** The customer's next step that the reason implies. */
  next: JumioNextStep;
  /** The fact the row rests on: `docs/provider-facts.md#j-usab-3`. */
  source: string;
  /** Why this reason, and the fact's marker when it is historical or unconfirmed. */
  note?: string | undefined;
}

const FACTS = 'docs/provider-facts.md';

/** One label of a group: the label, its fact id (`j-usab-3`), and a note of its own. */
type Entry = readonly [label: string, fact: string, note?: string];

/** Rows for labels that share a capability, a decision type, a reason and its next step. */
function group(
  capability: string,
  decision: JumioDecisionType,
  reason: ReasonCode | null,
  next: JumioNextStep,
  entries: readonly Entry[],
  why?: string,
): JumioMappingRow[] {
  return entries.map(([label, fact, own]) => {
    const note = [own, why].filter((part) => part !== undefined).join(' ');
    return {
      key: `${capability}.${decision}.${label}`,
      capability,
      decision,
      label,
      reason,
      next,
      source: `${FACTS}#${fact}`,
      ...(note === '' ? {} : { note }),
    };
  });
}

const HISTORICAL = 'historical (KYX guide 2023):';
const UNCONFIRMED = 'unconfirmed (third-party summary only):';

const SKIPPED =
  'Skipped because an earlier capability did not run or rejected the capture (docs/provider-facts.md#j-dec-6): no reason of its own; that capability decides, and without one the result is UNKNOWN.';
const TECHNICAL =
  'An error at Jumio prevented the check: nobody knows what it would have said and the fault is not the customer’s, so a person looks (UNKNOWN) rather than the customer being sent round again.';
const CAPTURE = 'The capture is unusable: the customer captures again.';
const TAMPERING = 'The document’s images show tampering or a non-genuine document: refused.';
const COULD_NOT_RUN =
  'The check could not run for a reason that is not the customer’s capture: a person looks (UNKNOWN).';
const HISTORICAL_CAPABILITY =
  'historical (KYX guide 2023; the current labels could not be read, docs/provider-facts.md#j-cap-16):';

/** The two `NOT_EXECUTED` rows most capabilities share: skipped, or failed technically. */
function skippedOrFailed(capability: string, skipped: string, failed: string): JumioMappingRow[] {
  return [
    ...group(capability, 'NOT_EXECUTED', null, 'decided-elsewhere', [
      ['PRECONDITION_NOT_FULFILLED', skipped, SKIPPED],
    ]),
    ...group(capability, 'NOT_EXECUTED', 'UNKNOWN', 'review', [
      ['TECHNICAL_ERROR', failed, TECHNICAL],
    ]),
  ];
}

const USABILITY: readonly JumioMappingRow[] = [
  ...group('usability', 'PASSED', 'CLEAR', 'proceed', [['OK', 'j-usab-3']]),
  ...group(
    'usability',
    'REJECTED',
    'REJECTED_IMAGE_INTEGRITY',
    'retry',
    [
      ['BLACK_WHITE', 'j-usab-4'],
      ['MISSING_SIGNATURE', 'j-usab-5'],
      ['MISSING_PAGE', 'j-usab-6'],
      ['NOT_A_DOCUMENT', 'j-usab-7'],
      [
        'PHOTOCOPY',
        'j-usab-8',
        'A usability finding: the original was not in front of the camera (Jumio rejects photocopies by default, docs/provider-facts.md#j-dec-5); the customer captures the original.',
      ],
      [
        'BAD_QUALITY_IMAGE',
        'j-usab-9',
        'The current generic low-quality label (docs/provider-facts.md#j-usab-22).',
      ],
      ['BLURRED', 'j-usab-10'],
      ['GLARE', 'j-usab-11'],
      ['PART_OF_DOCUMENT_MISSING', 'j-usab-12'],
      ['PART_OF_DOCUMENT_HIDDEN', 'j-usab-13'],
      ['DAMAGED_DOCUMENT', 'j-usab-14', 'The customer may need another document.'],
      ['MISSING_MANDATORY_DATAPOINTS', 'j-usab-15', `${HISTORICAL} key fields cannot be read.`],
      [
        'BAD_QUALITY',
        'j-usab-16',
        'historical (KYX guide 2023 and 2022): the older generic label, kept beside BAD_QUALITY_IMAGE (docs/provider-facts.md#j-open-2).',
      ],
      [
        'DOCUMENT_CONTENT_NOT_SUPPORTED',
        'j-usab-20',
        `${UNCONFIRMED} the customer uploaded another kind of document than the one asked for.`,
      ],
      [
        'DIGITAL_COPY',
        'j-usab-21',
        `${UNCONFIRMED} as PHOTOCOPY, the original was not in front of the camera. Under imageChecks the same label is a tampering finding (docs/provider-facts.md#j-img-27).`,
      ],
    ],
    CAPTURE,
  ),
  ...group(
    'usability',
    'WARNING',
    'CAUTION_IMAGE_INTEGRITY',
    'review',
    [['LIVENESS_UNDETERMINED', 'j-usab-17', 'historical (KYX guide 2023 and 2022):']],
    'A quality doubt Jumio let pass: a person looks rather than the customer being sent back.',
  ),
  ...group(
    'usability',
    'WARNING',
    'CAUTION_DATA_VALIDATION',
    'review',
    [
      ['UNSUPPORTED_COUNTRY', 'j-usab-18', HISTORICAL],
      ['UNSUPPORTED_DOCUMENT_TYPE', 'j-usab-19', HISTORICAL],
    ],
    'Jumio passed the images but does not support (or was not set up for) this country or document type: a person decides whether it is acceptable.',
  ),
  ...group('usability', 'NOT_EXECUTED', 'REJECTED_IMAGE_INTEGRITY', 'retry', [
    [
      'NOT_UPLOADED',
      'j-usab-2',
      'The image never arrived: a capture problem, the customer captures (again).',
    ],
  ]),
  ...group('usability', 'NOT_EXECUTED', 'UNKNOWN', 'review', [
    ['TECHNICAL_ERROR', 'j-usab-1', TECHNICAL],
  ]),
];

const IMAGE_CHECKS: readonly JumioMappingRow[] = [
  ...group('imageChecks', 'PASSED', 'CLEAR', 'proceed', [['OK', 'j-img-3']]),
  ...group(
    'imageChecks',
    'REJECTED',
    'SUSPECTED_VISUAL_CONSISTENCY',
    'rejected',
    [
      ['FAILED', 'j-img-4', 'Not every image check passed, without saying which.'],
      ['WATERMARK', 'j-img-5'],
      ['OTHER_REJECTION', 'j-img-6'],
      ['GHOST_IMAGE_DIFFERENT', 'j-img-7'],
      ['PUNCHED', 'j-img-8'],
      ['CHIP_MISSING', 'j-img-11'],
      ['DIGITAL_MANIPULATION', 'j-img-12'],
      ['MISMATCH_FRONT_BACK', 'j-img-13'],
      ['MANIPULATED_DOCUMENT', 'j-img-14'],
      ['MANIPULATED_DOCUMENT_PHOTO', 'j-img-15'],
      ['MANIPULATED_DOCUMENT_DOCUMENT_NUMBER', 'j-img-16'],
      ['MANIPULATED_DOCUMENT_EXPIRY', 'j-img-17'],
      ['MANIPULATED_DOCUMENT_DOB', 'j-img-18'],
      ['MANIPULATED_DOCUMENT_NAME', 'j-img-19', HISTORICAL],
      ['MANIPULATED_DOCUMENT_ADDRESS', 'j-img-20', HISTORICAL],
      ['MANIPULATED_DOCUMENT_SECURITY_CHECKS', 'j-img-21', HISTORICAL],
      ['MANIPULATED_DOCUMENT_SIGNATURE', 'j-img-22', HISTORICAL],
      ['MANIPULATED_DOCUMENT_PERSONAL_NUMBER', 'j-img-23', HISTORICAL],
      ['MANIPULATED_DOCUMENT_PLACE_OF_BIRTH', 'j-img-24', HISTORICAL],
      ['MANIPULATED_DOCUMENT_GENDER', 'j-img-25', HISTORICAL],
      ['MANIPULATED_DOCUMENT_ISSUING_DATE', 'j-img-26', HISTORICAL],
      [
        'DIGITAL_COPY',
        'j-img-27',
        'historical (KYX guide 2023 and 2022): the ID was shown on a screen.',
      ],
    ],
    TAMPERING,
  ),
  ...group(
    'imageChecks',
    'REJECTED',
    'SUSPECTED_COMPROMISED_DOCUMENT',
    'rejected',
    [
      ['SAMPLE', 'j-img-9'],
      ['FAKE', 'j-img-10'],
    ],
    'A known specimen or fake: refused.',
  ),
  ...group('imageChecks', 'REJECTED', 'SUSPECTED_FACE_COMPARISON', 'rejected', [
    [
      'LOOKUPS_HIGH_RISK_FACE',
      'j-img-30',
      `${UNCONFIRMED} the face matches one confirmed as fraud: refused.`,
    ],
  ]),
  ...group(
    'imageChecks',
    'WARNING',
    'CAUTION_FACIAL_COMPARISON',
    'review',
    [
      ['DIFFERENT_PERSON', 'j-img-28', HISTORICAL],
      [
        'REPEATED_FACE',
        'j-img-29',
        `${HISTORICAL} the current business-logic guide also says repeated faces give WARNING (docs/provider-facts.md#j-dec-5).`,
      ],
    ],
    'A doubt about the face on the document: a person compares.',
  ),
  ...group('imageChecks', 'WARNING', 'CAUTION_VISUAL_CONSISTENCY', 'review', [
    [
      'GHOST_IMAGE_QUALITY_INSUFFICIENT',
      'j-img-31',
      `${UNCONFIRMED} the ghost image is too faint to judge: a person looks.`,
    ],
  ]),
  ...skippedOrFailed('imageChecks', 'j-img-1', 'j-img-2'),
];

const DATA_CHECKS: readonly JumioMappingRow[] = [
  ...group('dataChecks', 'PASSED', 'CLEAR', 'proceed', [['OK', 'j-data-3']]),
  ...group(
    'dataChecks',
    'REJECTED',
    'SUSPECTED_COMPROMISED_DOCUMENT',
    'rejected',
    [
      ['HIGH_FRAUD_RISK', 'j-data-5'],
      [
        'CUSTOMER_FEEDBACK',
        'j-data-11',
        'The ID data matches a transaction the customer reported as fraud.',
      ],
      ['LOOKUPS_HIGH_RISK_SAME_DATA', 'j-data-15', 'The ID matches earlier rejected transactions.'],
      [
        'LOOKUPS_HIGH_RISK_DEVICE',
        'j-data-21',
        `${UNCONFIRMED} the device matches rejected transactions; no reason code names device fraud, so the known-fraud reason is used.`,
      ],
      [
        'LOOKUPS_HIGH_RISK_IP_ADDRESS',
        'j-data-22',
        `${UNCONFIRMED} the IP address matches rejected transactions; no reason code names network fraud, so the known-fraud reason is used.`,
      ],
    ],
    'A match with known fraud: refused.',
  ),
  ...group(
    'dataChecks',
    'REJECTED',
    'SUSPECTED_DATA_VALIDATION',
    'rejected',
    [
      ['NFC_CERTIFICATE', 'j-data-6'],
      ['MRZ_CHECKSUM', 'j-data-8'],
    ],
    'The document’s data fails its own validation: refused.',
  ),
  ...group(
    'dataChecks',
    'REJECTED',
    'SUSPECTED_DATA_CONSISTENCY',
    'rejected',
    [
      ['MISMATCHING_DATAPOINTS', 'j-data-7'],
      ['MISMATCH_HRZ_MRZ_DATA', 'j-data-10'],
      ['ID_DATA_MISMATCH', 'j-data-12'],
    ],
    'The document contradicts itself: refused.',
  ),
  ...group(
    'dataChecks',
    'REJECTED',
    'SUSPECTED_FACE_COMPARISON',
    'rejected',
    [
      ['MISMATCHING_DATA_REPEATED_FACE', 'j-data-9'],
      ['LOOKUPS_HIGH_RISK_SAME_FACE_MISMATCHING_DATA', 'j-data-20', UNCONFIRMED],
    ],
    'The face was seen before with other personal data (one face, several identities): refused.',
  ),
  ...group(
    'dataChecks',
    'WARNING',
    'CAUTION_DATA_VALIDATION',
    'review',
    [
      ['DOCUMENT_EXPIRY_WITHIN_CONFIGURED_LIMIT', 'j-data-4', 'The document expires soon.'],
      ['ID_DATA_INVALID', 'j-data-17', `${UNCONFIRMED} a field fails format or length validation.`],
      [
        'UNREADABLE_DATASOURCE',
        'j-data-18',
        `${UNCONFIRMED} the MRZ or barcode cannot be read, so it could not be validated.`,
      ],
    ],
    'A doubt about the data’s validity: a person looks.',
  ),
  ...group('dataChecks', 'WARNING', 'CAUTION_DATA_CONSISTENCY', 'review', [
    [
      'ID_DATA_MISMATCH_LOW_CONFIDENCE',
      'j-data-16',
      `${UNCONFIRMED} a field probably differs between its occurrences (the doubtful form of ID_DATA_MISMATCH): a person looks.`,
    ],
  ]),
  ...group(
    'dataChecks',
    'WARNING',
    'CAUTION_DATA_COMPARISON',
    'review',
    [
      ['LOOKUPS_MEDIUM_RISK_IP_ADDRESS', 'j-data-13'],
      ['LOOKUPS_MEDIUM_RISK_DEVICE', 'j-data-14'],
      ['LOOKUPS_MEDIUM_RISK_SAME_DOCUMENT_NUMBER', 'j-data-19', UNCONFIRMED],
    ],
    'The transaction’s data compared with earlier transactions raises a doubt (many from one device or address, one document number with other names): a person looks.',
  ),
  ...skippedOrFailed('dataChecks', 'j-data-1', 'j-data-2'),
];

const LIVENESS: readonly JumioMappingRow[] = [
  ...group('liveness', 'PASSED', 'CLEAR', 'proceed', [['OK', 'j-live-3']]),
  ...group(
    'liveness',
    'REJECTED',
    'REJECTED_IMAGE_INTEGRITY',
    'retry',
    [
      ['LIVENESS_UNDETERMINED', 'j-live-4'],
      ['NO_FACE_PRESENT', 'j-live-10'],
      ['FACE_NOT_FULLY_VISIBLE', 'j-live-11'],
      ['BLACK_WHITE', 'j-live-12'],
    ],
    'The selfie could not be judged (capture quality): the customer takes it again.',
  ),
  ...group(
    'liveness',
    'REJECTED',
    'SUSPECTED_FACE_COMPARISON',
    'rejected',
    [
      ['ID_USED_AS_SELFIE', 'j-live-5'],
      ['MULTIPLE_PEOPLE', 'j-live-6'],
      ['DIGITAL_COPY', 'j-live-7'],
      ['PHOTOCOPY', 'j-live-8'],
      ['MANIPULATED', 'j-live-9'],
    ],
    'The selfie is a spoof: refused.',
  ),
  ...group('liveness', 'WARNING', 'CAUTION_FACIAL_COMPARISON', 'review', [
    [
      'AGE_DIFFERENCE',
      'j-live-13',
      'The estimated age is far from the date of birth: a person compares.',
    ],
  ]),
  ...group('liveness', 'WARNING', 'CAUTION_IMAGE_INTEGRITY', 'review', [
    [
      'BAD_QUALITY',
      'j-live-14',
      'historical (KYX guide 2023 and 2022): a quality warning, not a rejection; Jumio let it pass, so a person looks rather than the customer being sent back.',
    ],
  ]),
  ...skippedOrFailed('liveness', 'j-live-1', 'j-live-2'),
];

const SIMILARITY: readonly JumioMappingRow[] = [
  ...group('similarity', 'PASSED', 'CLEAR', 'proceed', [['MATCH', 'j-sim-3']]),
  ...group('similarity', 'REJECTED', 'SUSPECTED_FACE_COMPARISON', 'rejected', [
    ['NO_MATCH', 'j-sim-4', 'The selfie shows another person than the ID: refused.'],
  ]),
  ...group('similarity', 'WARNING', 'CAUTION_FACIAL_COMPARISON', 'review', [
    [
      'NOT_POSSIBLE',
      'j-sim-5',
      'Jumio could not decide and answers WARNING, not REJECTED: a person compares the faces.',
    ],
  ]),
  ...group('similarity', 'NOT_EXECUTED', null, 'decided-elsewhere', [
    ['PRECONDITION_NOT_FULFILLED', 'j-sim-1', `No face could be detected on the ID. ${SKIPPED}`],
  ]),
  ...group('similarity', 'NOT_EXECUTED', 'UNKNOWN', 'review', [
    ['TECHNICAL_ERROR', 'j-sim-2', TECHNICAL],
  ]),
];

const WATCHLIST: readonly JumioMappingRow[] = [
  ...group('watchlistScreening', 'PASSED', 'CLEAR', 'proceed', [
    ['OK', 'j-watch-8', 'Found on no list.'],
  ]),
  ...group('watchlistScreening', 'WARNING', 'CAUTION_WATCHLIST', 'review', [
    [
      'ALERT',
      'j-watch-9',
      'Found on one or more lists: a person reviews the hits (screening never answers REJECTED, docs/provider-facts.md#j-watch-10).',
    ],
  ]),
  ...group(
    'watchlistScreening',
    'NOT_EXECUTED',
    null,
    'decided-elsewhere',
    [
      ['PRECONDITION_NOT_FULFILLED', 'j-watch-1'],
      ['NO_VALID_ID_CREDENTIAL', 'j-watch-6', 'The ID was not usable.'],
      ['EXTRACTION_NOT_DONE', 'j-watch-7', 'Extraction did not run.'],
    ],
    SKIPPED,
  ),
  ...group(
    'watchlistScreening',
    'NOT_EXECUTED',
    'UNKNOWN',
    'review',
    [
      ['TECHNICAL_ERROR', 'j-watch-2', TECHNICAL],
      ['NOT_ENOUGH_DATA', 'j-watch-3', 'Too little data to screen.'],
      ['VALIDATION_FAILED', 'j-watch-4'],
      [
        'INVALID_MERCHANT_SETTINGS',
        'j-watch-5',
        'The tenant’s screening settings are invalid: a new capture would not help.',
      ],
    ],
    'The person was not screened: a person looks (UNKNOWN).',
  ),
];

const EXTRACTION: readonly JumioMappingRow[] = [
  ...group('extraction', 'PASSED', 'CLEAR', 'proceed', [['OK', 'j-extr-3']]),
  ...skippedOrFailed('extraction', 'j-extr-1', 'j-extr-2'),
];

/**
 * Rows of the address, proof-of-residency and driving licence checks (OK /
 * DENY / ALERT), with the facts of the three labels (one fact may list all).
 */
function okDenyAlert(
  capability: string,
  [ok, deny, alert]: readonly [string, string, string],
  what: string,
): JumioMappingRow[] {
  return [
    ...group(capability, 'PASSED', 'CLEAR', 'proceed', [['OK', ok, HISTORICAL_CAPABILITY]]),
    ...group(capability, 'REJECTED', 'SUSPECTED_DATA_VALIDATION', 'rejected', [
      [
        'DENY',
        deny,
        `${HISTORICAL_CAPABILITY} ${what} failed; no reason code names this check, so the data-validation reason is used.`,
      ],
    ]),
    ...group(capability, 'WARNING', 'CAUTION_DATA_VALIDATION', 'review', [
      ['ALERT', alert, `${HISTORICAL_CAPABILITY} ${what} raised a doubt: a person looks.`],
    ]),
  ];
}

/** `NOT_EXECUTED` rows of the checks that can be skipped or fail to run. */
function notExecuted(
  capability: string,
  fact: string,
  labels: readonly string[],
): JumioMappingRow[] {
  return [
    ...group(capability, 'NOT_EXECUTED', null, 'decided-elsewhere', [
      ['PRECONDITION_NOT_FULFILLED', fact, `${HISTORICAL_CAPABILITY} ${SKIPPED}`],
    ]),
    ...group(
      capability,
      'NOT_EXECUTED',
      'UNKNOWN',
      'review',
      labels.map((label) => [label, fact, `${HISTORICAL_CAPABILITY} ${COULD_NOT_RUN}`] as const),
    ),
  ];
}

const OTHER_CAPABILITIES: readonly JumioMappingRow[] = [
  ...group('authentication', 'PASSED', 'CLEAR', 'proceed', [
    ['OK', 'j-cap-1', HISTORICAL_CAPABILITY],
  ]),
  ...group('authentication', 'REJECTED', 'SUSPECTED_FACE_COMPARISON', 'rejected', [
    [
      'FAILED',
      'j-cap-2',
      `${HISTORICAL_CAPABILITY} the face does not match the stored facemap: refused.`,
    ],
  ]),
  ...notExecuted('authentication', 'j-cap-3', ['TECHNICAL_ERROR']),

  ...okDenyAlert('addressValidation', ['j-cap-4', 'j-cap-5', 'j-cap-6'], 'address validation'),
  ...notExecuted('addressValidation', 'j-cap-7', [
    'NOT_ENOUGH_DATA',
    'TECHNICAL_ERROR',
    'UNSUPPORTED_COUNTRY',
  ]),

  ...okDenyAlert('proofOfResidency', ['j-cap-8', 'j-cap-8', 'j-cap-8'], 'the proof of residency'),
  ...notExecuted('proofOfResidency', 'j-cap-9', [
    'NOT_ENOUGH_DATA',
    'TECHNICAL_ERROR',
    'UNSUPPORTED_COUNTRY',
  ]),

  ...okDenyAlert(
    'drivingLicenseVerification',
    ['j-cap-10', 'j-cap-10', 'j-cap-10'],
    'the driving licence verification',
  ),
  ...notExecuted('drivingLicenseVerification', 'j-cap-11', [
    'TECHNICAL_ERROR',
    'UNSUPPORTED_COUNTRY',
    'UNSUPPORTED_STATE',
    'VALIDATION_FAILED',
  ]),

  ...group('braCpfValidation', 'PASSED', 'CLEAR', 'proceed', [
    ['OK', 'j-cap-12', HISTORICAL_CAPABILITY],
  ]),
  ...group('braCpfValidation', 'REJECTED', 'SUSPECTED_DATA_VALIDATION', 'rejected', [
    [
      'DENY',
      'j-cap-12',
      `${HISTORICAL_CAPABILITY} the CPF number failed validation (the 2022 guide flags this table as still to be checked).`,
    ],
  ]),
  ...group('braCpfValidation', 'WARNING', 'CAUTION_DATA_VALIDATION', 'review', [
    [
      'UNSUPPORTED_COUNTRY',
      'j-cap-13',
      `${HISTORICAL_CAPABILITY} the country is not supported by the CPF check: a person looks.`,
    ],
  ]),
  ...notExecuted('braCpfValidation', 'j-cap-14', [
    'NOT_ENOUGH_DATA',
    'TECHNICAL_ERROR',
    'INVALID_MERCHANT_SETTINGS',
    'VALIDATION_FAILED',
  ]),

  // The 2022 guide lists these labels without saying which decision type each
  // comes with (J-CAP-15): each row matches only the pairing its name
  // suggests, and any other pairing has no row (UNKNOWN).
  ...group('biometricVerification', 'PASSED', 'CLEAR', 'proceed', [
    ['LOW_RISK', 'j-cap-15', `${HISTORICAL_CAPABILITY} the label with the type PASSED.`],
  ]),
  ...group('biometricVerification', 'WARNING', 'CAUTION_FACIAL_COMPARISON', 'review', [
    [
      'MEDIUM_RISK',
      'j-cap-15',
      `${HISTORICAL_CAPABILITY} the label with the type WARNING: a person compares.`,
    ],
  ]),
  ...group('biometricVerification', 'REJECTED', 'SUSPECTED_FACE_COMPARISON', 'rejected', [
    [
      'HIGH_RISK',
      'j-cap-15',
      `${HISTORICAL_CAPABILITY} the label with the type REJECTED: refused.`,
    ],
  ]),
  ...notExecuted('biometricVerification', 'j-cap-15', [
    'TECHNICAL_ERROR',
    'PERMISSION_DENIED',
    'BAD_REQUEST',
  ]),
];

/**
 * Rows for any capability without rows of its own (the current "risk signals"
 * whose labels could not be read, J-CAP-16): a check skipped because an
 * earlier one failed, or one that failed technically. Every other label of
 * such a capability has no row (UNKNOWN).
 */
const ANY_CAPABILITY: readonly JumioMappingRow[] = [
  ...group('*', 'NOT_EXECUTED', null, 'decided-elsewhere', [
    ['PRECONDITION_NOT_FULFILLED', 'j-dec-6', SKIPPED],
  ]),
  ...group('*', 'NOT_EXECUTED', 'UNKNOWN', 'review', [
    [
      'TECHNICAL_ERROR',
      'j-cap-16',
      `Every capability the facts list has this label (docs/provider-facts.md#capability-labels). ${TECHNICAL}`,
    ],
  ]),
];

/** The KYX mapping table: one row per capability, decision type and label the facts record. */
export const JUMIO_MAPPING: readonly JumioMappingRow[] = [
  ...USABILITY,
  ...IMAGE_CHECKS,
  ...DATA_CHECKS,
  ...LIVENESS,
  ...SIMILARITY,
  ...WATCHLIST,
  ...EXTRACTION,
  ...OTHER_CAPABILITIES,
  ...ANY_CAPABILITY,
];
