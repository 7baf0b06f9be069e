/**
 * How a finished Onfido check becomes reason codes.
 *
 * Every non-clear label of every report is turned into a key and looked up in
 * {@link ONFIDO_MAPPING}, one row per label. The table reproduces the CAS
 * (bitcoin-ATM server) mapping with these corrections:
 *
 * - **Fixed priority.** Every non-clear breakdown is mapped, not the first one
 *   in whatever order the JSON object happened to list them. The primary reason
 *   is chosen by the kit reader's fixed order (`orderReasons`): `SUSPECTED_*`,
 *   then `REJECTED_*`, then `EXPIRED`, then `CAUTION_*`, then `UNKNOWN`, then
 *   `CLEAR`; inside a family, the order of the core's reason lists.
 * - **All reasons kept.** The facial similarity report is read even when the
 *   document report already decided; its reasons are listed after the document's.
 * - **Real breakdown keys.** Onfido's key is `visual_authenticity`
 *   (docs/provider-facts.md#o-bd-1).
 * - **The sub_result decides the family.** A document report's explicit
 *   `sub_result` (`rejected`, `suspected`, `caution`: docs/provider-facts.md#o-rep-5)
 *   that no breakdown row explains (no non-clear breakdown, or a breakdown of
 *   the spec without a row of its own under that sub_result) still yields a
 *   reason of its family:
 *   the generic rows `document.rejected`, `document.suspected`,
 *   `document.caution`, as CAS's generic codes do.
 *
 * Keys look like `document.<sub_result>.<breakdown>` for the document report
 * (the `sub_result` picks the family), `facial_similarity.<breakdown>` for any
 * facial similarity report (photo, photo fully auto, video, motion),
 * `watchlist.<breakdown>` for any watchlist report (standard, enhanced, AML,
 * PEPs only, sanctions only) and `known_faces.<breakdown>`. A document key
 * naming a breakdown the spec defines but that has no row under its
 * `sub_result` is read by the `sub_result`'s generic row
 * (`document.rejected.police_record` → `document.rejected`). Only a truly
 * unknown value yields `UNKNOWN` (fail closed): an unknown `sub_result`, a
 * breakdown key the spec does not define, a document `consider` without any
 * `sub_result`, a report result such as `unidentified`, a report that did not
 * complete, a kind of report the table does not read, a missing report.
 *
 * Rows beyond CAS:
 *
 * - `known_faces.previously_seen_faces` → `SUSPECTED_FACE_COMPARISON` (CAS
 *   lists the code but never produces it). The face belongs to a different
 *   applicant already on the account: one person behind several identities,
 *   which is refused rather than reviewed. It needs `known_faces` in
 *   `reportNames`.
 * - Watchlist reports: every breakdown (a record found on a sanctions, PEP,
 *   adverse media or monitored list: docs/provider-facts.md#o-bd-21) is
 *   `CAUTION_WATCHLIST`, a person reviews the possible match. They need a
 *   watchlist report in `reportNames`.
 * - `issuing_authority` (NFC: the chip is cloned, or its data was tampered
 *   with: docs/provider-facts.md#o-bd-20).
 *
 * @module
 */
import {
  type LabelRead,
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
  /** The facts the row rests on (`docs/provider-facts.md#...`). */
  source: string;
}

