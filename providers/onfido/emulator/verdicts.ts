/**
 * What the emulated Onfido decides, in Onfido's own vocabulary, and how a test
 * picks it by reason code.
 *
 * {@link REASON_RECIPES} is the emulator's own reading of the reference (which
 * report, `sub_result` and breakdown Onfido sends for each outcome). It is kept
 * apart from the adapter's mapping table on purpose, so an end-to-end test
 * compares two independent readings instead of one table with itself.
 *
 * @module
 */
import type {
  DocumentBreakdown,
  FacialSimilarityMotionBreakdown,
  FacialSimilarityPhotoBreakdown,
  FacialSimilarityPhotoFullyAutoBreakdown,
  FacialSimilarityVideoBreakdown,
  KnownFacesBreakdown,
  ReportName,
  WatchlistAmlBreakdown,
  WatchlistEnhancedBreakdown,
  WatchlistStandardBreakdown,
} from '@onfido/api';
import type { ExtractedPerson, ReasonCode } from 'idv-providers';
import type { BreakdownTable, Complete, EverySubKey, SpecValues } from './reference';

/** How one report comes out. */
export interface OnfidoReportOutcome {
  /** Report result. Default `consider` when {@link consider} names a breakdown, else `clear`. */
  result?: string | undefined;
  /** Document reports only: `clear`, `rejected`, `suspected`, `caution` (or anything, to test unseen values). */
  subResult?: string | null | undefined;
  /** Breakdown keys whose result is `consider` (a key Onfido does not send is added as is). */
  consider?: readonly string[] | undefined;
  /** Report status. Default `complete`. */
  status?: string | undefined;
}

/**
 * A check's outcome in Onfido's terms. `reports` is keyed by report family
 * (`document`, `facial_similarity`, `known_faces`) or by an exact report name;
 * reports it does not name come out clear.
 */
export interface OnfidoOutcome {
  reports?: Readonly<Record<string, OnfidoReportOutcome>> | undefined;
  /** The person on the document. Default: the applicant's name and sample details. */
  person?: ExtractedPerson | undefined;
  /** Studio: the workflow run's final status. Default: derived from the reports. */
  workflowStatus?: string | undefined;
  /** Studio: the run's `reasons`. */
  workflowReasons?: readonly string[] | undefined;
  /** The customer never captures: the link runs out. */
  expired?: boolean | undefined;
}

const doc = (subResult: string, breakdown: string): OnfidoOutcome => ({
  reports: { document: { subResult, consider: [breakdown] } },
});

/**
 * For each reason code Onfido can produce, the check that produces it. Written
 * from the reference: the document report's `sub_result` and breakdown for
 * the CAS rows; the facial similarity report's breakdown for the face rows;
 * the known faces report for a face seen on another applicant.
 */
export const REASON_RECIPES: Readonly<Partial<Record<ReasonCode, OnfidoOutcome>>> = {
  CLEAR: {},
  SUSPECTED_COMPROMISED_DOCUMENT: doc('suspected', 'compromised_document'),
  SUSPECTED_DATA_CONSISTENCY: doc('suspected', 'data_consistency'),
  SUSPECTED_POLICE_RECORD: doc('suspected', 'police_record'),
  SUSPECTED_VISUAL_CONSISTENCY: doc('suspected', 'visual_authenticity'),
  SUSPECTED_DATA_VALIDATION: doc('suspected', 'data_validation'),
  SUSPECTED_FACE_COMPARISON: { reports: { known_faces: { consider: ['previously_seen_faces'] } } },
  REJECTED_AGE_VALIDATION: doc('rejected', 'age_validation'),
  REJECTED_IMAGE_INTEGRITY: doc('rejected', 'image_integrity'),
  CAUTION_VISUAL_CONSISTENCY: doc('caution', 'visual_authenticity'),
  CAUTION_IMAGE_INTEGRITY: doc('caution', 'image_integrity'),
  CAUTION_DATA_COMPARISON: doc('caution', 'data_comparison'),
  CAUTION_DATA_VALIDATION: doc('caution', 'data_validation'),
  CAUTION_DATA_CONSISTENCY: doc('caution', 'data_consistency'),
  CAUTION_FACIAL_COMPARISON: {
    reports: { facial_similarity: { consider: ['face_comparison'] } },
  },
  // A document Onfido could not identify: no verdict at all.
  UNKNOWN: { reports: { document: { result: 'unidentified', subResult: null } } },
  EXPIRED: { expired: true },
};

