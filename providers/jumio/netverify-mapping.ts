/**
 * The Netverify (legacy) mapping from a scan's verification status, reject
 * reason and identity verification to the shared reason codes, as data: one row
 * per status (docs/provider-facts.md#j-nv-5), reject reason code
 * (docs/provider-facts.md#j-nv-6) or identity-verification value
 * (docs/provider-facts.md#j-nv-7). Read by {@link mapNetverifyVerdict}. The
 * codes 112, 114, 115, 118 and 214 have rows although no Netverify guide read
 * lists them (docs/provider-facts.md#j-nv-8): a row only decides what a code
 * means once it arrives.
 *
 * - `APPROVED_VERIFIED` is `CLEAR` unless its `identityVerification` says
 *   otherwise (similarity, or validity false with a reason).
 * - `DENIED_FRAUD` takes the reason of its reject reason code; a code the table
 *   lacks (or none) is `UNKNOWN`, so a person reviews it.
 * - `ERROR_NOT_READABLE_ID` is `REJECTED_IMAGE_INTEGRITY` whatever the code,
 *   except `202 SAMPLE_DOCUMENT`, a specimen passed off as a document.
 * - Every status, code or value the table lacks is `UNKNOWN` (fail closed).
 *
 * @module
 */
import {
  type ExtractedPerson,
  type LabelRead,
  type MappingRow,
  mappingTable,
  type PersonFieldMap,
  type ProviderLabel,
  personFrom,
  type ReasonCode,
  readMapping,
} from 'idv-providers/kit';
import type { ScanData } from './netverify-schemas';

/** One row of the Netverify mapping table. */
export interface NetverifyMappingRow extends MappingRow {
  /**
   * `status.<verificationStatus>`, `<verificationStatus>.<rejectReasonCode>`,
   * `identityVerification.similarity.<value>` or `identityVerification.reason.<value>`.
   */
  key: string;
  /** The reject reason's description or the value's meaning, for readers. */
  description: string;
  /** The reason it yields. */
  reason: ReasonCode;
}

const row = (key: string, description: string, reason: ReasonCode): NetverifyMappingRow => ({
  key,
  description,
  reason,
});

function codes(
  status: string,
  list: ReadonlyArray<readonly [string, string]>,
  reason: ReasonCode,
): NetverifyMappingRow[] {
  return list.map(([code, description]) => row(`${status}.${code}`, description, reason));
}

/** The Netverify mapping table. */
export const NETVERIFY_MAPPING: readonly NetverifyMappingRow[] = [
  row('status.APPROVED_VERIFIED', 'document verified', 'CLEAR'),
  row(
    'status.DENIED_UNSUPPORTED_ID_TYPE',
    'document type not accepted',
    'REJECTED_IMAGE_INTEGRITY',
  ),
  row(
    'status.DENIED_UNSUPPORTED_ID_COUNTRY',
    'issuing country not accepted',
    'REJECTED_IMAGE_INTEGRITY',
  ),
  row('status.ERROR_NOT_READABLE_ID', 'not readable (any code)', 'REJECTED_IMAGE_INTEGRITY'),
  row('status.NO_ID_UPLOADED', 'journey never started or abandoned', 'EXPIRED'),

  ...codes(
    'DENIED_FRAUD',
    [
      ['105', 'FRAUDSTER'],
      ['106', 'FAKE'],
    ],
    'SUSPECTED_COMPROMISED_DOCUMENT',
  ),
  ...codes(
    'DENIED_FRAUD',
    [
      ['100', 'MANIPULATED_DOCUMENT'],
      ['109', 'PUNCHED_DOCUMENT'],
      ['110', 'CHIP_DATA_MANIPULATED'],
      ['114', 'DIGITAL_MANIPULATION'],
      ['118', 'MISMATCH_FRONT_BACK'],
    ],
    'SUSPECTED_VISUAL_CONSISTENCY',
  ),
  ...codes(
    'DENIED_FRAUD',
    [
      ['108', 'MRZ_CHECK_FAILED'],
      ['112', 'CHIP_MISSING'],
    ],
    'SUSPECTED_DATA_VALIDATION',
  ),
  ...codes(
    'DENIED_FRAUD',
    [
      ['111', 'MISMATCH_PRINTED_BARCODE_DATA'],
      ['113', 'MISMATCHING_DATA_REPEATED_FACE'],
      ['115', 'MISMATCH_HRZ_MRZ_DATA'],
    ],
    'SUSPECTED_DATA_CONSISTENCY',
  ),
  ...codes('DENIED_FRAUD', [['107', 'PHOTO_MISMATCH']], 'SUSPECTED_FACE_COMPARISON'),

  ...codes(
    'ERROR_NOT_READABLE_ID',
    [
      ['102', 'PHOTOCOPY_BLACK_WHITE'],
      ['103', 'PHOTOCOPY_COLOR'],
      ['104', 'DIGITAL_COPY'],
      ['200', 'NOT_READABLE_DOCUMENT'],
      ['201', 'NO_DOCUMENT'],
      ['206', 'MISSING_BACK'],
      ['207', 'WRONG_DOCUMENT_PAGE'],
      ['209', 'MISSING_SIGNATURE'],
      ['210', 'CAMERA_BLACK_WHITE'],
      ['211', 'DIFFERENT_PERSONS_SHOWN'],
      ['213', 'INVALID_WATERMARK'],
      ['214', 'MISSING_FRONT'],
      ['300', 'MANUAL_REJECTION'],
    ],
    'REJECTED_IMAGE_INTEGRITY',
  ),
  ...codes('ERROR_NOT_READABLE_ID', [['202', 'SAMPLE_DOCUMENT']], 'SUSPECTED_COMPROMISED_DOCUMENT'),

  row('identityVerification.similarity.MATCH', 'selfie matches the document', 'CLEAR'),
  row(
    'identityVerification.similarity.NO_MATCH',
    'selfie is another person',
    'SUSPECTED_FACE_COMPARISON',
  ),
  row(
    'identityVerification.similarity.NOT_POSSIBLE',
    'faces could not be compared',
    'REJECTED_IMAGE_INTEGRITY',
  ),
  ...[
    'SELFIE_CROPPED_FROM_ID',
    'ENTIRE_ID_USED_AS_SELFIE',
    'MULTIPLE_PEOPLE',
    'SELFIE_IS_SCREEN_PAPER_VIDEO',
    'SELFIE_MANIPULATED',
    'LIVENESS_FAILED',
  ].map((value) =>
    row(`identityVerification.reason.${value}`, 'spoofed selfie', 'SUSPECTED_FACE_COMPARISON'),
  ),
  ...['NO_FACE_PRESENT', 'FACE_NOT_FULLY_VISIBLE', 'BAD_QUALITY', 'BLACK_AND_WHITE'].map((value) =>
    row(
      `identityVerification.reason.${value}`,
      'selfie capture quality',
      'REJECTED_IMAGE_INTEGRITY',
    ),
  ),
  row(
    'identityVerification.reason.AGE_DIFFERENCE_TOO_BIG',
    'selfie and document photo far apart in age',
    'CAUTION_FACIAL_COMPARISON',
  ),
];

