/**
 * Fetching and normalising a result: the check and its reports (classic), or
 * the workflow run (Studio).
 *
 * @module
 */
import {
  type CallOptions,
  decideOutcome,
  InvalidInputError,
  type MappedVerdict,
  type ProviderLabel,
  type SessionRef,
  type VerificationResult,
} from 'idv-providers/kit';
import { resultCheck } from './attempt';
import {
  assertOnfidoSession,
  ONFIDO_SDK_TOKEN_LIFETIME_MS,
  type OnfidoContext,
  segment,
} from './context';
import { mapOnfidoCheck } from './mapping';
import { extractPerson } from './person';
import {
  applicantSchema,
  checkListSchema,
  checkSchema,
  type OnfidoCheck,
  type OnfidoReport,
  reportListSchema,
  workflowRunSchema,
} from './schemas';
import { workflowReasons, workflowRow } from './workflow-mapping';

type Signal = AbortSignal | undefined;

/**
 * Check statuses in which Onfido waits for someone to act
 * (docs/provider-facts.md#o-chk-3), read as `UNKNOWN`, so
 * `awaiting_registration`: the verification is not finished, and nothing
 * will happen by itself.
 *
 * - `paused`: the check was paused, at Onfido or by the account's settings
 *   (`paused: true` on the check, docs/provider-facts.md#o-chk-1). Resume it
 *   with `resumeOnfidoCheck` (`POST /checks/{id}/resume`,
 *   docs/provider-facts.md#o-chk-6) or in Onfido's dashboard.
 * - `awaiting_applicant`: the applicant has to provide data on Onfido's form
 *   (the check's `form_uri`, docs/provider-facts.md#o-chk-1), as with
 *   `applicant_provides_data`; this adapter never asks for it, so the check
 *   was made elsewhere.
 *
 * Either way Onfido sends `check.completed` when the check completes; its
 * result replaces this one. (What holds a check, and for how long, is not
 * documented: docs/provider-facts.md#o-open-13.)
 */
export const HELD_CHECK_STATUSES: ReadonlySet<string> = new Set(['paused', 'awaiting_applicant']);

async function fetchCheck(ctx: OnfidoContext, checkId: string, signal: Signal) {
  const answer = await ctx.http.request({
    method: 'GET',
    url: `/checks/${segment(checkId)}`,
    schema: checkSchema,
    signal,
  });
  return answer.data;
}

async function fetchReports(ctx: OnfidoContext, checkId: string, signal: Signal) {
  const answer = await ctx.http.request({
    method: 'GET',
    url: '/reports',
    params: { check_id: checkId },
    schema: reportListSchema,
    signal,
  });
  return answer.data.reports;
}

/** The applicant's most recent check, or `undefined` when there is none. */
export async function latestCheck(
  ctx: OnfidoContext,
  applicantId: string,
  signal: Signal,
): Promise<OnfidoCheck | undefined> {
  const answer = await ctx.http.request({
    method: 'GET',
    url: '/checks',
    params: { applicant_id: applicantId },
    schema: checkListSchema,
    signal,
  });
  const checks = [...answer.data.checks];
  checks.sort((a, b) => Date.parse(b.created_at ?? '') - Date.parse(a.created_at ?? '') || 0);
  return checks[0];
}

function decide(ctx: OnfidoContext, verdict: MappedVerdict): Promise<VerificationResult> {
  return decideOutcome(verdict, {
    autoRegistration: ctx.options.autoRegistration,
    policy: ctx.options.policy,
  });
}

async function checkResult(
  ctx: OnfidoContext,
  session: SessionRef,
  check: OnfidoCheck,
  signal: Signal,
): Promise<VerificationResult> {
  const full: SessionRef = {
    provider: 'onfido',
    ...(session.subjectId === undefined ? {} : { subjectId: session.subjectId }),
    ...(check.applicant_id == null ? {} : { subjectId: check.applicant_id }),
    attemptId: check.id,
  };
  const statusLabel: ProviderLabel = { source: 'check.status', value: check.status };
  if (check.status === 'withdrawn') {
    // The check was withdrawn before it finished (docs/provider-facts.md#o-chk-3):
    // the customer has to start over.
    return decide(ctx, {
      session: full,
      pending: false,
      reasons: ['EXPIRED'],
      providerLabels: [statusLabel],
    });
  }
  if (HELD_CHECK_STATUSES.has(check.status)) {
    // Onfido holds the check until someone acts (see HELD_CHECK_STATUSES): not
    // pending forever, but a person's decision, never a registration.
    return decide(ctx, {
      session: full,
      pending: false,
      reasons: ['UNKNOWN'],
      providerLabels: [statusLabel],
    });
  }
  if (check.status !== 'complete') {
    return decide(ctx, {
      session: full,
      pending: true,
      reasons: [],
      providerLabels: [statusLabel],
    });
  }
  const reports = await fetchReports(ctx, check.id, signal);
  const mapped = mapOnfidoCheck(check, reports);
  return decide(ctx, {
    session: full,
    pending: false,
    reasons: mapped.reasons,
    person: extractPerson(reports),
    providerLabels: mapped.labels,
  });
}