/** The document breakdown: every key and sub-breakdown of the spec (docs/provider-facts.md#o-bd-1, #o-bd-2). */
const DOCUMENT_BREAKDOWN = {
  data_comparison: [
    'issuing_country',
    'gender',
    'date_of_expiry',
    'last_name',
    'document_type',
    'document_numbers',
    'first_name',
    'date_of_birth',
  ],
  data_validation: [
    'gender',
    'date_of_birth',
    'document_numbers',
    'document_expiration',
    'expiry_date',
    'mrz',
    'barcode',
  ],
  image_integrity: [
    'image_quality',
    'supported_document',
    'colour_picture',
    'conclusive_document_quality',
  ],
  visual_authenticity: [
    'fonts',
    'picture_face_integrity',
    'template',
    'security_features',
    'original_document_present',
    'digital_tampering',
    'other',
    'face_detection',
  ],
  data_consistency: [
    'date_of_expiry',
    'document_numbers',
    'issuing_country',
    'document_type',
    'date_of_birth',
    'gender',
    'first_name',
    'nationality',
    'last_name',
    'multiple_data_sources_present',
  ],
  police_record: [],
  compromised_document: ['document_database', 'repeat_attempts'],
  age_validation: ['minimum_accepted_age'],
  issuing_authority: ['nfc_active_authentication', 'nfc_passive_authentication'],
} as const satisfies BreakdownTable<DocumentBreakdown>;
export const DOCUMENT_BREAKDOWN_COMPLETE: EverySubKey<
  DocumentBreakdown,
  typeof DOCUMENT_BREAKDOWN
> = true;

/** Facial similarity photo and photo fully auto (docs/provider-facts.md#o-bd-9). */
const FACE_PHOTO_BREAKDOWN = {
  face_comparison: ['face_match'],
  image_integrity: ['face_detected', 'source_integrity'],
  visual_authenticity: ['spoofing_detection'],
} as const satisfies BreakdownTable<FacialSimilarityPhotoBreakdown> &
  BreakdownTable<FacialSimilarityPhotoFullyAutoBreakdown>;
export const FACE_PHOTO_BREAKDOWN_COMPLETE: EverySubKey<
  FacialSimilarityPhotoBreakdown,
  typeof FACE_PHOTO_BREAKDOWN
> = true;

/** Facial similarity video and motion: `liveness_detected` too (docs/provider-facts.md#o-bd-10). */
const FACE_VIDEO_BREAKDOWN = {
  face_comparison: ['face_match'],
  image_integrity: ['face_detected', 'source_integrity'],
  visual_authenticity: ['liveness_detected', 'spoofing_detection'],
} as const satisfies BreakdownTable<FacialSimilarityVideoBreakdown> &
  BreakdownTable<FacialSimilarityMotionBreakdown>;
export const FACE_VIDEO_BREAKDOWN_COMPLETE: EverySubKey<
  FacialSimilarityMotionBreakdown,
  typeof FACE_VIDEO_BREAKDOWN
> = true;

/** Known faces: results only (docs/provider-facts.md#o-bd-14). */
const KNOWN_FACES_BREAKDOWN = {
  previously_seen_faces: [],
  image_integrity: [],
} as const satisfies BreakdownTable<KnownFacesBreakdown>;

/** Watchlist standard, PEPs only and sanctions only: results only (docs/provider-facts.md#o-bd-11). */
const WATCHLIST_STANDARD_BREAKDOWN = {
  sanction: [],
  politically_exposed_person: [],
  legal_and_regulatory_warnings: [],
} as const satisfies BreakdownTable<WatchlistStandardBreakdown>;

/** Watchlist enhanced (docs/provider-facts.md#o-bd-12). */
const WATCHLIST_ENHANCED_BREAKDOWN = {
  politically_exposed_person: [],
  sanction: [],
  adverse_media: [],
  monitored_lists: [],
} as const satisfies BreakdownTable<WatchlistEnhancedBreakdown>;

/** Watchlist AML (docs/provider-facts.md#o-bd-13). */
const WATCHLIST_AML_BREAKDOWN = {
  sanction: [],
  politically_exposed_person: [],
  legal_and_regulatory_warnings: [],
  adverse_media: [],
} as const satisfies BreakdownTable<WatchlistAmlBreakdown>;

/**
 * The breakdown keys (and their sub-breakdowns) Onfido sends, by report
 * family (`document`, `facial_similarity` for the photo kinds) or by exact
 * report name. Every table is checked against the official client's types,
 * key for key.
 */
export const STANDARD_BREAKDOWNS: Readonly<
  Record<string, Readonly<Record<string, readonly string[]>>>
> = {
  document: DOCUMENT_BREAKDOWN,
  facial_similarity: FACE_PHOTO_BREAKDOWN,
  facial_similarity_video: FACE_VIDEO_BREAKDOWN,
  facial_similarity_motion: FACE_VIDEO_BREAKDOWN,
  known_faces: KNOWN_FACES_BREAKDOWN,
  watchlist_standard: WATCHLIST_STANDARD_BREAKDOWN,
  watchlist_peps_only: WATCHLIST_STANDARD_BREAKDOWN,
  watchlist_sanctions_only: WATCHLIST_STANDARD_BREAKDOWN,
  watchlist_enhanced: WATCHLIST_ENHANCED_BREAKDOWN,
  watchlist_aml: WATCHLIST_AML_BREAKDOWN,
};

