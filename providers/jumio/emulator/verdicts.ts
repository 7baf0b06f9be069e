/**
 * How the emulator turns a reason code into Jumio's answer: a representative
 * Jumio label (KYX) or verification status (Netverify) per reason code. This
 * is the emulator's own table, each choice taken from the labels the facts
 * record (./labels.ts, docs/provider-facts.md "Capability labels"), not from
 * the adapter's mapping, so the two check each other. Labels become a
 * workflow's `decision` and `capabilities` in ./capabilities.ts.
 *
 * The reasons a table has are the reasons the emulator can produce
 * (`emulator.reasons()`); Jumio has no label for the others
 * (`SUSPECTED_POLICE_RECORD`, `REJECTED_AGE_VALIDATION`).
 *
 * @module
 */
import { type ExtractedPerson, REASON_CODES, type ReasonCode } from 'idv-providers';
import type { CapabilityLabel, DecisionType, NetverifyVerdict, StoredVerdict } from './state';

/** The person on the document unless a test chooses another. */
export const SAMPLE_PERSON: Readonly<Required<ExtractedPerson>> = Object.freeze({
  firstName: 'JANE',
  lastName: 'SAMPLE',
  dateOfBirth: '1990-04-12',
  documentType: 'PASSPORT',
  documentNumber: 'P1234567',
  nationality: 'AUT',
  issuingCountry: 'AUT',
  documentExpiry: '2031-05-01',
});

const label = (capability: string, type: DecisionType, value: string): CapabilityLabel => ({
  capability,
  type,
  label: value,
});

const one = (capability: string, type: DecisionType, value: string): StoredVerdict => ({
  kind: 'labels',
  verdict: { capabilities: [label(capability, type, value)] },
});

/**
 * A representative KYX verdict per reason code; reasons Jumio cannot produce
 * are absent. Each is a confirmed label where the facts have one; the facts
 * have none for `CAUTION_VISUAL_CONSISTENCY` and `CAUTION_DATA_CONSISTENCY`
 * (only unconfirmed labels, docs/provider-facts.md#j-img-31,
 * docs/provider-facts.md#j-data-16) and `CAUTION_IMAGE_INTEGRITY` (only a
 * historical one, docs/provider-facts.md#j-live-14).
 */
export const KYX_REPRESENTATIVE: Partial<Record<ReasonCode, StoredVerdict>> = {
  CLEAR: { kind: 'labels', verdict: {} },
  // docs/provider-facts.md#j-usab-10
  REJECTED_IMAGE_INTEGRITY: one('usability', 'REJECTED', 'BLURRED'),
  // docs/provider-facts.md#j-img-14
  SUSPECTED_VISUAL_CONSISTENCY: one('imageChecks', 'REJECTED', 'MANIPULATED_DOCUMENT'),
  // docs/provider-facts.md#j-img-10
  SUSPECTED_COMPROMISED_DOCUMENT: one('imageChecks', 'REJECTED', 'FAKE'),
  // docs/provider-facts.md#j-data-8
  SUSPECTED_DATA_VALIDATION: one('dataChecks', 'REJECTED', 'MRZ_CHECKSUM'),
  // docs/provider-facts.md#j-data-7
  SUSPECTED_DATA_CONSISTENCY: one('dataChecks', 'REJECTED', 'MISMATCHING_DATAPOINTS'),
  // docs/provider-facts.md#j-sim-4
  SUSPECTED_FACE_COMPARISON: one('similarity', 'REJECTED', 'NO_MATCH'),
  // docs/provider-facts.md#j-img-31 (unconfirmed)
  CAUTION_VISUAL_CONSISTENCY: one('imageChecks', 'WARNING', 'GHOST_IMAGE_QUALITY_INSUFFICIENT'),
  // docs/provider-facts.md#j-live-14 (historical)
  CAUTION_IMAGE_INTEGRITY: one('liveness', 'WARNING', 'BAD_QUALITY'),
  // docs/provider-facts.md#j-data-13
  CAUTION_DATA_COMPARISON: one('dataChecks', 'WARNING', 'LOOKUPS_MEDIUM_RISK_IP_ADDRESS'),
  // docs/provider-facts.md#j-live-13
  CAUTION_FACIAL_COMPARISON: one('liveness', 'WARNING', 'AGE_DIFFERENCE'),
  // docs/provider-facts.md#j-data-4
  CAUTION_DATA_VALIDATION: one('dataChecks', 'WARNING', 'DOCUMENT_EXPIRY_WITHIN_CONFIGURED_LIMIT'),
  // docs/provider-facts.md#j-data-16 (unconfirmed)
  CAUTION_DATA_CONSISTENCY: one('dataChecks', 'WARNING', 'ID_DATA_MISMATCH_LOW_CONFIDENCE'),
  // docs/provider-facts.md#j-watch-9
  CAUTION_WATCHLIST: one('watchlistScreening', 'WARNING', 'ALERT'),
  // docs/provider-facts.md#j-ret-1: the customer never finished.
  EXPIRED: { kind: 'expired', status: 'SESSION_EXPIRED' },
  // A tenant rule warned although every capability passed: nothing explains it
  // (docs/provider-facts.md#j-dec-4, the decision-mapping layer).
  UNKNOWN: { kind: 'labels', verdict: { decision: 'WARNING' } },
};

