/**
 * Starting a verification (applicant, SDK token or workflow run) and the
 * verification site's *submit* (the check).
 *
 * @module
 */
import {
  type CallOptions,
  InvalidInputError,
  type SessionRef,
  type StartVerificationInput,
  type VerificationSession,
} from 'idv-providers/kit';
import {
  assertOnfidoSession,
  ONFIDO_SDK_TOKEN_LIFETIME_MS,
  type OnfidoContext,
  segment,
} from './context';
import { applicantSchema, checkSchema, sdkTokenSchema, workflowRunSchema } from './schemas';

function nonBlank(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

/** The `POST /applicants` body from what the host knows. Throws before any request when a name is missing. */
export function applicantBody(input: StartVerificationInput): Record<string, string> {
  const person = input.person ?? {};
  const firstName = nonBlank(person.firstName);
  const lastName = nonBlank(person.lastName);
  if (firstName === undefined || lastName === undefined) {
    const missing = firstName === undefined ? 'person.firstName' : 'person.lastName';
    throw new InvalidInputError(
      `[idv] [onfido] Onfido requires the applicant's first and last name: pass person.firstName and person.lastName (or existingSubjectId to reuse an applicant)`,
      { provider: 'onfido', field: missing },
    );
  }
  const body: Record<string, string> = { first_name: firstName, last_name: lastName };
  const email = nonBlank(person.email);
  const dob = nonBlank(person.dateOfBirth);
  const phone = nonBlank(person.phoneNumber);
  if (email !== undefined) body['email'] = email;
  if (dob !== undefined) body['dob'] = dob;
  if (phone !== undefined) body['phone_number'] = phone;
  return body;
}

async function applicantId(
  ctx: OnfidoContext,
  input: StartVerificationInput,
  signal: AbortSignal | undefined,
): Promise<string> {
  const existing = nonBlank(input.existingSubjectId);
  if (existing !== undefined) {
    const found = await ctx.http.request({
      method: 'GET',
      url: `/applicants/${segment(existing)}`,
      schema: applicantSchema,
      signal,
    });
    return found.data.id;
  }
  const body = applicantBody(input);
  const created = await ctx.http.request({
    method: 'POST',
    url: '/applicants',
    body,
    schema: applicantSchema,
    signal,
  });
  return created.data.id;
}

/** The verification site link for an applicant. */
function siteLink(site: string, params: Record<string, string>): string {
  const url = new URL(site);
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  return url.toString();
}

/**
 * Starts a verification.
 *
 * Classic checks: creates the applicant (`POST /applicants`, which needs
 * `person.firstName` and `person.lastName`; nothing is invented), then an SDK
 * token (`POST /sdk_token`) whose `referrer` is the verification site's origin
 * followed by `/*`. The customer link is the verification site URL with
 * `applicant_id`.
 *
 * Studio (`workflowId` set): creates the applicant, then `POST /workflow_runs`;
 * the SDK token and link are the run's, and the session's `attemptId` is the
 * run id.
 *
 * Either way the link expires 90 minutes after this call.
 */
export async function startVerification(
  ctx: OnfidoContext,
  input: StartVerificationInput,
  call: CallOptions = {},
): Promise<VerificationSession> {
  if (typeof input?.identityReference !== 'string' || input.identityReference.trim() === '') {
    throw new InvalidInputError('[idv] [onfido] identityReference must be a non-empty string', {
      provider: 'onfido',
      field: 'identityReference',
    });
  }
  const signal = call.signal;
  const subjectId = await applicantId(ctx, input, signal);
  const expiresAt = new Date(ctx.clock.now() + ONFIDO_SDK_TOKEN_LIFETIME_MS);
  const site = ctx.options.verificationSiteUrl;

  if (ctx.studio) {
    const run = await ctx.http.request({
      method: 'POST',
      url: '/workflow_runs',
      body: {
        workflow_id: ctx.options.workflowId,
        applicant_id: subjectId,
        customer_user_id: input.identityReference,
      },
      schema: workflowRunSchema,
      signal,
    });
    const linkUrl = run.data.link?.url ?? undefined;
    const customerUrl =
      linkUrl ??
      (site === undefined
        ? undefined
        : siteLink(site, { applicant_id: subjectId, workflow_run_id: run.data.id }));
    return {
      session: { provider: 'onfido', subjectId, attemptId: run.data.id },
      ...(customerUrl === undefined ? {} : { customerUrl }),
      ...(run.data.sdk_token == null ? {} : { sdkToken: run.data.sdk_token }),
      expiresAt,
    };
  }

  // Classic checks: the options schema guarantees a verification site here.
  const siteUrl = site as string;
  const token = await ctx.http.request({
    method: 'POST',
    url: '/sdk_token',
    body: { applicant_id: subjectId, referrer: `${new URL(siteUrl).origin}/*` },
    schema: sdkTokenSchema,
    signal,
  });
  return {
    session: { provider: 'onfido', subjectId },
    customerUrl: siteLink(siteUrl, { applicant_id: subjectId }),
    sdkToken: token.data.token,
    expiresAt,
  };
}

/**
 * The verification site's *submit*: creates the check (`POST /checks` with the
 * configured `report_names`) and returns the session with the check id as
 * `attemptId`. `POST /checks` is not idempotent, so it is not retried after a
 * 5xx or a broken connection (only after a 429, which Onfido refuses unprocessed).
 *
 * A session that already has an `attemptId` is returned unchanged, so a
 * repeated submit does not start a second check. In Studio mode the workflow
 * runs its own checks, and the session is returned unchanged.
 */
export async function completeCapture(
  ctx: OnfidoContext,
  session: SessionRef,
  call: CallOptions = {},
): Promise<SessionRef> {
  assertOnfidoSession(session);
  if (ctx.studio || session.attemptId !== undefined) return session;
  if (session.subjectId === undefined || session.subjectId === '') {
    throw new InvalidInputError(
      '[idv] [onfido] completeCapture needs the applicant id (subjectId)',
      {
        provider: 'onfido',
        field: 'session.subjectId',
      },
    );
  }
  const check = await ctx.http.request({
    method: 'POST',
    url: '/checks',
    body: { applicant_id: session.subjectId, report_names: ctx.options.reportNames },
    schema: checkSchema,
    signal: call.signal,
  });
  return { ...session, attemptId: check.data.id };
}
