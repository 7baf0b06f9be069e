/**
 * Routes for applicants, SDK tokens, checks and reports.
 *
 * @module
 */
import { isIP } from 'node:net';
import { HttpResponse } from 'msw';
import { applicantParam, jsonBody, named, pathRecord, type Route, route, text } from './router';
import type { ApplicantRecord, ReportRecord } from './state';
import { REPORT_NAMES, sandboxOutcome } from './verdicts';
import {
  applicantView,
  checkView,
  consentsView,
  findOr404,
  reportView,
  validationError,
} from './views';

/** The spec's name pattern `^[^!#$%*=<>;{}"]*$` (docs/provider-facts.md#o-app-4), as the characters it refuses. */
const FORBIDDEN_NAME_CHARACTERS = /[!#$%*=<>;{}"]/;

function nameProblem(value: unknown): string[] | undefined {
  if (typeof value !== 'string' || value.trim() === '') return ["can't be blank"];
  if (FORBIDDEN_NAME_CHARACTERS.test(value)) return ['contains invalid characters'];
  return undefined;
}

/** Consent names (docs/provider-facts.md#o-app-7). */
const CONSENT_NAMES: ReadonlySet<string> = new Set([
  'privacy_notices_read',
  'ssn_verification',
  'phone_number_verification',
]);

/** Reports that need a US resident's biometric consent (docs/provider-facts.md#o-app-9). */
const BIOMETRIC_REPORT = /^(document|facial_similarity|known_faces)/;

/** A `location` (docs/provider-facts.md#o-app-6), or the problems with it. */
export function locationOf(
  value: unknown,
  problems: Record<string, string[]>,
): ApplicantRecord['location'] {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) {
    problems['location'] = ['must be an object'];
    return undefined;
  }
  const given = value as Record<string, unknown>;
  const country = given['country_of_residence'];
  const ip = given['ip_address'];
  if (country !== undefined && (typeof country !== 'string' || !/^[A-Z]{3}$/.test(country))) {
    problems['location.country_of_residence'] = ['must be a 3-letter country code'];
  }
  if (ip !== undefined && (typeof ip !== 'string' || isIP(ip) === 0)) {
    problems['location.ip_address'] = ['is not a valid IP address'];
  }
  return {
    ...(typeof country === 'string' ? { countryOfResidence: country } : {}),
    ...(typeof ip === 'string' ? { ipAddress: ip } : {}),
  };
}

function consentsOf(
  value: unknown,
  problems: Record<string, string[]>,
): Array<{ name: string; granted: boolean }> {
  if (value === undefined) return [];
  const valid =
    Array.isArray(value) &&
    value.every(
      (c) =>
        typeof c === 'object' &&
        c !== null &&
        CONSENT_NAMES.has((c as { name?: unknown }).name as string) &&
        typeof (c as { granted?: unknown }).granted === 'boolean',
    );
  if (!valid) {
    problems['consents'] = [
      'must be a list of {name, granted} with name privacy_notices_read, ssn_verification or phone_number_verification',
    ];
    return [];
  }
  return value as Array<{ name: string; granted: boolean }>;
}

const createApplicant = route('POST', '/applicants', async (ctx) => {
  const body = await jsonBody(ctx.request);
  if (body instanceof Response) return body;
  const problems: Record<string, string[]> = {};
  const first = nameProblem(body['first_name']);
  const last = nameProblem(body['last_name']);
  if (first !== undefined) problems['first_name'] = first;
  if (last !== undefined) problems['last_name'] = last;
  const dob = body['dob'];
  if (dob !== undefined && (typeof dob !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(dob))) {
    problems['dob'] = ['must be a date in the format YYYY-MM-DD'];
  }
  const email = body['email'];
  if (email !== undefined && (typeof email !== 'string' || !/^[^@\s]+@[^@\s]+$/.test(email))) {
    problems['email'] = ['is invalid'];
  }
  const location = locationOf(body['location'], problems);
  const consents = consentsOf(body['consents'], problems);
  if (Object.keys(problems).length > 0) return validationError(problems);
  const optional = {
    ...(text(body['email']) === undefined ? {} : { email: text(body['email']) as string }),
    ...(text(body['dob']) === undefined ? {} : { dob: text(body['dob']) as string }),
    ...(text(body['phone_number']) === undefined
      ? {}
      : { phoneNumber: text(body['phone_number']) as string }),
  };
  const applicant = ctx.engine.createApplicant(
    ctx.realm,
    {
      firstName: (body['first_name'] as string).trim(),
      lastName: (body['last_name'] as string).trim(),
      ...optional,
      ...(location === undefined ? {} : { location }),
    },
    consents,
  );
  return HttpResponse.json(applicantView(applicant, ctx.realm), { status: 201 });
});

