/**
 * How the emulator turns a chosen verdict into Jumio's answer: a reason code
 * into a representative set of Jumio labels (its own table, written from
 * Jumio's label lists, independent of the adapter's mapping so the two check
 * each other), and labels into the `decision` and `capabilities` of a
 * workflow's details or a Netverify scan's data.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import type { ExtractedPerson, ReasonCode } from 'idv-providers';
import type {
  CapabilityJson,
  CapabilityLabel,
  DecisionType,
  JumioLabelVerdict,
  NetverifyVerdict,
  StoredCredential,
  StoredVerdict,
} from './state';

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

/** A representative KYX verdict per reason code; reasons Jumio cannot produce are absent. */
export const KYX_REPRESENTATIVE: Partial<Record<ReasonCode, StoredVerdict>> = {
  CLEAR: { kind: 'labels', verdict: {} },
  REJECTED_IMAGE_INTEGRITY: {
    kind: 'labels',
    verdict: { capabilities: [label('usability', 'REJECTED', 'BLURRED')] },
  },
  SUSPECTED_VISUAL_CONSISTENCY: {
    kind: 'labels',
    verdict: { capabilities: [label('imageChecks', 'REJECTED', 'MANIPULATED_DOCUMENT')] },
  },
  SUSPECTED_COMPROMISED_DOCUMENT: {
    kind: 'labels',
    verdict: { capabilities: [label('imageChecks', 'REJECTED', 'FAKE')] },
  },
  SUSPECTED_DATA_VALIDATION: {
    kind: 'labels',
    verdict: { capabilities: [label('dataChecks', 'REJECTED', 'MRZ_CHECKSUM')] },
  },
  SUSPECTED_DATA_CONSISTENCY: {
    kind: 'labels',
    verdict: { capabilities: [label('dataChecks', 'REJECTED', 'MISMATCHING_DATAPOINTS')] },
  },
  SUSPECTED_FACE_COMPARISON: {
    kind: 'labels',
    verdict: { capabilities: [label('similarity', 'REJECTED', 'NO_MATCH')] },
  },
  CAUTION_FACIAL_COMPARISON: {
    kind: 'labels',
    verdict: { capabilities: [label('liveness', 'WARNING', 'AGE_DIFFERENCE')] },
  },
  CAUTION_IMAGE_INTEGRITY: {
    kind: 'labels',
    verdict: { capabilities: [label('liveness', 'WARNING', 'BAD_QUALITY')] },
  },
  CAUTION_DATA_VALIDATION: {
    kind: 'labels',
    verdict: {
      capabilities: [label('dataChecks', 'WARNING', 'DOCUMENT_EXPIRY_WITHIN_CONFIGURED_LIMIT')],
    },
  },
  CAUTION_WATCHLIST: {
    kind: 'labels',
    verdict: { capabilities: [label('watchlistScreening', 'WARNING', 'ALERT')] },
  },
  EXPIRED: { kind: 'expired', status: 'SESSION_EXPIRED' },
  // A tenant rule warned although every capability passed: nothing explains it.
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

/** Capabilities that need a usable document; skipped when usability rejects it. */
const DEPENDS_ON_USABILITY = ['imageChecks', 'extraction', 'dataChecks', 'similarity'];

const DEFAULT_CAPABILITIES = [
  'usability',
  'imageChecks',
  'extraction',
  'dataChecks',
  'liveness',
  'similarity',
];

function passLabel(capability: string): string {
  return capability === 'similarity' ? 'MATCH' : 'OK';
}

/** Extraction data as Jumio serves it. */
export function extractionData(person: ExtractedPerson): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  if (person.documentType !== undefined) data['type'] = person.documentType;
  if (person.firstName !== undefined) data['firstName'] = person.firstName;
  if (person.lastName !== undefined) data['lastName'] = person.lastName;
  if (person.dateOfBirth !== undefined) data['dateOfBirth'] = person.dateOfBirth;
  if (person.documentExpiry !== undefined) data['expiryDate'] = person.documentExpiry;
  if (person.documentNumber !== undefined) data['documentNumber'] = person.documentNumber;
  if (person.issuingCountry !== undefined) data['issuingCountry'] = person.issuingCountry;
  if (person.nationality !== undefined) data['nationality'] = person.nationality;
  return data;
}

const SCORES: Readonly<Record<string, number>> = {
  PASSED: 0,
  WARNING: 50,
  REJECTED: 100,
  NOT_EXECUTED: -1,
};

/** Builds a processed workflow's `decision` and `capabilities` from labels. */
export function buildCapabilities(
  verdict: JumioLabelVerdict,
  credentials: readonly StoredCredential[],
): {
  decision: { type: string; details: { label: string }; risk: { score: number } };
  capabilities: Record<string, CapabilityJson[]>;
} {
  const person = verdict.person ?? SAMPLE_PERSON;
  const chosen = new Map<string, CapabilityLabel[]>();
  for (const entry of verdict.capabilities ?? []) {
    chosen.set(entry.capability, [...(chosen.get(entry.capability) ?? []), entry]);
  }
  const usabilityRejected = (chosen.get('usability') ?? []).some((c) => c.type === 'REJECTED');
  const names = [...new Set([...DEFAULT_CAPABILITIES, ...chosen.keys()])].filter(
    (name) => !(verdict.omit ?? []).includes(name),
  );
  const idCredential = credentials.find((c) => c.category === 'ID');
  const selfie = credentials.find((c) => c.category === 'SELFIE');
  const ref = (c: StoredCredential | undefined) =>
    c === undefined ? [] : [{ id: c.id, category: c.category }];

  const capabilities: Record<string, CapabilityJson[]> = {};
  for (const name of names) {
    const labels =
      chosen.get(name) ??
      (usabilityRejected && DEPENDS_ON_USABILITY.includes(name)
        ? [label(name, 'NOT_EXECUTED', 'PRECONDITION_NOT_FULFILLED')]
        : [label(name, 'PASSED', passLabel(name))]);
    const on =
      name === 'liveness'
        ? ref(selfie)
        : name === 'similarity'
          ? [...ref(idCredential), ...ref(selfie)]
          : ref(idCredential);
    capabilities[name] = labels.map((entry) => ({
      id: randomUUID(),
      credentials: on,
      decision: { type: entry.type, details: { label: entry.label } },
      ...(name === 'extraction' && entry.type === 'PASSED' ? { data: extractionData(person) } : {}),
    }));
  }

  const types = Object.values(capabilities).flatMap((list) => list.map((c) => c.decision.type));
  const derived: DecisionType = types.includes('REJECTED')
    ? 'REJECTED'
    : types.includes('WARNING')
      ? 'WARNING'
      : 'PASSED';
  const type = verdict.decision ?? derived;
  return {
    decision: {
      type,
      details: { label: verdict.decisionLabel ?? type },
      risk: { score: SCORES[type] ?? 50 },
    },
    capabilities,
  };
}
