/**
 * How a finished Onfido check becomes reason codes.
 *
 * Every non-clear label of every report is turned into a key and looked up in
 * {@link ONFIDO_MAPPING}, one row per label. The table reproduces the CAS
 * (bitcoin-ATM server) mapping with three corrections:
 *
 * - **Fixed priority.** Every non-clear breakdown is mapped, not the first one
 *   in whatever order the JSON object happened to list them. The primary reason
 *   is chosen by the kit reader's fixed order (`orderReasons`): `SUSPECTED_*`,
 *   then `REJECTED_*`, then `EXPIRED`, then `CAUTION_*`, then `UNKNOWN`, then
 *   `CLEAR`; inside a family, the order of the core's reason lists.
 * - **All reasons kept.** The facial similarity report is read even when the
 *   document report already decided; its reasons are listed after the document's.
 * - **Real breakdown keys.** Onfido's key is `visual_authenticity`.
 *
 * Keys look like `document.<sub_result>.<breakdown>` for the document report
 * (the `sub_result` picks the family), `facial_similarity.<breakdown>` for any
 * facial similarity report (photo, photo fully auto, video, motion), and
 * `known_faces.<breakdown>`. A key without a row (an unseen breakdown, a
 * `consider` without a non-clear breakdown, a report result such as
 * `unidentified`, a report that is missing) yields `UNKNOWN`: fail closed.
 *
 * One row goes beyond CAS: `known_faces.previously_seen_faces` →
 * `SUSPECTED_FACE_COMPARISON` (CAS lists the code but never produces it).
 * The face belongs to a different applicant already on the account: one
 * person behind several identities, which is refused rather than reviewed.
 * It needs `known_faces` in `reportNames`.
 *
 * @module
 */
import {
  type MappingRow,
  mappingTable,
  type ProviderLabel,
  type ReasonCode,
  readMapping,
} from 'idv-providers/kit';
import type { OnfidoCheck, OnfidoReport } from './schemas';

/** One row of the Onfido mapping table: a label key and the reason it yields. */
export interface OnfidoMappingRow extends MappingRow {
  /** The reason it yields (every Onfido row gives one). */
  reason: ReasonCode;
  /** What the row means, in Onfido's terms. */
  note: string;
}

/**
 * The mapping table, one row per Onfido label. Read by {@link mapOnfidoCheck}.
 * Rows are grouped as in the CAS mapping; their order has no effect.
 */
export const ONFIDO_MAPPING: readonly OnfidoMappingRow[] = [
  // Document report, sub_result "rejected": the customer should try again.
  {
    key: 'document.rejected.image_integrity',
    reason: 'REJECTED_IMAGE_INTEGRITY',
    note: 'document unreadable: quality, unsupported document, not in colour',
  },
  {
    key: 'document.rejected.age_validation',
    reason: 'REJECTED_AGE_VALIDATION',
    note: 'the person is under the minimum accepted age',
  },
  // Document report, sub_result "suspected": refused.
  {
    key: 'document.suspected.compromised_document',
    reason: 'SUSPECTED_COMPROMISED_DOCUMENT',
    note: 'the document is in a database of stolen, lost or published documents',
  },
  {
    key: 'document.suspected.police_record',
    reason: 'SUSPECTED_POLICE_RECORD',
    note: 'the document is recorded by the police as lost, stolen or compromised',
  },
  {
    key: 'document.suspected.data_consistency',
    reason: 'SUSPECTED_DATA_CONSISTENCY',
    note: 'fields read from different parts of the document disagree',
  },
  {
    key: 'document.suspected.visual_authenticity',
    reason: 'SUSPECTED_VISUAL_CONSISTENCY',
    note: 'fonts, template, security features or the photo show tampering',
  },
  {
    key: 'document.suspected.data_validation',
    reason: 'SUSPECTED_DATA_VALIDATION',
    note: 'MRZ check digits or number formats are wrong',
  },
  // Document report, sub_result "caution": a person reviews it.
  {
    key: 'document.caution.visual_authenticity',
    reason: 'CAUTION_VISUAL_CONSISTENCY',
    note: 'visual checks inconclusive',
  },
  {
    key: 'document.caution.image_integrity',
    reason: 'CAUTION_IMAGE_INTEGRITY',
    note: 'image quality too low to be sure',
  },
  {
    key: 'document.caution.data_validation',
    reason: 'CAUTION_DATA_VALIDATION',
    note: 'the document has expired, or a field could not be validated',
  },
  {
    key: 'document.caution.data_comparison',
    reason: 'CAUTION_DATA_COMPARISON',
    note: 'the document does not match the applicant data the host gave',
  },
  {
    key: 'document.caution.data_consistency',
    reason: 'CAUTION_DATA_CONSISTENCY',
    note: 'minor disagreement between fields of the document',
  },
  // Facial similarity reports (photo, photo fully auto, video, motion).
  {
    key: 'facial_similarity.face_comparison',
    reason: 'CAUTION_FACIAL_COMPARISON',
    note: 'the face does not clearly match the document photo',
  },
  {
    key: 'facial_similarity.image_integrity',
    reason: 'CAUTION_IMAGE_INTEGRITY',
    note: 'no usable face in the selfie',
  },
  {
    key: 'facial_similarity.visual_authenticity',
    reason: 'CAUTION_VISUAL_CONSISTENCY',
    note: 'the selfie may not show a live person',
  },
  // Known faces report (only when requested in reportNames).
  {
    key: 'known_faces.previously_seen_faces',
    reason: 'SUSPECTED_FACE_COMPARISON',
    note: 'the face belongs to another applicant already on the account',
  },
];

