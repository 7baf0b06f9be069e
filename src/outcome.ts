/**
 * The normalised outcome model: one vocabulary of reason codes for every
 * provider, the rule that turns a reason into an identity status, and the
 * host's policy hook. How adapters reach a result (the mapping reader, the
 * priority order, the decision with the policy applied) is in the author kit,
 * `idv-providers/kit`.
 *
 * @module
 */

/** Reasons that mean the document and selfie raised no concern. */
export const CLEAR_REASONS = ['CLEAR'] as const;

/** Reasons that send the identity to a person for review, even with auto-registration on. */
export const CAUTION_REASONS = [
  'CAUTION_VISUAL_CONSISTENCY',
  'CAUTION_IMAGE_INTEGRITY',
  'CAUTION_DATA_COMPARISON',
  'CAUTION_FACIAL_COMPARISON',
  'CAUTION_DATA_VALIDATION',
  'CAUTION_DATA_CONSISTENCY',
  'CAUTION_WATCHLIST',
] as const;

/** Reasons that reject the identity outright. */
export const SUSPECTED_REASONS = [
  'SUSPECTED_COMPROMISED_DOCUMENT',
  'SUSPECTED_DATA_CONSISTENCY',
  'SUSPECTED_POLICE_RECORD',
  'SUSPECTED_VISUAL_CONSISTENCY',
  'SUSPECTED_DATA_VALIDATION',
  'SUSPECTED_FACE_COMPARISON',
] as const;

/** Reasons for which the customer should simply try again. */
export const REJECTED_REASONS = ['REJECTED_AGE_VALIDATION', 'REJECTED_IMAGE_INTEGRITY'] as const;

/**
 * Every reason code, in priority order: when a verdict has several reasons, the
 * first of them in this list is the primary one and decides the status.
 *
 * The order is fixed and documented (never the order a provider happened to send):
 * `SUSPECTED_*`, then `REJECTED_*`, then `EXPIRED`, then `CAUTION_*`, then
 * `UNKNOWN`, then `CLEAR`; inside a family, the order of the lists above.
 */
export const REASON_CODES = [
  ...SUSPECTED_REASONS,
  ...REJECTED_REASONS,
  'EXPIRED',
  ...CAUTION_REASONS,
  'UNKNOWN',
  ...CLEAR_REASONS,
] as const;

/** A normalised reason code (the README's "Outcomes" section lists them with their statuses). */
export type ReasonCode = (typeof REASON_CODES)[number];

/** A reason's family: the part that decides the status. */
export type ReasonFamily = 'CLEAR' | 'CAUTION' | 'SUSPECTED' | 'REJECTED' | 'EXPIRED' | 'UNKNOWN';

/** The final statuses an identity can reach. */
export const FINAL_STATUSES = ['registered', 'awaiting_registration', 'rejected', 'retry'] as const;

/** A final identity status. */
export type FinalStatus = (typeof FINAL_STATUSES)[number];

/** An identity status: one of the four final ones, or `pending` while the provider has not finished. */
export type IdentityStatus = FinalStatus | 'pending';

const REASON_SET: ReadonlySet<string> = new Set(REASON_CODES);

/** True when `value` is a known {@link ReasonCode}. */
export function isReasonCode(value: unknown): value is ReasonCode {
  return typeof value === 'string' && REASON_SET.has(value);
}

/** The family of a reason code. */
export function reasonFamily(reason: ReasonCode): ReasonFamily {
  if (reason === 'CLEAR' || reason === 'EXPIRED' || reason === 'UNKNOWN') return reason;
  return reason.slice(0, reason.indexOf('_')) as ReasonFamily;
}

/**
 * The status a reason leads to, before any host policy:
 *
 * | family | status |
 * |---|---|
 * | `CLEAR` | `registered` with auto-registration on, else `awaiting_registration` |
 * | `CAUTION_*` | `awaiting_registration` |
 * | `SUSPECTED_*` | `rejected` |
 * | `REJECTED_*`, `EXPIRED` | `retry` |
 * | `UNKNOWN` | `awaiting_registration` (never `registered`) |
 */
