/**
 * The KYX mapping from Jumio's verdict to the shared reason codes, as data:
 * one row per capability, decision type and label, read by
 * {@link mapJumioVerdict}. The rows follow the Jumio table of the outcome model
 * (`outcomes.md`); the choices that table leaves open are marked below.
 *
 * How a processed workflow is read:
 * 1. every capability entry gives the key `capability.DECISION_TYPE.LABEL`
 *    (`usability.REJECTED.BLURRED`); its row gives the reason, and a key with no
 *    row gives `UNKNOWN` (fail closed);
 * 2. the workflow's own `decision.type` gives `CLEAR` when `PASSED`; `REJECTED`,
 *    `WARNING` and `NOT_EXECUTED` must be explained by a capability, and when no
 *    capability explains them the verdict is `UNKNOWN`; a decision type the
 *    table lacks, or none at all, gives `UNKNOWN`;
 * 3. all reasons are kept, ordered by the kit's `orderReasons`, so the most
 *    severe family decides (SUSPECTED over REJECTED over CAUTION over CLEAR).
 *
 * The reading is the kit's fail-closed mapping reader (`readMapping`): own
 * entries only, `UNKNOWN` for a key no row has, and a `null` row (a decision
 * or a skipped check that must be explained) is `UNKNOWN` unless another
 * label gives a reason other than `CLEAR`.
 *
 * @module
 */
import {
  type ExtractedPerson,
  findMappingRow,
  type LabelRead,
  type MappingRow,
  mappingTable,
  ownEntry,
  type PersonFieldMap,
  type ProviderLabel,
  personFrom,
  type ReasonCode,
  readMapping,
} from 'idv-providers/kit';
import { type CapabilityEntry, extractionDataSchema, type WorkflowDetails } from './schemas';

/** Jumio's decision types, for the workflow and for each capability. */
export type JumioDecisionType = 'PASSED' | 'REJECTED' | 'WARNING' | 'NOT_EXECUTED';

/** One row of the Jumio mapping table (a kit {@link MappingRow} that names its capability, decision type and label). */
export interface JumioMappingRow extends MappingRow {
  /** `capability.DECISION_TYPE.LABEL`; capability `*` matches every capability. */
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
  /** Where the row comes from in Jumio's reference, when it cites one. */
  source?: string | undefined;
}

function rows(
  capability: string,
  decision: JumioDecisionType,
  labels: readonly string[],
  reason: ReasonCode | null,
): JumioMappingRow[] {
  return labels.map((label) => ({
    key: `${capability}.${decision}.${label}`,
    capability,
    decision,
    label,
    reason,
  }));
}

