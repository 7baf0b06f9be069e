/**
 * The verification site's *submit*: the check, started once per capture.
 *
 * @module
 */
import {
  type CompleteCaptureOptions,
  InvalidInputError,
  NetworkError,
  type SessionRef,
} from 'idv-providers/kit';
import { checksSince, earliestCheck, listChecks, newest, uploadTimes } from './attempt';
import { assertOnfidoSession, type OnfidoContext } from './context';
import { checkSchema } from './schemas';

/** The key a host's {@link CompleteCaptureOptions.lock} is asked for. */
export const captureLockKey = (applicantId: string): string => `idv:onfido:capture:${applicantId}`;

/**
 * The check of the applicant's current capture, created when there is none:
 * the earliest check made at or after the newest upload (see ./attempt.ts).
 * After creating one, the applicant's checks are listed again: when another
 * process created one in the same moment, the earliest of them is the
 * attempt, for both.
 */
async function findOrCreateCheck(ctx: OnfidoContext, applicantId: string): Promise<string> {
  const before = await listChecks(ctx, applicantId, undefined);
  if (before.length > 0) {
    const capturedAt = newest(await uploadTimes(ctx, applicantId, undefined));
    const current = earliestCheck(checksSince(before, capturedAt));
    if (current !== undefined) return current.id;
  }
  // `POST /checks` is not known to be idempotent (docs/provider-facts.md#o-chk-7,
  // #o-open-3), so it is not retried after a 5xx or a broken connection; only
  // after a 429, taken as refused unprocessed (docs/provider-facts.md#o-open-2).
  // The next submit finds a check such a failure may have created.
  const created = await ctx.http.request({
    method: 'POST',
    url: '/checks',
    body: { applicant_id: applicantId, report_names: ctx.options.reportNames },
    schema: checkSchema,
  });
  // Every check listed before is older than the capture (or one was returned).
  const older = new Set(before.map((check) => check.id));
  const after = await listChecks(ctx, applicantId, undefined).catch(() => [created.data]);
  const ours = after.filter((check) => !older.has(check.id));
  if (!ours.some((check) => check.id === created.data.id)) ours.push(created.data);
  return (earliestCheck(ours) ?? created.data).id;
}

function cancelled(): NetworkError {
  return new NetworkError('[idv] [onfido] completeCapture was cancelled while it waited', {
    provider: 'onfido',
    systemCode: 'ERR_CANCELED',
  });
}

/** Waits for a shared promise until this caller's signal says to stop. */
function waitFor<T>(shared: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return shared;
  if (signal.aborted) return Promise.reject(cancelled());
  return new Promise<T>((resolve, reject) => {
    const stop = () => reject(cancelled());
    signal.addEventListener('abort', stop, { once: true });
    shared.then(
      (value) => {
        signal.removeEventListener('abort', stop);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', stop);
        reject(error);
      },
    );
  });
}

/**
 * The verification site's *submit*: returns the session with the check of
 * the applicant's current capture as `attemptId`, creating the check
 * (`POST /checks` with the configured `report_names`) only when there is
 * none, running or finished. So a double click, a retried request or twenty
 * submits at once start one check:
 *
 * - inside this provider instance, concurrent submits for one applicant share
 *   one search-or-create (`GET /checks?applicant_id=`, then `POST /checks`);
 * - across processes, with `lock`, the search and the creation run under the
 *   host's lock: exactly one check;
 * - across processes without a lock, two submits racing in the same moment can
 *   each create a check (Onfido documents no idempotency key); from then on
 *   every submit and `getResult` by applicant id answers the earliest of them.
 *
 * A check older than the applicant's newest upload belongs to an earlier
 * capture, so a customer who captured again (after `refreshLink`, or under
 * `existingSubjectId`) gets a new check. A session that already has an
 * `attemptId` is returned unchanged, without a request. In Studio mode the
 * workflow runs its own checks, and the session is returned unchanged.
 */
export async function completeCapture(
  ctx: OnfidoContext,
  session: SessionRef,
  call: CompleteCaptureOptions = {},
): Promise<SessionRef> {
  assertOnfidoSession(session);
  if (ctx.studio || session.attemptId !== undefined) return session;
  const applicantId = session.subjectId;
  if (applicantId === undefined || applicantId === '') {
    throw new InvalidInputError(
      '[idv] [onfido] completeCapture needs the applicant id (subjectId)',
      { provider: 'onfido', field: 'session.subjectId' },
    );
  }
  let flight = ctx.captures.get(applicantId);
  if (flight === undefined) {
    const work = () => findOrCreateCheck(ctx, applicantId);
    const lock = call.lock;
    flight = (lock === undefined ? work() : lock(captureLockKey(applicantId), work)).finally(() =>
      ctx.captures.delete(applicantId),
    );
    ctx.captures.set(applicantId, flight);
  }
  const checkId = await waitFor(flight, call.signal);
  return { ...session, attemptId: checkId };
}