const ONFIDO_TABLE = mappingTable(ONFIDO_MAPPING);

/** Report names that are read as the document report. */
const DOCUMENT_REPORTS: ReadonlySet<string> = new Set([
  'document',
  'document_with_address_information',
  'document_with_driving_licence_information',
  'document_with_driver_verification',
  'document_video',
  'document_video_with_address_information',
]);

/** The family a report's keys are built under: `document`, `facial_similarity` or the report's own name. */
export function reportFamily(name: string): string {
  if (DOCUMENT_REPORTS.has(name)) return 'document';
  if (name.startsWith('facial_similarity')) return 'facial_similarity';
  return name;
}

/** The breakdown entries of a report whose result is set and not `clear`. */
function nonClearBreakdowns(report: OnfidoReport): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const [key, entry] of Object.entries(report.breakdown ?? {})) {
    const result = entry?.result;
    if (typeof result === 'string' && result !== 'clear') out.push([key, result]);
  }
  return out.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * The mapping keys of one report (empty when it is clear). Exported for tests
 * and for hosts that want to see which key a label produced.
 */
export function reportKeys(report: OnfidoReport): string[] {
  const family = reportFamily(report.name);
  if (report.status !== 'complete') return [`${family}.status.${report.status}`];
  if (report.result === 'clear') return [];
  if (report.result !== 'consider') return [`${family}.result.${report.result ?? 'none'}`];
  const breakdowns = nonClearBreakdowns(report).map(([key]) => key);
  const prefix = family === 'document' ? `document.${report.sub_result ?? 'none'}` : family;
  return breakdowns.length === 0 ? [prefix] : breakdowns.map((key) => `${prefix}.${key}`);
}

/** The labels kept for audit from a check and its reports. */
export function checkLabels(check: OnfidoCheck, reports: readonly OnfidoReport[]): ProviderLabel[] {
  const labels: ProviderLabel[] = [{ source: 'check.status', value: check.status }];
  if (check.result != null) labels.push({ source: 'check.result', value: check.result });
  for (const report of reports) {
    const name = report.name;
    if (report.status !== 'complete')
      labels.push({ source: `${name}.status`, value: report.status });
    if (report.result != null) labels.push({ source: `${name}.result`, value: report.result });
    if (report.sub_result != null) {
      labels.push({ source: `${name}.sub_result`, value: report.sub_result });
    }
    for (const [key, result] of nonClearBreakdowns(report)) {
      labels.push({ source: `${name}.breakdown.${key}`, value: result });
    }
  }
  return labels;
}

/** What {@link mapOnfidoCheck} found. */
export interface OnfidoCheckMapping {
  /** Reasons in priority order (never empty; `["CLEAR"]` for a clear check). */
  reasons: [ReasonCode, ...ReasonCode[]];
  /** Every key looked up in the table. */
  keys: string[];
  /** Keys with no row (each yielded `UNKNOWN`). */
  unmatched: string[];
  /** Onfido's own labels, for audit. */
  labels: ProviderLabel[];
}

/**
 * Maps a complete check and its reports to reason codes with
 * {@link ONFIDO_MAPPING}, read by the kit's fail-closed reader. A check is
 * `CLEAR` only when its result is `clear`, every report listed in
 * `report_ids` is present, and no report raised a key.
 */
export function mapOnfidoCheck(
  check: OnfidoCheck,
  reports: readonly OnfidoReport[],
  table: readonly MappingRow[] = ONFIDO_MAPPING,
): OnfidoCheckMapping {
  const keys = reports.flatMap(reportKeys);
  const present = new Set(reports.map((r) => r.id));
  for (const reportId of check.report_ids ?? []) {
    if (!present.has(reportId)) keys.push('check.missing_report');
  }
  if (reports.length === 0) keys.push('check.no_reports');
  const clear = keys.length === 0 && check.result === 'clear';
  if (keys.length === 0 && !clear) keys.push(`check.result.${check.result ?? 'none'}`);
  const labels = checkLabels(check, reports).map((label) => ({ label }));
  const reading = readMapping(table === ONFIDO_MAPPING ? ONFIDO_TABLE : table, [
    ...labels,
    ...keys,
  ]);
  return {
    reasons: clear ? ['CLEAR'] : reading.reasons,
    keys,
    unmatched: reading.unmatched,
    labels: reading.providerLabels,
  };
}
