/**
 * The outcome decision adapters use: reasons in the fixed priority order, and
 * a mapped verdict turned into a {@link VerificationResult} (reason → status
 * rule, then the host's policy). The outcome model itself (reason codes,
 * families, statuses, `statusForReason`) is the core's.
 *
 * @module
 */
import {
  type ExtractedPerson,
  FINAL_STATUSES,
  type FinalStatus,
  type OutcomePolicy,
  type PolicyOverride,
  type ProviderLabel,
  REASON_CODES,
  type ReasonCode,
  type SessionRef,
  statusForReason,
  type VerificationResult,
} from 'idv-providers';

/**
 * A reason's rank in the core's `REASON_CODES` (0 for a value that is not a
 * reason code). Read when called, not when this module loads, so the order in
 * which the core and the kit load does not matter.
 */
function rank(reason: ReasonCode): number {
  return Math.max(0, (REASON_CODES as readonly string[]).indexOf(reason));
}

/**
 * Sorts reasons into priority order and removes duplicates. `CLEAR` is dropped
 * when any other reason is present; an empty list becomes `["UNKNOWN"]` (fail
 * closed: no evidence is not a clear verdict).
 */
export function orderReasons(reasons: Iterable<ReasonCode>): [ReasonCode, ...ReasonCode[]] {
  const unique = [...new Set(reasons)];
  const nonClear = unique.filter((r) => r !== 'CLEAR');
  const kept = nonClear.length > 0 ? nonClear : unique;
  kept.sort((a, b) => rank(a) - rank(b));
  const [first, ...rest] = kept;
  return first === undefined ? ['UNKNOWN'] : [first, ...rest];
}

/** What an adapter found in the provider's answer, before the status is decided. */
export interface MappedVerdict {
  /** The session, with every id known. */
  session: SessionRef;
  /** `true` while the provider has not finished. */
  pending: boolean;
  /** Reasons found, in any order; ignored while pending. */
  reasons: Iterable<ReasonCode>;
  /** The person extracted, if any. */
  person?: ExtractedPerson | null | undefined;
  /** The provider's labels. */
  providerLabels?: ProviderLabel[] | undefined;
  /** When the provider finished. */
  completedAt?: string | undefined;
}

/** How a verdict becomes a status. */
export interface DecideOptions {
  /** Register a `CLEAR` identity without review. Default `false`. */
  autoRegistration?: boolean | undefined;
  /** The host's policy, applied last. */
  policy?: OutcomePolicy | undefined;
}

function isFinalStatus(value: unknown): value is FinalStatus {
  return (FINAL_STATUSES as readonly unknown[]).includes(value);
}

/**
 * Turns a mapped verdict into a {@link VerificationResult}: orders the reasons,
 * applies the reason → status rule, then the host's policy, and records what the
 * policy changed. A policy answer that is not a final status is ignored: the
 * mapped status stands, so a faulty policy can never produce a status the host
 * did not define.
 */
export async function decideOutcome(
  verdict: MappedVerdict,
  options: DecideOptions = {},
): Promise<VerificationResult> {
  const base = {
    provider: verdict.session.provider,
    session: verdict.session,
    person: verdict.person ?? null,
    providerLabels: verdict.providerLabels ?? [],
    ...(verdict.completedAt === undefined ? {} : { completedAt: verdict.completedAt }),
  };
  if (verdict.pending) {
    return { ...base, status: 'pending', reason: null, reasons: [], statusSource: 'mapping' };
  }
  const reasons = orderReasons(verdict.reasons);
  const mapped = statusForReason(reasons[0], options.autoRegistration ?? false);
  const result: VerificationResult = {
    ...base,
    status: mapped,
    reason: reasons[0],
    reasons,
    statusSource: 'mapping',
  };
  if (options.policy === undefined) return result;

  const decision = await options.policy(Object.freeze({ ...result, reasons: [...reasons] }));
  const chosen = typeof decision === 'string' ? { status: decision } : decision;
  if (chosen == null || !isFinalStatus(chosen.status) || chosen.status === mapped) return result;
  const override: PolicyOverride = { from: mapped, to: chosen.status };
  if (typeof chosen.note === 'string') override.note = chosen.note;
  return { ...result, status: chosen.status, statusSource: 'policy', policyOverride: override };
}