/**
 * `PUT /applicants/{id}`: a partial update (docs/provider-facts.md#o-app-1);
 * the emulator updates the names, location and consents.
 */
const updateApplicant = route('PUT', '/applicants/:id', async (ctx) => {
  const applicant = pathRecord(ctx, ctx.engine.state.applicants);
  if (applicant === undefined)
    return findOr404(undefined, named(ctx, 'Applicant'), () => new Response());
  const body = await jsonBody(ctx.request);
  if (body instanceof Response) return body;
  const problems: Record<string, string[]> = {};
  for (const field of ['first_name', 'last_name'] as const) {
    if (body[field] === undefined) continue;
    const problem = nameProblem(body[field]);
    if (problem !== undefined) problems[field] = problem;
  }
  const location = locationOf(body['location'], problems);
  const consents = consentsOf(body['consents'], problems);
  if (Object.keys(problems).length > 0) return validationError(problems);
  if (typeof body['first_name'] === 'string') applicant.firstName = body['first_name'].trim();
  if (typeof body['last_name'] === 'string') applicant.lastName = body['last_name'].trim();
  if (location !== undefined) applicant.location = { ...applicant.location, ...location };
  ctx.engine.grant(applicant, consents);
  return HttpResponse.json(applicantView(applicant, ctx.realm));
});

/** `GET /applicants/{id}/consents`: a bare array (docs/provider-facts.md#o-app-1). */
const applicantConsents = route('GET', '/applicants/:id/consents', (ctx) =>
  findOr404(pathRecord(ctx, ctx.engine.state.applicants), named(ctx, 'Applicant'), (applicant) =>
    HttpResponse.json(consentsView(applicant)),
  ),
);

const listApplicants = route('GET', '/applicants', (ctx) => {
  const page = Math.max(1, Number.parseInt(ctx.url.searchParams.get('page') ?? '1', 10) || 1);
  const perPage = Math.min(
    500,
    Math.max(1, Number.parseInt(ctx.url.searchParams.get('per_page') ?? '20', 10) || 20),
  );
  const all = [...ctx.engine.state.applicants.values()]
    .filter((a) => a.realm === ctx.realm.name)
    .sort((a, b) => b.createdAt - a.createdAt);
  const slice = all.slice((page - 1) * perPage, page * perPage);
  return HttpResponse.json(
    { applicants: slice.map((a) => applicantView(a, ctx.realm)) },
    { headers: { 'X-Total-Count': String(all.length) } },
  );
});

const getApplicant = route('GET', '/applicants/:id', (ctx) =>
  findOr404(pathRecord(ctx, ctx.engine.state.applicants), named(ctx, 'Applicant'), (applicant) =>
    HttpResponse.json(applicantView(applicant, ctx.realm)),
  ),
);

const sdkToken = route('POST', '/sdk_token', async (ctx) => {
  const body = await jsonBody(ctx.request);
  if (body instanceof Response) return body;
  const applicant = applicantParam(ctx, body['applicant_id']);
  if (applicant instanceof Response) return applicant;
  const referrer = body['referrer'];
  if (
    referrer !== undefined &&
    (typeof referrer !== 'string' || !/^[a-z*]+:\/\/\S+$/i.test(referrer))
  ) {
    return validationError({ referrer: ['must be a URL pattern such as https://*.example.com/*'] });
  }
  return HttpResponse.json({
    token: ctx.engine.issueSdkToken(applicant, referrer as string | undefined),
  });
});

function stringList(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.every((v) => typeof v === 'string') ? value : undefined;
}