const NETVERIFY_TABLE = mappingTable(NETVERIFY_MAPPING);

/** What {@link mapNetverifyVerdict} found. */
export interface NetverifyMappedVerdict {
  reasons: ReasonCode[];
  unmatched: string[];
  providerLabels: ProviderLabel[];
  person: ExtractedPerson | null;
}

/** Where a scan's `document` keeps each field of the person. */
const NETVERIFY_PERSON_FIELDS: PersonFieldMap = {
  firstName: 'firstName',
  lastName: 'lastName',
  dateOfBirth: 'dob',
  documentType: 'type',
  documentNumber: 'number',
  nationality: 'nationality',
  issuingCountry: 'issuingCountry',
  documentExpiry: 'expiry',
};

/** Reads the person from a scan's document data, read and normalised by the kit's `personFrom`. */
export function personFromScan(document: ScanData['document']): ExtractedPerson | null {
  return personFrom(document, NETVERIFY_PERSON_FIELDS);
}

/**
 * The key a scan's verification status is looked up by, with its fallback:
 * `status.<status>`, or `<status>.<rejectReasonCode>` for the statuses whose
 * reject reason decides (`ERROR_NOT_READABLE_ID` falls back to its status row).
 */
function statusKeys(status: string, code: string): { key: string; fallbacks?: string[] } {
  if (status === 'APPROVED_VERIFIED') return { key: 'status.APPROVED_VERIFIED' };
  if (status === 'DENIED_FRAUD') return { key: `DENIED_FRAUD.${code}` };
  if (status === 'ERROR_NOT_READABLE_ID') {
    return { key: `ERROR_NOT_READABLE_ID.${code}`, fallbacks: ['status.ERROR_NOT_READABLE_ID'] };
  }
  return { key: `status.${status}` };
}

/**
 * Maps a finished scan's data into reasons, labels and the person, with the
 * kit's fail-closed reader: the status (with its reject reason code), and for
 * an approved scan the identity verification's similarity and, when validity
 * is false, its reason.
 */
export function mapNetverifyVerdict(data: ScanData): NetverifyMappedVerdict {
  const status = data.document.status;
  const rejectReason = data.verification?.rejectReason;
  const identity = data.verification?.identityVerification;
  const approved = status === 'APPROVED_VERIFIED';
  const code = rejectReason?.rejectReasonCode ?? '(none)';

  const reads: LabelRead[] = [
    { ...statusKeys(status, code), label: { source: 'document.status', value: status } },
  ];
  if (rejectReason?.rejectReasonCode !== undefined) {
    const description = rejectReason.rejectReasonDescription;
    reads.push({
      label: {
        source: 'verification.rejectReason',
        value:
          description === undefined
            ? rejectReason.rejectReasonCode
            : `${rejectReason.rejectReasonCode} ${description}`,
      },
    });
  }
  if (identity?.similarity !== undefined) {
    const label = { source: 'identityVerification.similarity', value: identity.similarity };
    reads.push(
      approved
        ? { key: `identityVerification.similarity.${identity.similarity}`, label }
        : { label },
    );
  }
  if (identity?.validity !== undefined) {
    const label = { source: 'identityVerification.validity', value: String(identity.validity) };
    reads.push(
      approved && identity.validity === false
        ? { key: `identityVerification.reason.${identity.reason ?? '(none)'}`, label }
        : { label },
    );
  }
  if (identity?.reason !== undefined) {
    reads.push({ label: { source: 'identityVerification.reason', value: identity.reason } });
  }
  const reading = readMapping(NETVERIFY_TABLE, reads);

  return {
    reasons: reading.reasons,
    unmatched: reading.unmatched,
    providerLabels: reading.providerLabels,
    person: status === 'NO_ID_UPLOADED' ? null : personFromScan(data.document),
  };
}