export function statusForReason(reason: ReasonCode, autoRegistration: boolean): FinalStatus {
  switch (reasonFamily(reason)) {
    case 'CLEAR':
      return autoRegistration ? 'registered' : 'awaiting_registration';
    case 'SUSPECTED':
      return 'rejected';
    case 'REJECTED':
    case 'EXPIRED':
      return 'retry';
    default:
      return 'awaiting_registration';
  }
}

/** The person the provider read from the document. Every field is optional: providers extract what they can. */
export interface ExtractedPerson {
  /** Given name(s). */
  firstName?: string | undefined;
  /** Family name(s). */
  lastName?: string | undefined;
  /** Date of birth, `YYYY-MM-DD`. */
  dateOfBirth?: string | undefined;
  /** Document type as the provider names it (`passport`, `DRIVING_LICENSE`, ...). */
  documentType?: string | undefined;
  /** Document number. */
  documentNumber?: string | undefined;
  /** Nationality (ISO 3166-1 alpha-3 where the provider gives it). */
  nationality?: string | undefined;
  /** Country that issued the document. */
  issuingCountry?: string | undefined;
  /** Document expiry date, `YYYY-MM-DD`. */
  documentExpiry?: string | undefined;
}

/**
 * One of the provider's own labels, kept for audit (`source` says where it was
 * read, `value` what it said), e.g. `{ source: "document.breakdown.image_integrity", value: "consider" }`.
 */
export interface ProviderLabel {
  /** Where in the provider's answer the label was read. */
  source: string;
  /** The provider's value. */
  value: string;
}

/** Where a result's status came from. */
export type StatusSource = 'mapping' | 'policy';

/** A record that the host's policy changed the status. */
export interface PolicyOverride {
  /** The status the mapping gave. */
  from: FinalStatus;
  /** The status the policy chose. */
  to: FinalStatus;
  /** The policy's explanation, when it gave one. */
  note?: string | undefined;
}

/** Identifies one verification with a provider. Which ids are present depends on the provider and the step. */
export interface SessionRef {
  /** The provider's name. */
  provider: string;
  /** The applicant (Onfido) or account (Jumio) id, when known. */
  subjectId?: string | undefined;
  /**
   * The attempt: the check or workflow run (Onfido), the workflow execution
   * (Jumio), the scan reference (Jumio Netverify), when known.
   */
  attemptId?: string | undefined;
}

/** The normalised result of a verification. */
export interface VerificationResult {
  /** The provider's name. */
  provider: string;
  /** The session the result belongs to, with every id the provider returned. */
  session: SessionRef;
  /** The identity status; `pending` while the provider has not finished. */
  status: IdentityStatus;
  /** The primary reason (the first of `reasons`); `null` while pending. */
  reason: ReasonCode | null;
  /** Every reason found, in priority order; empty while pending. */
  reasons: ReasonCode[];
  /** Whether the status came from the reason mapping or from the host's policy. */
  statusSource: StatusSource;
  /** Set when the host's policy changed the status. */
  policyOverride?: PolicyOverride | undefined;
  /** The person read from the document, when the provider extracted one. */
  person: ExtractedPerson | null;
  /** The provider's own verdict labels, for audit. */
  providerLabels: ProviderLabel[];
  /** When the provider finished, ISO 8601, when it said. */
  completedAt?: string | undefined;
}

/** What a host policy may answer: a new status, with an optional note, or nothing to keep the mapped one. */
export type PolicyDecision =
  | FinalStatus
  | { status: FinalStatus; note?: string }
  | undefined
  | null;

/**
 * A host-supplied policy. It sees a final result (never a pending one) and may
 * change its status, for example to stop auto-registering customers under 18.
 * Any change is recorded in {@link VerificationResult.policyOverride}.
 *
 * @example
 * ```ts
 * const noMinors: OutcomePolicy = (result) =>
 *   result.status === 'registered' && ageOf(result.person?.dateOfBirth) < 18
 *     ? { status: 'awaiting_registration', note: 'under 18' }
 *     : undefined;
 * ```
 */
export type OutcomePolicy = (
  result: Readonly<VerificationResult>,
) => PolicyDecision | Promise<PolicyDecision>;