const FACTS = 'docs/provider-facts.md';
const DOC = `${FACTS}#o-bd-1, ${FACTS}#o-bd-2, ${FACTS}#o-rep-5`;
const FACE = `${FACTS}#o-bd-9, ${FACTS}#o-bd-10`;
const WATCH = `${FACTS}#o-bd-11, ${FACTS}#o-bd-12, ${FACTS}#o-bd-13, ${FACTS}#o-bd-21`;
const NFC = `${FACTS}#o-bd-2, ${FACTS}#o-bd-20, ${FACTS}#o-doc-5`;
const GENERIC = `${FACTS}#o-rep-5, ${FACTS}#o-open-10`;

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
    source: DOC,
  },
  {
    key: 'document.rejected.age_validation',
    reason: 'REJECTED_AGE_VALIDATION',
    note: 'the person is under the minimum accepted age',
    source: DOC,
  },
  {
    key: 'document.rejected',
    reason: 'REJECTED_IMAGE_INTEGRITY',
    note: 'generic: rejected (the document could not be processed) without a breakdown row saying why',
    source: GENERIC,
  },
  // Document report, sub_result "suspected": refused.
  {
    key: 'document.suspected.compromised_document',
    reason: 'SUSPECTED_COMPROMISED_DOCUMENT',
    note: 'the document is in a database of stolen, lost or published documents',
    source: DOC,
  },
  {
    key: 'document.suspected.police_record',
    reason: 'SUSPECTED_POLICE_RECORD',
    note: 'the document is recorded by the police as lost, stolen or compromised',
    source: DOC,
  },
  {
    key: 'document.suspected.data_consistency',
    reason: 'SUSPECTED_DATA_CONSISTENCY',
    note: 'fields read from different parts of the document disagree',
    source: DOC,
  },
  {
    key: 'document.suspected.visual_authenticity',
    reason: 'SUSPECTED_VISUAL_CONSISTENCY',
    note: 'fonts, template, security features or the photo show tampering',
    source: DOC,
  },
  {
    key: 'document.suspected.data_validation',
    reason: 'SUSPECTED_DATA_VALIDATION',
    note: 'MRZ check digits or number formats are wrong',
    source: DOC,
  },
  {
    key: 'document.suspected.issuing_authority',
    reason: 'SUSPECTED_DATA_VALIDATION',
    note: "NFC: the chip is cloned or its data was tampered with; the issuer's data does not validate",
    source: NFC,
  },
  {
    key: 'document.suspected',
    reason: 'SUSPECTED_COMPROMISED_DOCUMENT',
    note: 'generic: the document is suspected to be fraudulent, without a breakdown row saying why',
    source: GENERIC,
  },
  // Document report, sub_result "caution": a person reviews it.
  {
    key: 'document.caution.visual_authenticity',
    reason: 'CAUTION_VISUAL_CONSISTENCY',
    note: 'visual checks inconclusive',
    source: DOC,
  },
  {
    key: 'document.caution.image_integrity',
    reason: 'CAUTION_IMAGE_INTEGRITY',
    note: 'image quality too low to be sure',
    source: DOC,
  },
  {
    key: 'document.caution.data_validation',
    reason: 'CAUTION_DATA_VALIDATION',
    note: 'the document has expired, or a field could not be validated',
    source: DOC,
  },
  {
    key: 'document.caution.data_comparison',
    reason: 'CAUTION_DATA_COMPARISON',
    note: 'the document does not match the applicant data the host gave',
    source: DOC,
  },
  {
    key: 'document.caution.data_consistency',
    reason: 'CAUTION_DATA_CONSISTENCY',
    note: 'minor disagreement between fields of the document',
    source: DOC,
  },
  {
    key: 'document.caution.issuing_authority',
    reason: 'CAUTION_DATA_VALIDATION',
    note: "NFC: the chip's data could not be fully validated against the issuing authority",
    source: NFC,
  },
  {
    key: 'document.caution',
    reason: 'CAUTION_DATA_VALIDATION',
    note: 'generic: caution without a breakdown row saying why',
    source: GENERIC,
  },
  // Facial similarity reports (photo, photo fully auto, video, motion).
  {
    key: 'facial_similarity.face_comparison',
    reason: 'CAUTION_FACIAL_COMPARISON',
    note: 'the face does not clearly match the document photo',
    source: FACE,
  },
  {
    key: 'facial_similarity.image_integrity',
    reason: 'CAUTION_IMAGE_INTEGRITY',
    note: 'no usable face in the selfie',
    source: FACE,
  },
  {
    key: 'facial_similarity.visual_authenticity',
    reason: 'CAUTION_VISUAL_CONSISTENCY',
    note: 'the selfie may not show a live person',
    source: FACE,
  },
  // Known faces report (only when requested in reportNames).
  {
    key: 'known_faces.previously_seen_faces',
    reason: 'SUSPECTED_FACE_COMPARISON',
    note: 'the face belongs to another applicant already on the account',
    source: `${FACTS}#o-bd-14`,
  },
  // Watchlist reports (only when requested in reportNames): a possible match, reviewed.
  {
    key: 'watchlist.sanction',
    reason: 'CAUTION_WATCHLIST',
    note: 'records found on government or international sanctions lists',
    source: WATCH,
  },
  {
    key: 'watchlist.politically_exposed_person',
    reason: 'CAUTION_WATCHLIST',
    note: 'records found among politically exposed persons',
    source: WATCH,
  },
  {
    key: 'watchlist.adverse_media',
    reason: 'CAUTION_WATCHLIST',
    note: 'records found of negative events reported by the media (enhanced, AML)',
    source: WATCH,
  },
  {
    key: 'watchlist.legal_and_regulatory_warnings',
    reason: 'CAUTION_WATCHLIST',
    note: 'records found on law-enforcement and regulatory lists (standard, AML)',
    source: WATCH,
  },
  {
    key: 'watchlist.monitored_lists',
    reason: 'CAUTION_WATCHLIST',
    note: 'records found on law-enforcement and regulatory monitored lists (enhanced)',
    source: WATCH,
  },
  {
    key: 'watchlist',
    reason: 'CAUTION_WATCHLIST',
    note: 'generic: a watchlist report to consider without a non-clear breakdown saying which list',
    source: WATCH,
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

/**
 * The family a report's keys are built under: `document`, `facial_similarity`,
 * `watchlist` or the report's own name (docs/provider-facts.md#o-rep-1).
 */
export function reportFamily(name: string): string {
  if (DOCUMENT_REPORTS.has(name)) return 'document';
  if (name.startsWith('facial_similarity')) return 'facial_similarity';
  if (name.startsWith('watchlist_')) return 'watchlist';
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

/** The document breakdown keys the spec defines (docs/provider-facts.md#o-bd-1). */
const DOCUMENT_BREAKDOWNS: ReadonlySet<string> = new Set([
  'data_comparison',
  'data_validation',
  'image_integrity',
  'visual_authenticity',
  'data_consistency',
  'police_record',
  'compromised_document',
  'age_validation',
  'issuing_authority',
]);

/**
 * The key tried when `key` has no row: for a document breakdown the spec
 * defines, flagged under a known `sub_result` without a row of its own
 * (`document.rejected.police_record`), the `sub_result`'s generic row
 * (`document.rejected`). A breakdown key the spec does not define is an
 * unknown value and gets no fallback: it stays `UNKNOWN`.
 */
function fallbackKeys(key: string): string[] {
  const [family, subResult, breakdown] = key.split('.');
  if (family !== 'document' || subResult === undefined || breakdown === undefined) return [];
  return DOCUMENT_BREAKDOWNS.has(breakdown) && key.split('.').length === 3
    ? [`document.${subResult}`]
    : [];
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
  const reads: LabelRead[] = keys.map((key) => ({ key, fallbacks: fallbackKeys(key) }));
  const reading = readMapping(table === ONFIDO_MAPPING ? ONFIDO_TABLE : table, [
    ...labels,
    ...reads,
  ]);
  return {
    reasons: clear ? ['CLEAR'] : reading.reasons,
    keys,
    unmatched: reading.unmatched,
    labels: reading.providerLabels,
  };
}
