/**
 * Routes for SDK tokens, checks and reports, and the health check.
 *
 * @module
 */
import { HttpResponse } from 'msw';
import type { CheckSettings } from './engine';
import { samplePdf } from './media';
import {
  applicantParam,
  jsonBody,
  named,
  pathRecord,
  type Route,
  type RouteContext,
  route,
} from './router';
import type { CheckRecord } from './state';
import { REPORT_NAMES, sandboxOutcome } from './verdicts';
import { checkView, findOr404, reportView, validationError } from './views';

/** Reports that need a US resident's biometric consent (docs/provider-facts.md#o-app-9). */
const BIOMETRIC_REPORT = /^(document|facial_similarity|known_faces)/;

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
  const settings = checkSettings(ctx, body, applicant.id);
  if (settings instanceof Response) return settings;

  const check = ctx.engine.createCheck(
    ctx.realm,
    applicant,
    names,
    sandboxOutcome(consider, subResult),
    undefined,
    settings,
  );
  // `asynchronous: false` answers once every report is done (docs/provider-facts.md#o-chk-5).
  const waits = body['asynchronous'] === false;
  if (waits) ctx.engine.completeCheck(ctx.realm, check);
  const answer = HttpResponse.json(checkView(check, ctx.realm), { status: 201 });
  if (!waits && ctx.engine.settings.autoComplete) ctx.engine.completeCheck(ctx.realm, check);
  return answer;
});

/**
 * The optional fields of `POST /checks` (docs/provider-facts.md#o-chk-5),
 * kept and answered back: `webhook_ids` (webhooks of the account; the
 * check's events go to them only), `tags`, `redirect_uri`,
 * `applicant_provides_data`, `privacy_notices_read_consent_given`, and
 * `document_ids` (documents of the applicant, read by its document reports).
 */
function checkSettings(
  ctx: RouteContext,
  body: Record<string, unknown>,
  applicantId: string,
): CheckSettings | Response {
  const problems: Record<string, string[]> = {};
  const list = (field: string): string[] | undefined => {
    if (body[field] === undefined) return undefined;
    const value = stringList(body[field]);
    if (value === undefined) problems[field] = ['must be an array of strings'];
    return value;
  };
  const flag = (field: string): boolean | undefined => {
    const value = body[field];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'boolean') problems[field] = ['must be true or false'];
    return value === true;
  };
  const state = ctx.engine.state;
  const webhookIds = list('webhook_ids');
  const unknownHooks = (webhookIds ?? []).filter(
    (id) => state.find(state.webhooks, ctx.realm.name, id) === undefined,
  );
  if (unknownHooks.length > 0)
    problems['webhook_ids'] = unknownHooks.map((id) => `${id} not found`);
  const documentIds = list('document_ids');
  const foreign = (documentIds ?? []).filter((id) => {
    const file = state.find(state.files, ctx.realm.name, id);
    return file?.kind !== 'documents' || file.applicantId !== applicantId;
  });
  if (foreign.length > 0) problems['document_ids'] = foreign.map((id) => `${id} not found`);
  const tags = list('tags');
  const redirect = body['redirect_uri'];
  if (redirect !== undefined && redirect !== null && typeof redirect !== 'string') {
    problems['redirect_uri'] = ['must be a string'];
  }
  const providesData = flag('applicant_provides_data');
  const consentGiven = flag('privacy_notices_read_consent_given');
  if (Object.keys(problems).length > 0) return validationError(problems);
  return {
    ...(webhookIds === undefined ? {} : { webhookIds }),
    ...(documentIds === undefined ? {} : { documentIds }),
    ...(tags === undefined ? {} : { tags }),
    ...(typeof redirect === 'string' ? { redirectUri: redirect } : {}),
    ...(providesData === undefined ? {} : { applicantProvidesData: providesData }),
    ...(consentGiven === undefined ? {} : { privacyNoticesReadConsentGiven: consentGiven }),
  };
}

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
  return findOr404(check, `Check with id=${checkId}`, (found) =>
    HttpResponse.json({
      reports: ctx.engine.reportsOf(found).map((r) => reportView(r, ctx.realm)),
    }),
  );
});

const getReport = route('GET', '/reports/:id', (ctx) =>
  findOr404(pathRecord(ctx, ctx.engine.state.reports), named(ctx, 'Report'), (report) =>
    HttpResponse.json(reportView(report, ctx.realm)),
  ),
);

/** The lines of a check's PDF: what it is, and each report's verdict. */
function checkSummary(ctx: RouteContext, check: CheckRecord): string[] {
  return [
    `check ${check.id}`,
    `applicant ${check.applicantId}`,
    `created ${new Date(check.createdAt).toISOString()}`,
    `status ${check.status}, result ${check.result ?? 'none'}`,
    ...ctx.engine
      .reportsOf(check)
      .map(
        (r) =>
          `${r.name}: ${r.status}, ${r.result ?? 'no result'}${r.subResult === null ? '' : ` (${r.subResult})`}`,
      ),
  ];
}

/**
 * `GET /checks/{id}/download` → the check as a PDF (`application/pdf`, a
 * body starting with `%PDF-`, a file name: docs/provider-facts.md#o-chk-6).
 * Its content is the emulator's: a page listing the check and its reports.
 */
const downloadCheck = route('GET', '/checks/:id/download', (ctx) =>
  findOr404(pathRecord(ctx, ctx.engine.state.checks), named(ctx, 'Check'), (check) => {
    const pdf = samplePdf('Onfido check (emulated)', checkSummary(ctx, check));
    return new HttpResponse(pdf, {
      headers: {
        'Content-Type': 'application/pdf',
        'Content-Length': String(pdf.length),
        'Content-Disposition': `attachment; filename="check_${check.id}.pdf"`,
      },
    });
  }),
);

/**
 * `POST /reports/{id}/resume` and `/cancel` → 204 (docs/provider-facts.md#o-rep-10):
 * a report paused for approval (`holdReport`) runs on, or is cancelled.
 */
function reportAction(action: 'resume' | 'cancel'): Route {
  return route('POST', `/reports/:id/${action}`, (ctx) =>
    findOr404(pathRecord(ctx, ctx.engine.state.reports), named(ctx, 'Report'), (report) => {
      if (action === 'resume') ctx.engine.resumeReport(ctx.realm, report);
      else ctx.engine.cancelReport(ctx.realm, report);
      return new HttpResponse(null, { status: 204 });
    }),
  );
}

/** `GET /ping` → 200 `text/plain` (docs/provider-facts.md#o-auth-5). */
const ping = route(
  'GET',
  '/ping',
  () => new HttpResponse('OK', { headers: { 'Content-Type': 'text/plain' } }),
);

/** SDK token, check and report routes, and the health check. */
export const checkRoutes: readonly Route[] = [
  sdkToken,
  createCheck,
  listChecks,
  getCheck,
  resumeCheck,
  downloadCheck,
  listReports,
  getReport,
  reportAction('resume'),
  reportAction('cancel'),
  ping,
];