/**
 * Classic: no check yet. Pending while the link lives, `EXPIRED` once it ran
 * out (90 minutes: docs/provider-facts.md#o-sdk-2). Onfido sends no webhook for
 * a link never used, so the host asks.
 */
async function noCheckYet(
  ctx: OnfidoContext,
  applicantId: string,
  signal: Signal,
): Promise<VerificationResult> {
  const applicant = await ctx.http.request({
    method: 'GET',
    url: `/applicants/${segment(applicantId)}`,
    schema: applicantSchema,
    signal,
  });
  const created = Date.parse(applicant.data.created_at ?? '');
  const expired =
    Number.isFinite(created) && ctx.clock.now() - created >= ONFIDO_SDK_TOKEN_LIFETIME_MS;
  return decide(ctx, {
    session: { provider: 'onfido', subjectId: applicantId },
    pending: !expired,
    reasons: ['EXPIRED'],
    providerLabels: [{ source: 'applicant.checks', value: 'none' }],
  });
}

async function studioResult(
  ctx: OnfidoContext,
  session: SessionRef,
  runId: string,
  signal: Signal,
): Promise<VerificationResult> {
  const answer = await ctx.http.request({
    method: 'GET',
    url: `/workflow_runs/${segment(runId)}`,
    schema: workflowRunSchema,
    signal,
  });
  const run = answer.data;
  const subjectId = run.applicant_id ?? session.subjectId;
  const full: SessionRef = {
    provider: 'onfido',
    ...(subjectId == null ? {} : { subjectId }),
    attemptId: run.id,
  };
  const labels: ProviderLabel[] = [{ source: 'workflow_run.status', value: run.status }];
  for (const reason of run.reasons ?? []) {
    labels.push({ source: 'workflow_run.reasons', value: reason });
  }
  const row = workflowRow(run.status);
  if (!row.final)
    return decide(ctx, { session: full, pending: true, reasons: [], providerLabels: labels });

  const evidence: string[] = [...(run.reasons ?? [])];
  let reports: OnfidoReport[] = [];
  // The run's checks give the person, and the reasons its status keeps.
  if (subjectId != null) {
    const check = await latestCheck(ctx, subjectId, signal);
    if (check?.status === 'complete') {
      reports = await fetchReports(ctx, check.id, signal);
      const mapped = mapOnfidoCheck(check, reports);
      evidence.push(...mapped.reasons);
      labels.push(...mapped.labels);
    }
  }
  return decide(ctx, {
    session: full,
    pending: false,
    reasons: workflowReasons(row, evidence),
    person: extractPerson(reports),
    providerLabels: labels,
    completedAt: run.updated_at ?? undefined,
  });
}

/**
 * Fetches the authoritative result of a session.
 *
 * - With a check id (`attemptId`, classic): `GET /checks/{id}`; `complete` →
 *   `GET /reports?check_id=` mapped with the table; `withdrawn` → `EXPIRED`;
 *   `paused` or `awaiting_applicant` → `UNKNOWN` (see
 *   {@link HELD_CHECK_STATUSES}); any other status (`in_progress`,
 *   `reopened`) → `pending`.
 * - With only the applicant id: the check `completeCapture` answered for the
 *   applicant's latest capture (the earliest of the checks made for it, when
 *   submits raced: see ./attempt.ts), read as above; with no check,
 *   `pending` until 90 minutes after the applicant was created, then
 *   `EXPIRED` (time from the injected clock). An applicant reused through
 *   `existingSubjectId` or given a new link by `refreshLink` keeps its
 *   original creation time, so pass the check id where you have it.
 * - Studio (`workflowId` set): `GET /workflow_runs/{attemptId}`, mapped as
 *   described in `workflow-mapping.ts`.
 */
export async function getResult(
  ctx: OnfidoContext,
  session: SessionRef,
  call: CallOptions = {},
): Promise<VerificationResult> {
  assertOnfidoSession(session);
  const signal = call.signal;
  if (ctx.studio) {
    if (session.attemptId === undefined || session.attemptId === '') {
      throw new InvalidInputError(
        '[idv] [onfido] in Studio mode getResult needs the workflow run id (attemptId)',
        { provider: 'onfido', field: 'session.attemptId' },
      );
    }
    return studioResult(ctx, session, session.attemptId, signal);
  }
  if (session.attemptId !== undefined && session.attemptId !== '') {
    return checkResult(ctx, session, await fetchCheck(ctx, session.attemptId, signal), signal);
  }
  if (session.subjectId !== undefined && session.subjectId !== '') {
    const check = await resultCheck(ctx, session.subjectId, signal);
    return check === undefined
      ? noCheckYet(ctx, session.subjectId, signal)
      : checkResult(ctx, session, check, signal);
  }
  throw new InvalidInputError(
    '[idv] [onfido] the session has neither a check nor an applicant id',
    {
      provider: 'onfido',
      field: 'session',
    },
  );
}
