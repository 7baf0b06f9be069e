/**
 * What a host does to an applicant after starting: a new link for it, its
 * deletion, and its restoration from Onfido's archive.
 *
 * @module
 */
import {
  type CallOptions,
  type IdentityVerificationProvider,
  InvalidInputError,
  NotFoundError,
  type RefreshLinkInput,
  type SessionRef,
  type SubjectDeletion,
  type VerificationSession,
} from 'idv-providers/kit';
import { assertOnfidoSession, type OnfidoContext, requireOnfidoContext, segment } from './context';
import { classicSession, studioSession } from './start';

function applicantOf(session: SessionRef, method: string): string {
  assertOnfidoSession(session);
  const id = session.subjectId;
  if (id === undefined || id.trim() === '') {
    throw new InvalidInputError(`[idv] [onfido] ${method} needs the applicant id (subjectId)`, {
      provider: 'onfido',
      field: 'session.subjectId',
    });
  }
  return id;
}

/**
 * A new link for the same applicant. Classic: a new SDK token (`POST
 * /sdk_token`, 90 minutes: docs/provider-facts.md#o-sdk-1, #o-sdk-2) and the
 * verification site's link; the session is the applicant's, as before. Studio:
 * a new workflow run for the applicant (`POST /workflow_runs`,
 * docs/provider-facts.md#o-wf-1), since Onfido documents no call that renews
 * a run's link (docs/provider-facts.md#o-wf-6); the session's `attemptId` is
 * the new run.
 *
 * The old SDK token or run link is not revoked at Onfido (no call does that):
 * it works until it expires. When the customer captures again, the next
 * `completeCapture` starts a new check (the capture is newer than the last
 * check: see ./attempt.ts).
 */
export async function refreshLink(
  ctx: OnfidoContext,
  session: SessionRef,
  input: RefreshLinkInput,
  call: CallOptions = {},
): Promise<VerificationSession> {
  const applicantId = applicantOf(session, 'refreshLink');
  if (typeof input?.identityReference !== 'string' || input.identityReference.trim() === '') {
    throw new InvalidInputError(
      '[idv] [onfido] refreshLink needs the identityReference the verification was started with',
      { provider: 'onfido', field: 'identityReference' },
    );
  }
  return ctx.studio
    ? studioSession(ctx, applicantId, input.identityReference, call.signal)
    : classicSession(ctx, applicantId, call.signal);
}

/**
 * Deletes the applicant (`DELETE /applicants/{id}`): it and all its documents,
 * photos, videos, checks and reports go to Onfido's archive for the
 * account's deletion delay, restorable until it ends, and are gone from the
 * API at once (docs/provider-facts.md#o-app-1, #o-app-11). Onfido refuses an
 * applicant whose check is still running (`deletion_incomplete_checks`, a
 * `ProviderApiError`): delete it after `check.completed`. An applicant the API
 * does not know (deleted before, or of another region) is `not_found`.
 */
export async function deleteSubject(
  ctx: OnfidoContext,
  session: SessionRef,
  call: CallOptions = {},
): Promise<SubjectDeletion> {
  const applicantId = applicantOf(session, 'deleteSubject');
  try {
    await ctx.http.request({
      method: 'DELETE',
      url: `/applicants/${segment(applicantId)}`,
      signal: call.signal,
    });
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
    return { provider: 'onfido', subjectId: applicantId, outcome: 'not_found', restorable: false };
  }
  return { provider: 'onfido', subjectId: applicantId, outcome: 'deleted', restorable: true };
}

/**
 * Restores an applicant deleted with `deleteSubject` while it is still in
 * Onfido's archive (`POST /applicants/{id}/restore`,
 * docs/provider-facts.md#o-app-1, #o-app-11): it comes back with everything
 * it had. After the account's deletion delay it is gone for good, and the
 * call fails with a `ProviderApiError` (`NotFoundError` once Onfido has
 * forgotten it). Pass the provider returned by `onfido()` /
 * `createProvider()`.
 *
 * @example
 * ```ts
 * const deleted = await idv.deleteSubject(session); // { outcome: 'deleted', restorable: true }
 * // ... the customer withdrew the erasure request within the window:
 * await restoreOnfidoApplicant(idv, session);
 * ```
 */
export async function restoreOnfidoApplicant(
  provider: IdentityVerificationProvider,
  session: SessionRef,
  call: CallOptions = {},
): Promise<void> {
  const ctx = requireOnfidoContext(provider, 'restoreOnfidoApplicant');
  const applicantId = applicantOf(session, 'restoreOnfidoApplicant');
  await ctx.http.request({
    method: 'POST',
    url: `/applicants/${segment(applicantId)}/restore`,
    // Restoring what is restored already leaves it restored: safe to repeat.
    idempotent: true,
    signal: call.signal,
  });
}
