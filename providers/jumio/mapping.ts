/**
 * How the KYX adapter reads Jumio's verdict into the shared reason codes: the
 * table of ./mapping-table.ts (one row per capability, decision type and
 * label of docs/provider-facts.md, "Capability labels"), the workflow
 * decision's own table and the workflow statuses, read by
 * {@link mapJumioVerdict}.
 *
 * Facts relied on: a workflow's `decision` is `{type, details.label,
 * risk.score}` (docs/provider-facts.md#j-dec-1) with the types PASSED,
 * WARNING, REJECTED and NOT_EXECUTED (docs/provider-facts.md#j-dec-2); every
 * capability is an array of results, one per credential
 * (docs/provider-facts.md#j-dec-7); the workflow statuses are INITIATED,
 * ACQUIRED, PROCESSED, SESSION_EXPIRED and TOKEN_EXPIRED, and an expired
 * transaction has no details (docs/provider-facts.md#j-ret-1,
 * docs/provider-facts.md#j-ret-5). A tenant's decision-mapping layer may put
 * labels of its own at the top level (docs/provider-facts.md#j-dec-4), so the
 * top-level label is kept for audit and never decides.
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
import { JUMIO_MAPPING, type JumioMappingRow } from './mapping-table';
import { type CapabilityEntry, extractionDataSchema, type WorkflowDetails } from './schemas';

export {
  JUMIO_MAPPING,
  type JumioDecisionType,
  type JumioMappingRow,
  type JumioNextStep,
} from './mapping-table';

/** What the workflow's own `decision.type` contributes (`null`: must be explained by a capability). */
export const JUMIO_DECISION_TABLE: Readonly<Record<string, ReasonCode | null>> = {
  PASSED: 'CLEAR',
  REJECTED: null,
  WARNING: null,
  NOT_EXECUTED: null,
};

/** What each workflow status means: still running, expired, or processed (read the decision); docs/provider-facts.md#j-ret-1. */
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

/** Where a KYX `extraction` entry's data keeps each field of the person (docs/provider-facts.md#j-extr-5). */
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
