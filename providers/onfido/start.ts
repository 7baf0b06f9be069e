/**
 * Starting a verification: the applicant, then an SDK token (classic) or a
 * workflow run (Studio). The verification site's *submit* is ./capture.ts.
 *
 * @module
 */
import { isIP } from 'node:net';
import {
  type CallOptions,
  customerLink,
  InvalidInputError,
  type StartVerificationInput,
  type VerificationSession,
} from 'idv-providers/kit';
import { ONFIDO_SDK_TOKEN_LIFETIME_MS, type OnfidoContext, segment } from './context';
import { applicantSchema, sdkTokenSchema, workflowRunSchema } from './schemas';

function nonBlank(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function refuse(field: string, message: string): InvalidInputError {
  return new InvalidInputError(`[idv] [onfido] ${message}`, { provider: 'onfido', field });
}

/** Report kinds for which Onfido needs a US resident's biometric consent (docs/provider-facts.md#o-app-9). */
const BIOMETRIC_REPORT = /^(document|facial_similarity|known_faces)/;

/** The applicant's `location` and `consents`, as Onfido API v3.4+ wants them. */
export interface OnfidoApplicantLocation {
  /** `{country_of_residence, ip_address?}` (docs/provider-facts.md#o-app-6). */
  location?: { country_of_residence?: string; ip_address?: string };
  /** `[{name, granted}]` (docs/provider-facts.md#o-app-7). */
  consents?: Array<{ name: 'privacy_notices_read'; granted: boolean }>;
}

/**
 * The `location` and `consents` of an applicant from what the host knows.
 * Onfido refuses a check for an applicant without a location, and a document,
 * face or known faces check for a US resident without the biometric consent
 * (docs/provider-facts.md#o-app-8, #o-app-9, #o-app-10), so both are refused
 * here, before any request, when `required`. The consent is sent as
 * `privacy_notices_read` (the value is inferred: docs/provider-facts.md#o-open-4).
 */
export function applicantLocation(
  input: StartVerificationInput,
  reportNames: readonly string[],
  required: boolean,
): OnfidoApplicantLocation {
  const out: OnfidoApplicantLocation = {};
  const given = nonBlank(input.person?.countryOfResidence);
  const country = given?.toUpperCase();
  if (country !== undefined && !/^[A-Z]{3}$/.test(country)) {
    throw refuse(
      'person.countryOfResidence',
      `person.countryOfResidence must be an ISO 3166-1 alpha-3 country code such as "GBR" or "USA"`,
    );
  }
  const ip = nonBlank(input.ipAddress);
  if (ip !== undefined && isIP(ip) === 0) {
    throw refuse('ipAddress', 'ipAddress must be an IPv4 or IPv6 address');
  }
  if (country === undefined && required) {
    throw refuse(
      'person.countryOfResidence',
      'Onfido requires the applicant\'s location before a check can run: pass person.countryOfResidence (ISO 3166-1 alpha-3, such as "GBR"), and ipAddress when you have it',
    );
  }
  if (country !== undefined || ip !== undefined) {
    out.location = {
      ...(country === undefined ? {} : { country_of_residence: country }),
      ...(ip === undefined ? {} : { ip_address: ip }),
    };
  }
  const biometric = input.consents?.biometric;
  const needsConsent = country === 'USA' && reportNames.some((name) => BIOMETRIC_REPORT.test(name));
  if (needsConsent && biometric !== true) {
    throw refuse(
      'consents.biometric',
      "Onfido requires the biometric consent of a US resident: show Onfido's privacy notices and US biometric consent text, then pass consents.biometric: true (the consent lasts six months)",
    );
  }
  if (biometric !== undefined)
    out.consents = [{ name: 'privacy_notices_read', granted: biometric }];
  return out;
}

/** A `POST /applicants` body (docs/provider-facts.md#o-app-2). */
export interface OnfidoApplicantBody extends OnfidoApplicantLocation {
  first_name: string;
  last_name: string;
  email?: string;
  dob?: string;
  phone_number?: string;
}

/**
 * The `POST /applicants` body from what the host knows. Throws before any
 * request when a name or the country of residence is missing, or a US
 * resident's biometric consent (see {@link applicantLocation}).
 */
export function applicantBody(
  input: StartVerificationInput,
  reportNames: readonly string[] = ['document', 'facial_similarity_photo'],
): OnfidoApplicantBody {
  const person = input.person ?? {};
  const firstName = nonBlank(person.firstName);
  const lastName = nonBlank(person.lastName);
  if (firstName === undefined || lastName === undefined) {
    const missing = firstName === undefined ? 'person.firstName' : 'person.lastName';
    throw refuse(
      missing,
      `Onfido requires the applicant's first and last name: pass person.firstName and person.lastName (or existingSubjectId to reuse an applicant)`,
    );
  }
  const body: OnfidoApplicantBody = {
    first_name: firstName,
    last_name: lastName,
    ...applicantLocation(input, reportNames, true),
  };
  const email = nonBlank(person.email);
  const dob = nonBlank(person.dateOfBirth);
  const phone = nonBlank(person.phoneNumber);
  if (email !== undefined) body.email = email;
  if (dob !== undefined) body.dob = dob;
  if (phone !== undefined) body.phone_number = phone;
  return body;
}

/** The reports the applicant's checks will run: the configured ones, or the Studio workflow's (unknown here: assume face and document). */
function reportsOf(ctx: OnfidoContext): readonly string[] {
  return ctx.studio ? ['document', 'facial_similarity_photo'] : ctx.options.reportNames;
}

async function applicantId(
  ctx: OnfidoContext,
  input: StartVerificationInput,
  signal: AbortSignal | undefined,
): Promise<string> {
  const existing = nonBlank(input.existingSubjectId);
  if (existing !== undefined) {
    // A returning identity: what the host gives now (a new location, a renewed
    // consent) replaces what the applicant had; nothing given changes nothing.
    const update = applicantLocation(input, reportsOf(ctx), false);
    const found =
      update.location === undefined && update.consents === undefined
        ? await ctx.http.request({
            method: 'GET',
            url: `/applicants/${segment(existing)}`,
            schema: applicantSchema,
            signal,
          })
        : await ctx.http.request({
            method: 'PUT',
            url: `/applicants/${segment(existing)}`,
            body: update,
            schema: applicantSchema,
            // The same update twice leaves the applicant as once: safe to repeat.
            idempotent: true,
            signal,
          });
    return found.data.id;
  }
  const body = applicantBody(input, reportsOf(ctx));
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
 * run id. The session expires when the run's link does (`link.expires_at`).
 *
 * Classic links expire 90 minutes after this call (the SDK token's lifetime,
 * docs/provider-facts.md#o-sdk-2), as do Studio links without an expiry.
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
  return ctx.studio
    ? studioSession(ctx, subjectId, input.identityReference, signal)
    : classicSession(ctx, subjectId, signal);
}

/**
 * A Studio session for an applicant: a new workflow run (`POST
 * /workflow_runs`, docs/provider-facts.md#o-wf-1) and its link.
 */
export async function studioSession(
  ctx: OnfidoContext,
  subjectId: string,
  identityReference: string,
  signal: AbortSignal | undefined,
): Promise<VerificationSession> {
  const expiresAt = new Date(ctx.clock.now() + ONFIDO_SDK_TOKEN_LIFETIME_MS);
  const site = ctx.options.verificationSiteUrl;
  const run = await ctx.http.request({
    method: 'POST',
    url: '/workflow_runs',
    body: {
      workflow_id: ctx.options.workflowId,
      applicant_id: subjectId,
      customer_user_id: identityReference,
    },
    schema: workflowRunSchema,
    signal,
  });
  // The run's link is sent to the customer: only an https URL is taken (never `javascript:` or `http:`).
  const given = run.data.link?.url;
  const linkUrl =
    given == null || given === ''
      ? undefined
      : customerLink(given, { provider: 'onfido', field: 'link.url', attempts: run.attempts });
  const customerUrl =
    linkUrl ??
    (site === undefined
      ? undefined
      : siteLink(site, { applicant_id: subjectId, workflow_run_id: run.data.id }));
  // The run's link says when it expires (docs/provider-facts.md#o-wf-2); a run
  // without one is given the SDK token's 90 minutes (its default is not
  // documented: docs/provider-facts.md#o-open-7).
  const linkExpiry = Date.parse(run.data.link?.expires_at ?? '');
  return {
    session: { provider: 'onfido', subjectId, attemptId: run.data.id },
    ...(customerUrl === undefined ? {} : { customerUrl }),
    ...(run.data.sdk_token == null ? {} : { sdkToken: run.data.sdk_token }),
    expiresAt: Number.isFinite(linkExpiry) ? new Date(linkExpiry) : expiresAt,
  };
}

/**
 * A classic session for an applicant: a new SDK token (`POST /sdk_token`,
 * docs/provider-facts.md#o-sdk-1) whose `referrer` is the verification site's
 * origin followed by `/*`, and the site's link with `applicant_id`; both
 * last 90 minutes (docs/provider-facts.md#o-sdk-2).
 */
export async function classicSession(
  ctx: OnfidoContext,
  subjectId: string,
  signal: AbortSignal | undefined,
): Promise<VerificationSession> {
  const expiresAt = new Date(ctx.clock.now() + ONFIDO_SDK_TOKEN_LIFETIME_MS);
  // Classic checks: the options schema guarantees a verification site here.
  const siteUrl = ctx.options.verificationSiteUrl as string;
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