const createCheck = route('POST', '/checks', async (ctx) => {
  const body = await jsonBody(ctx.request);
  if (body instanceof Response) return body;
  const applicant = applicantParam(ctx, body['applicant_id']);
  if (applicant instanceof Response) return applicant;
  const names = stringList(body['report_names']);
  if (names === undefined || names.length === 0) {
    return validationError({ report_names: ["can't be blank"] });
  }
  const unknown = names.filter((n) => !REPORT_NAMES.has(n));
  if (unknown.length > 0) {
    return validationError({ report_names: unknown.map((n) => `${n} is not a valid report name`) });
  }
  const consider = body['consider'] === undefined ? undefined : stringList(body['consider']);
  if (body['consider'] !== undefined && consider === undefined) {
    return validationError({ consider: ['must be an array of report names'] });
  }
  const subResult = body['sub_result'];
  if (subResult !== undefined && typeof subResult !== 'string') {
    return validationError({ sub_result: ['must be a string'] });
  }
  // API v3.4+: no check without the applicant's location, and no document,
  // face or known faces check for a US resident without the biometric consent
  // (docs/provider-facts.md#o-app-8 to #o-app-10; the body is the emulator's,
  // in Onfido's validation shape: docs/provider-facts.md#o-open-5).
  const where = applicant.location;
  if (where?.countryOfResidence === undefined && where?.ipAddress === undefined) {
    return validationError({
      location: [
        'is missing: the applicant needs a location (country_of_residence) before a check',
      ],
    });
  }
  if (
    where.countryOfResidence === 'USA' &&
    names.some((n) => BIOMETRIC_REPORT.test(n)) &&
    applicant.consents.get('privacy_notices_read')?.granted !== true
  ) {
    return validationError({
      consents: [
        'privacy_notices_read must be granted for an applicant located in the United States',
      ],
    });
  }
  const state = ctx.engine.state;
  const missing: Record<string, string[]> = {};
  if (
    names.some((n) => n.startsWith('document')) &&
    state.filesOf(ctx.realm.name, applicant.id, 'documents').length === 0
  ) {
    missing['document'] = ['the applicant has no document for a document report'];
  }
  if (
    names.includes('facial_similarity_photo') &&
    state.filesOf(ctx.realm.name, applicant.id, 'live_photos').length === 0
  ) {
    missing['live_photo'] = [
      'the applicant has no live photo for a facial similarity photo report',
    ];
  }
  if (Object.keys(missing).length > 0) return validationError(missing);

  const check = ctx.engine.createCheck(
    ctx.realm,
    applicant,
    names,
    sandboxOutcome(consider, subResult),
  );
  const answer = HttpResponse.json(checkView(check, ctx.realm), { status: 201 });
  if (ctx.engine.settings.autoComplete) ctx.engine.completeCheck(ctx.realm, check);
  return answer;
});

const listChecks = route('GET', '/checks', (ctx) => {
  const applicant = applicantParam(ctx, ctx.url.searchParams.get('applicant_id') ?? undefined);
  if (applicant instanceof Response) return applicant;
  const checks = [...ctx.engine.state.checks.values()]
    .filter((c) => c.realm === ctx.realm.name && c.applicantId === applicant.id)
    .sort((a, b) => b.createdAt - a.createdAt);
  return HttpResponse.json({ checks: checks.map((c) => checkView(c, ctx.realm)) });
});

const getCheck = route('GET', '/checks/:id', (ctx) =>
  findOr404(pathRecord(ctx, ctx.engine.state.checks), named(ctx, 'Check'), (check) =>
    HttpResponse.json(checkView(check, ctx.realm)),
  ),
);

/** `POST /checks/{id}/resume` → 204 (docs/provider-facts.md#o-chk-6): a paused check runs on. */
const resumeCheck = route('POST', '/checks/:id/resume', (ctx) =>
  findOr404(pathRecord(ctx, ctx.engine.state.checks), named(ctx, 'Check'), (check) => {
    // The spec gives no answer for a check that is not paused; the emulator
    // refuses it as a validation error.
    if (check.status !== 'paused') return validationError({ status: ['the check is not paused'] });
    ctx.engine.resumeCheck(ctx.realm, check);
    return new HttpResponse(null, { status: 204 });
  }),
);

const listReports = route('GET', '/reports', (ctx) => {
  const checkId = ctx.url.searchParams.get('check_id');
  if (checkId === null || checkId === '') return validationError({ check_id: ["can't be blank"] });
  const check = ctx.engine.state.find(ctx.engine.state.checks, ctx.realm.name, checkId);
  return findOr404(check, `Check with id=${checkId}`, (found) => {
    const reports = found.reportIds
      .map((id) => ctx.engine.state.reports.get(id))
      .filter((r): r is ReportRecord => r !== undefined);
    return HttpResponse.json({ reports: reports.map((r) => reportView(r, ctx.realm)) });
  });
});

const getReport = route('GET', '/reports/:id', (ctx) =>
  findOr404(pathRecord(ctx, ctx.engine.state.reports), named(ctx, 'Report'), (report) =>
    HttpResponse.json(reportView(report, ctx.realm)),
  ),
);

/** Applicant, SDK token, check and report routes. */
export const checkRoutes: readonly Route[] = [
  createApplicant,
  listApplicants,
  getApplicant,
  updateApplicant,
  applicantConsents,
  sdkToken,
  createCheck,
  listChecks,
  getCheck,
  resumeCheck,
  listReports,
  getReport,
];