/** A representative Netverify verdict per reason code. */
export const NETVERIFY_REPRESENTATIVE: Partial<Record<ReasonCode, NetverifyVerdict>> = {
  CLEAR: {
    verificationStatus: 'APPROVED_VERIFIED',
    identityVerification: { similarity: 'MATCH', validity: true },
  },
  SUSPECTED_FACE_COMPARISON: {
    verificationStatus: 'DENIED_FRAUD',
    rejectReason: { code: '107', description: 'PHOTO_MISMATCH' },
  },
  SUSPECTED_COMPROMISED_DOCUMENT: {
    verificationStatus: 'DENIED_FRAUD',
    rejectReason: { code: '106', description: 'FAKE' },
  },
  SUSPECTED_VISUAL_CONSISTENCY: {
    verificationStatus: 'DENIED_FRAUD',
    rejectReason: {
      code: '100',
      description: 'MANIPULATED_DOCUMENT',
      details: [{ code: '1001', description: 'PHOTO' }],
    },
  },
  SUSPECTED_DATA_VALIDATION: {
    verificationStatus: 'DENIED_FRAUD',
    rejectReason: { code: '108', description: 'MRZ_CHECK_FAILED' },
  },
  SUSPECTED_DATA_CONSISTENCY: {
    verificationStatus: 'DENIED_FRAUD',
    rejectReason: { code: '115', description: 'MISMATCH_HRZ_MRZ_DATA' },
  },
  REJECTED_IMAGE_INTEGRITY: {
    verificationStatus: 'ERROR_NOT_READABLE_ID',
    rejectReason: {
      code: '200',
      description: 'NOT_READABLE_DOCUMENT',
      details: [{ code: '2001', description: 'BLURRED' }],
    },
  },
  CAUTION_FACIAL_COMPARISON: {
    verificationStatus: 'APPROVED_VERIFIED',
    identityVerification: {
      similarity: 'MATCH',
      validity: false,
      reason: 'AGE_DIFFERENCE_TOO_BIG',
    },
  },
  EXPIRED: { verificationStatus: 'NO_ID_UPLOADED' },
  // A status in Jumio's retrieval guide that the mapping table does not know.
  UNKNOWN: { verificationStatus: 'DENIED_NAME_MISMATCH' },
};

/** The reasons a table can produce, in the core's priority order. */
export function producible(table: Partial<Record<ReasonCode, unknown>>): readonly ReasonCode[] {
  return REASON_CODES.filter((reason) => table[reason] !== undefined);
}
