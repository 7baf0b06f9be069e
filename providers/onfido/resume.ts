/**
 * Resuming a paused check: what a host does about a result whose
 * `providerLabels` say `check.status: paused`.
 *
 * @module
 */
import {
  type CallOptions,
  type IdentityVerificationProvider,
  InvalidInputError,
  type SessionRef,
} from 'idv-providers/kit';
import { assertOnfidoSession, requireOnfidoContext, segment } from './context';

/**
 * Resumes a paused check (`POST /checks/{id}/resume`,
 * docs/provider-facts.md#o-chk-6). Onfido then runs the check on and sends
 * `check.completed` when it completes; fetch the result then. Pass the
 * provider returned by `onfido()` / `createProvider()` and the session with
 * the check id (`attemptId`).
 *
 * @example
 * ```ts
 * const result = await idv.getResult(session);
 * if (result.providerLabels.some((l) => l.source === 'check.status' && l.value === 'paused')) {
 *   await resumeOnfidoCheck(idv, result.session);
 * }
 * ```
 */
export async function resumeOnfidoCheck(
  provider: IdentityVerificationProvider,
  session: SessionRef,
  call: CallOptions = {},
): Promise<void> {
  const ctx = requireOnfidoContext(provider, 'resumeOnfidoCheck');
  assertOnfidoSession(session);
  if (ctx.studio || session.attemptId === undefined || session.attemptId === '') {
    throw new InvalidInputError(
      '[idv] [onfido] resumeOnfidoCheck needs the check id (attemptId) of a classic check',
      { provider: 'onfido', field: 'session.attemptId' },
    );
  }
  await ctx.http.request({
    method: 'POST',
    url: `/checks/${segment(session.attemptId)}/resume`,
    // Resuming a check that runs already changes nothing: safe to repeat.
    idempotent: true,
    signal: call.signal,
  });
}
