/**
 * How an Onfido Studio workflow run becomes reason codes (the run statuses:
 * docs/provider-facts.md#o-wf-3).
 *
 * The run's status is the operator's own decision (their workflow's rules), so
 * it sets the outcome's family; the reports the workflow ran, and the run's
 * configurable `reasons`, only say *why*, within that family:
 *
 * | run status | reasons | status with the core's rules |
 * |---|---|---|
 * | `approved` | `CLEAR` | `registered` (auto-registration on) or `awaiting_registration` |
 * | `declined` | the non-clear reasons of the run's reports and `reasons`; `UNKNOWN` if there are none | `rejected` on a `SUSPECTED_*` reason, `retry` on a `REJECTED_*` one, otherwise `awaiting_registration` |
 * | `review` | the `CAUTION_*` reasons found; `UNKNOWN` if there are none | `awaiting_registration` |
 * | `abandoned` | `EXPIRED` | `retry` |
 * | `error` | `UNKNOWN` | `awaiting_registration` |
 * | `processing`, `awaiting_input`, `awaiting_client_input` | none | `pending` |
 * | anything else | `UNKNOWN` | `awaiting_registration` |
 *
 * A declined run is therefore never registered, and is refused outright only
 * when there is evidence of fraud; a run declined without any reason the
 * library can read goes to a person. An operator who wants precise codes can
 * name the workflow's outcome reasons after the reason codes
 * (`SUSPECTED_COMPROMISED_DOCUMENT`, ...): `reasons` entries that are reason
 * codes are used like report reasons.
 *
 * @module
 */
import { isReasonCode, type ReasonCode, type ReasonFamily, reasonFamily } from 'idv-providers/kit';

/** One row of the Studio table. */
export interface OnfidoWorkflowRow {
  /** The workflow run status. */
  status: string;
  /** `false` while the run is still going. */
  final: boolean;
  /** Which families of report reasons are kept for this status. */
  keep: readonly ReasonFamily[];
  /** The reason when nothing is kept. */
  otherwise: ReasonCode;
}

/** The Studio table, one row per workflow run status. */
export const ONFIDO_WORKFLOW_MAPPING: readonly OnfidoWorkflowRow[] = [
  { status: 'approved', final: true, keep: [], otherwise: 'CLEAR' },
  {
    status: 'declined',
    final: true,
    keep: ['SUSPECTED', 'REJECTED', 'CAUTION', 'UNKNOWN'],
    otherwise: 'UNKNOWN',
  },
  { status: 'review', final: true, keep: ['CAUTION'], otherwise: 'UNKNOWN' },
  { status: 'abandoned', final: true, keep: [], otherwise: 'EXPIRED' },
  { status: 'error', final: true, keep: [], otherwise: 'UNKNOWN' },
  { status: 'processing', final: false, keep: [], otherwise: 'UNKNOWN' },
  { status: 'awaiting_input', final: false, keep: [], otherwise: 'UNKNOWN' },
  { status: 'awaiting_client_input', final: false, keep: [], otherwise: 'UNKNOWN' },
];

const UNLISTED: OnfidoWorkflowRow = { status: '*', final: true, keep: [], otherwise: 'UNKNOWN' };

/** The row for a status (an unlisted status is final and `UNKNOWN`). */
export function workflowRow(status: string): OnfidoWorkflowRow {
  return ONFIDO_WORKFLOW_MAPPING.find((row) => row.status === status) ?? UNLISTED;
}

/**
 * The reasons of a final run: those of `evidence` (report reasons, and the
 * run's `reasons` entries that are reason codes) in the families the status
 * keeps, or the row's fallback when none is.
 */
export function workflowReasons(row: OnfidoWorkflowRow, evidence: Iterable<string>): ReasonCode[] {
  const kept = [...evidence]
    .filter(isReasonCode)
    .filter((reason) => reason !== 'CLEAR' && row.keep.includes(reasonFamily(reason)));
  return kept.length === 0 ? [row.otherwise] : kept;
}