/** Document report names (read as the `document` family). */
const DOCUMENT_NAMES = new Set([
  'document',
  'document_video',
  'document_video_with_address_information',
  'document_with_address_information',
  'document_with_driving_licence_information',
  'document_with_driver_verification',
]);

/** The family of a report name, as the emulator groups them. */
export function familyOf(name: string): string {
  if (DOCUMENT_NAMES.has(name)) return 'document';
  if (name.startsWith('facial_similarity')) return 'facial_similarity';
  return name;
}

/** Every report name (docs/provider-facts.md#o-rep-1), checked against the client's `ReportName`. */
const REPORT_NAME_LIST = [
  'document',
  'document_video',
  'document_video_with_address_information',
  'document_with_address_information',
  'document_with_driving_licence_information',
  'document_with_driver_verification',
  'facial_similarity_photo',
  'facial_similarity_photo_fully_auto',
  'facial_similarity_video',
  'facial_similarity_motion',
  'known_faces',
  'identity_enhanced',
  'watchlist_aml',
  'watchlist_enhanced',
  'watchlist_standard',
  'watchlist_peps_only',
  'watchlist_sanctions_only',
  'proof_of_address',
  'us_driving_licence',
  'device_intelligence',
  'india_pan',
] as const satisfies readonly SpecValues<ReportName>[];
export const REPORT_NAMES_COMPLETE: Complete<
  SpecValues<ReportName>,
  (typeof REPORT_NAME_LIST)[number]
> = true;

/** Every report name Onfido API v3.6 accepts in `report_names`. */
export const REPORT_NAMES: ReadonlySet<string> = new Set(REPORT_NAME_LIST);

/** Default breakdown for a sandbox `sub_result` given without a reason. */
const SANDBOX_BREAKDOWN: Readonly<Record<string, string>> = {
  rejected: 'image_integrity',
  suspected: 'data_consistency',
  caution: 'data_comparison',
};

/**
 * The outcome the sandbox-only `consider` and `sub_result` fields of
 * `POST /checks` ask for: the named reports come out `consider`; a document
 * report among them takes `sub_result` (default `suspected`). A `sub_result`
 * other than `clear` without `consider` applies to the document report alone.
 */
export function sandboxOutcome(
  consider: readonly string[] | undefined,
  subResult: string | undefined,
): OnfidoOutcome | undefined {
  if (consider === undefined && subResult === undefined) return undefined;
  const names = [...(consider ?? [])];
  if (
    subResult !== undefined &&
    subResult !== 'clear' &&
    !names.some((n) => familyOf(n) === 'document')
  ) {
    names.push('document');
  }
  const reports: Record<string, OnfidoReportOutcome> = {};
  for (const name of names) {
    const family = familyOf(name);
    if (family === 'document') {
      const sub = subResult ?? 'suspected';
      reports[name] = { subResult: sub, consider: [SANDBOX_BREAKDOWN[sub] ?? 'data_consistency'] };
    } else {
      const first = Object.keys(STANDARD_BREAKDOWNS[family] ?? {})[0];
      reports[name] = first === undefined ? { result: 'consider' } : { consider: [first] };
    }
  }
  return { reports };
}

/** A report outcome's result: as given, or `consider` when it names a breakdown, else `clear`. */
export function resultOf(report: OnfidoReportOutcome): string {
  return report.result ?? ((report.consider?.length ?? 0) > 0 ? 'consider' : 'clear');
}

/**
 * The Studio run status an outcome ends in, unless the outcome sets one:
 * `abandoned` when the link ran out, `error` when a report has no verdict,
 * `declined` for a suspected or rejected document or a known face, `review`
 * for any other `consider`, else `approved`.
 */
export function workflowStatusOf(outcome: OnfidoOutcome): string {
  if (outcome.workflowStatus !== undefined) return outcome.workflowStatus;
  if (outcome.expired === true) return 'abandoned';
  const flagged = Object.entries(outcome.reports ?? {}).filter(([, r]) => resultOf(r) !== 'clear');
  if (flagged.some(([, r]) => resultOf(r) !== 'consider')) return 'error';
  const severe = flagged.some(
    ([key, r]) =>
      r.subResult === 'suspected' || r.subResult === 'rejected' || familyOf(key) === 'known_faces',
  );
  if (severe) return 'declined';
  return flagged.length > 0 ? 'review' : 'approved';
}