/** The KYX mapping table: one row per capability, decision type and label. */
export const JUMIO_MAPPING: readonly JumioMappingRow[] = [
  // Passed checks.
  ...rows('usability', 'PASSED', ['OK'], 'CLEAR'),
  ...rows('imageChecks', 'PASSED', ['OK'], 'CLEAR'),
  ...rows('extraction', 'PASSED', ['OK'], 'CLEAR'),
  ...rows('dataChecks', 'PASSED', ['OK'], 'CLEAR'),
  ...rows('liveness', 'PASSED', ['OK'], 'CLEAR'),
  ...rows('similarity', 'PASSED', ['MATCH'], 'CLEAR'),
  ...rows('watchlistScreening', 'PASSED', ['OK'], 'CLEAR'),

  // The picture was unusable: the customer can simply try again. PHOTOCOPY and
  // NOT_A_DOCUMENT are usability findings too (the capture, not the document,
  // failed), so they stay here, as the legacy table treats photocopies.
  ...rows(
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
  ...rows(
    'usability',
    'WARNING',
    ['UNSUPPORTED_COUNTRY', 'UNSUPPORTED_DOCUMENT_TYPE'],
    'CAUTION_DATA_VALIDATION',
  ),

  // The document's images show tampering. CHIP_MISSING, PUNCHED and
  // OTHER_REJECTION are image-check rejections, so they follow that row.
  ...rows(
    'imageChecks',
    'REJECTED',
    [
      'DIGITAL_COPY',
      'WATERMARK',
      'MANIPULATED_DOCUMENT',
      'PUNCHED',
      'GHOST_IMAGE_DIFFERENT',
      'CHIP_MISSING',
      'DIGITAL_MANIPULATION',
      'MISMATCH_FRONT_BACK',
      'OTHER_REJECTION',
    ],
    'SUSPECTED_VISUAL_CONSISTENCY',
  ),
  ...rows('imageChecks', 'REJECTED', ['FAKE', 'SAMPLE'], 'SUSPECTED_COMPROMISED_DOCUMENT'),
  ...rows(
    'imageChecks',
    'WARNING',
    ['DIFFERENT_PERSON', 'REPEATED_FACE'],
    'CAUTION_FACIAL_COMPARISON',
  ),

  ...rows(
    'dataChecks',
    'REJECTED',
    ['MRZ_CHECKSUM', 'NFC_CERTIFICATE'],
    'SUSPECTED_DATA_VALIDATION',
  ),
  ...rows(
    'dataChecks',
    'REJECTED',
    ['MISMATCHING_DATAPOINTS', 'MISMATCH_HRZ_MRZ_DATA'],
    'SUSPECTED_DATA_CONSISTENCY',
  ),
  ...rows('dataChecks', 'REJECTED', ['HIGH_FRAUD_RISK'], 'SUSPECTED_COMPROMISED_DOCUMENT'),
  ...rows(
    'dataChecks',
    'WARNING',
    ['DOCUMENT_EXPIRY_WITHIN_CONFIGURED_LIMIT'],
    'CAUTION_DATA_VALIDATION',
  ),

  // The selfie could not be judged (capture quality): retry. BLACK_WHITE is a
  // capture-quality finding, as BLACK_AND_WHITE is in the legacy table.
  ...rows(
    'liveness',
    'REJECTED',
    ['LIVENESS_UNDETERMINED', 'NO_FACE_PRESENT', 'FACE_NOT_FULLY_VISIBLE', 'BLACK_WHITE'],
    'REJECTED_IMAGE_INTEGRITY',
  ),
  // The selfie is a spoof.
  ...rows(
    'liveness',
    'REJECTED',
    ['ID_USED_AS_SELFIE', 'MULTIPLE_PEOPLE', 'DIGITAL_COPY', 'PHOTOCOPY', 'MANIPULATED'],
    'SUSPECTED_FACE_COMPARISON',
  ),
  ...rows('liveness', 'WARNING', ['AGE_DIFFERENCE'], 'CAUTION_FACIAL_COMPARISON'),
  // A quality warning (not a rejection): Jumio let it pass with a warning, so a
  // person looks at it rather than the customer being sent back.
  ...rows('liveness', 'WARNING', ['BAD_QUALITY'], 'CAUTION_IMAGE_INTEGRITY'),

  ...rows('similarity', 'REJECTED', ['NO_MATCH'], 'SUSPECTED_FACE_COMPARISON'),
  ...rows('similarity', 'WARNING', ['NOT_POSSIBLE'], 'REJECTED_IMAGE_INTEGRITY'),

  ...rows('watchlistScreening', 'WARNING', ['ALERT'], 'CAUTION_WATCHLIST'),

  // Any capability may be skipped. Skipped because an earlier one failed: no
  // reason of its own. Skipped for a technical error: nobody knows what it would
  // have said, so a person looks.
  ...rows('*', 'NOT_EXECUTED', ['PRECONDITION_NOT_FULFILLED'], null),
  ...rows('*', 'NOT_EXECUTED', ['TECHNICAL_ERROR'], 'UNKNOWN'),
];

/** What the workflow's own `decision.type` contributes (`null`: must be explained by a capability). */
export const JUMIO_DECISION_TABLE: Readonly<Record<string, ReasonCode | null>> = {
  PASSED: 'CLEAR',
  REJECTED: null,
  WARNING: null,
  NOT_EXECUTED: null,
};

/** What each workflow status means: still running, expired, or processed (read the decision). */
export const JUMIO_WORKFLOW_STATUSES: Readonly<
  Record<string, 'pending' | 'processed' | 'EXPIRED'>
> = {
  INITIATED: 'pending',
  ACQUIRED: 'pending',
  PROCESSED: 'processed',
  SESSION_EXPIRED: 'EXPIRED',
  TOKEN_EXPIRED: 'EXPIRED',
};

const CAPABILITY_TABLE = mappingTable(JUMIO_MAPPING);

/**
 * What the reader reads a workflow with: the workflow decision's rows
 * (`decision.PASSED`, ..., from {@link JUMIO_DECISION_TABLE}; `null` means the
 * decision must be explained by a capability) and the capability rows.
 */
const VERDICT_TABLE = mappingTable<MappingRow>([
  ...Object.entries(JUMIO_DECISION_TABLE).map(([type, reason]) => ({
    key: `decision.${type}`,
    decision: type,
    reason,
  })),
  ...JUMIO_MAPPING,
]);

/** The key of a capability's decision, and its wildcard fallback (`*` capability). */
function capabilityKeys(
  capability: string,
  decision: string,
  label: string,
): { key: string; fallbacks: string[] } {
  return { key: `${capability}.${decision}.${label}`, fallbacks: [`*.${decision}.${label}`] };
}

/** The row for a capability's decision, if there is one (exact capability first, then `*`). */
export function findJumioRow(
  capability: string,
  decision: string,
  label: string,
): JumioMappingRow | undefined {
  const { key, fallbacks } = capabilityKeys(capability, decision, label);
  return findMappingRow(CAPABILITY_TABLE, key, fallbacks);
}

/** What {@link mapJumioVerdict} found. */
export interface JumioMappedVerdict {
  /** `true` while the workflow has not been processed. */
  pending: boolean;
  /** The reasons, ordered (empty while pending). */
  reasons: ReasonCode[];
  /** Keys that had no row (they gave `UNKNOWN`). */
  unmatched: string[];
  /** Jumio's own labels, for audit. */
  providerLabels: ProviderLabel[];
  /** The person the extraction capability read, if it ran. */
  person: ExtractedPerson | null;
}

function labelOf(entry: CapabilityEntry): string {
  return entry.decision.details?.label ?? '';
}

/**
 * Maps a workflow status alone (the `/status` endpoint, or details without a
 * decision): pending, expired, or `UNKNOWN` for a status the table lacks.
 */
export function mapWorkflowStatus(status: string): JumioMappedVerdict {
  const meaning = ownEntry(JUMIO_WORKFLOW_STATUSES, status);
  const providerLabels = [{ source: 'workflow.status', value: status }];
  const base = { unmatched: [], providerLabels, person: null };
  if (meaning === 'pending') return { ...base, pending: true, reasons: [] };
  if (meaning === 'EXPIRED') return { ...base, pending: false, reasons: ['EXPIRED'] };
  return { ...base, pending: false, reasons: ['UNKNOWN'], unmatched: [`workflow.${status}`] };
}

/** Where a KYX `extraction` entry's data keeps each field of the person. */
const JUMIO_PERSON_FIELDS: PersonFieldMap = {
  firstName: 'firstName',
  lastName: 'lastName',
  dateOfBirth: 'dateOfBirth',
  documentType: 'type',
  documentNumber: 'documentNumber',
  nationality: 'nationality',
  issuingCountry: 'issuingCountry',
  documentExpiry: 'expiryDate',
};

/**
 * Reads the person from the first `extraction` entry whose data is well formed
 * and names someone, read and normalised by the kit's `personFrom`.
 */
export function personFromExtraction(
  capabilities: WorkflowDetails['capabilities'],
): ExtractedPerson | null {
  for (const entry of ownEntry(capabilities ?? {}, 'extraction') ?? []) {
    const parsed = extractionDataSchema.safeParse(entry.data);
    if (!parsed.success) continue;
    const person = personFrom(parsed.data, JUMIO_PERSON_FIELDS);
    if (person !== null) return person;
  }
  return null;
}

/**
 * Maps a workflow execution's details into reasons, labels and the person,
 * with the kit's fail-closed reader: the workflow decision's key
 * (`decision.REJECTED`), then every capability entry's
 * `capability.DECISION_TYPE.LABEL` (falling back to the `*` rows).
 */
export function mapJumioVerdict(details: WorkflowDetails): JumioMappedVerdict {
  const status = details.workflow.status;
  if (ownEntry(JUMIO_WORKFLOW_STATUSES, status) !== 'processed') return mapWorkflowStatus(status);

  const reads: LabelRead[] = [{ label: { source: 'workflow.status', value: status } }];
  const decisionType = details.decision?.type;
  if (decisionType === undefined) {
    reads.push({ key: 'decision.(missing)' });
  } else {
    reads.push({
      key: `decision.${decisionType}`,
      label: { source: 'decision.type', value: decisionType },
    });
    const label = details.decision?.details?.label;
    if (label !== undefined)
      reads.push({ label: { source: 'decision.details.label', value: label } });
  }
  for (const [capability, entries] of Object.entries(details.capabilities ?? {})) {
    for (const entry of entries) {
      const keys = capabilityKeys(capability, entry.decision.type, labelOf(entry));
      reads.push({ ...keys, label: { source: `capabilities.${capability}`, value: keys.key } });
    }
  }
  const reading = readMapping(VERDICT_TABLE, reads);

  return {
    pending: false,
    reasons: reading.reasons,
    unmatched: reading.unmatched,
    providerLabels: reading.providerLabels,
    person: personFromExtraction(details.capabilities),
  };
}
