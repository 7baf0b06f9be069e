/**
 * The JSON Onfido answers with for each record, and its error bodies (those
 * of injected faults included).
 *
 * @module
 */
import { createFindOr404, type FaultAnswers, type FindOr404 } from 'idv-providers/emulator-kit';
import { HttpResponse } from 'msw';
import type {
  ApplicantRecord,
  CheckRecord,
  FileRecord,
  ReportRecord,
  WebhookRecord,
  WorkflowRunRecord,
} from './state';

/** Where a realm lives: its base URL and the path part of it (`/v3.6`). */
export interface RealmInfo {
  name: string;
  baseUrl: string;
  basePath: string;
}

const iso = (ms: number): string => new Date(ms).toISOString();

export function applicantView(a: ApplicantRecord, realm: RealmInfo): Record<string, unknown> {
  return {
    id: a.id,
    created_at: iso(a.createdAt),
    delete_at: null,
    href: `${realm.basePath}/applicants/${a.id}`,
    sandbox: true,
    first_name: a.firstName,
    last_name: a.lastName,
    email: a.email ?? null,
    dob: a.dob ?? null,
    phone_number: a.phoneNumber ?? null,
    address: null,
    location:
      a.location === undefined
        ? null
        : {
            ...(a.location.ipAddress === undefined ? {} : { ip_address: a.location.ipAddress }),
            ...(a.location.countryOfResidence === undefined
              ? {}
              : { country_of_residence: a.location.countryOfResidence }),
          },
  };
}

/** `GET /applicants/{id}/consents`: every consent name, granted or not. */
export function consentsView(a: ApplicantRecord): Array<Record<string, unknown>> {
  return ['privacy_notices_read', 'ssn_verification', 'phone_number_verification'].map((name) => {
    const given = a.consents.get(name);
    return {
      name,
      granted: given?.granted ?? false,
      granted_at: given?.grantedAt == null ? null : iso(given.grantedAt),
    };
  });
}

export function checkView(c: CheckRecord, realm: RealmInfo): Record<string, unknown> {
  return {
    id: c.id,
    created_at: iso(c.createdAt),
    status: c.status,
    result: c.result,
    applicant_id: c.applicantId,
    applicant_provides_data: false,
    report_ids: [...c.reportIds],
    href: `${realm.basePath}/checks/${c.id}`,
    results_uri: `https://dashboard.onfido.com/checks/${c.id}`,
    form_uri: null,
    redirect_uri: null,
    tags: [],
    paused: c.status === 'paused',
    sandbox: true,
    version: '3.6',
  };
}

export function reportView(r: ReportRecord, realm: RealmInfo): Record<string, unknown> {
  const view: Record<string, unknown> = {
    id: r.id,
    created_at: iso(r.createdAt),
    href: `${realm.basePath}/reports/${r.id}`,
    name: r.name,
    status: r.status,
    result: r.result,
    breakdown: r.breakdown,
    properties: r.properties,
    check_id: r.checkId,
    documents: [],
  };
  if (r.name.startsWith('document')) view['sub_result'] = r.subResult;
  return view;
}

export function fileView(f: FileRecord, realm: RealmInfo): Record<string, unknown> {
  const href = `${realm.basePath}/${f.kind}/${f.id}`;
  const common = {
    id: f.id,
    created_at: iso(f.createdAt),
    href,
    download_href: `${href}/download`,
    file_name: f.fileName,
    file_type: f.fileType,
    file_size: f.size,
  };
  if (f.kind !== 'documents') return common;
  return {
    ...common,
    type: f.type ?? 'unknown',
    side: f.side ?? null,
    issuing_country: f.issuingCountry ?? null,
    applicant_id: f.applicantId,
  };
}

export function runView(r: WorkflowRunRecord): Record<string, unknown> {
  return {
    id: r.id,
    applicant_id: r.applicantId,
    workflow_id: r.workflowId,
    workflow_version_id: 1,
    dashboard_url: `https://dashboard.onfido.com/results/${r.id}`,
    status: r.status,
    output: {},
    reasons: [...r.reasons],
    error:
      r.status === 'error'
        ? { type: 'task_error', message: 'A task of the workflow failed' }
        : null,
    sdk_token: r.sdkToken,
    link: {
      url: r.linkUrl,
      completed_redirect_url: r.completedRedirectUrl ?? null,
      expired_redirect_url: r.expiredRedirectUrl ?? null,
      expires_at: iso(r.linkExpiresAt),
      language: r.language ?? null,
    },
    customer_user_id: r.customerUserId ?? null,
    tags: [],
    created_at: iso(r.createdAt),
    updated_at: iso(r.updatedAt),
  };
}

export function webhookView(w: WebhookRecord, realm: RealmInfo): Record<string, unknown> {
  return {
    id: w.id,
    url: w.url,
    token: w.token,
    href: `${realm.basePath}/webhooks/${w.id}`,
    enabled: w.enabled,
    events: w.events,
    environments: w.environments,
    payload_version: 2,
  };
}

/** An Onfido error answer: `{"error": {"type", "message", "fields"}}`. */
export function onfidoError(
  status: number,
  type: string,
  message: string,
  fields: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Response {
  return HttpResponse.json({ error: { type, message, fields } }, { status, headers });
}

/** 422 `validation_error` with field messages. */
export function validationError(fields: Record<string, string[]>): Response {
  return onfidoError(
    422,
    'validation_error',
    'There was a validation error on this request',
    fields,
  );
}

/** 404 for an unknown id. */
export function notFound(what = 'resource'): Response {
  return onfidoError(404, 'resource_not_found', `The requested ${what} could not be found`);
}

/** Answers with the record's view, or Onfido's 404 naming what is missing. */
export const findOr404: FindOr404 = createFindOr404(notFound);

/** The answer for a request to a path the API does not have. */
export function unknownRoute(method: string, path: string): Response {
  return onfidoError(404, 'resource_not_found', `No route matches ${method} ${path}`);
}

/** Onfido's answer to a missing or wrong API token. */
export function unauthorized(): Response {
  return onfidoError(
    401,
    'authorization_error',
    'Authorization error: please re-check your credentials',
  );
}

function statusBody(status: number): { type: string; message: string } {
  if (status === 429) {
    return { type: 'rate_limit', message: 'Rate limit exceeded. Please try again later.' };
  }
  if (status >= 500) {
    return { type: 'internal_server_error', message: 'Something went wrong on our side' };
  }
  return { type: 'error', message: `Request failed with status ${status}` };
}

/** Onfido's side of the kit's fault queue. */
export const FAULT_ANSWERS: FaultAnswers = {
  status(status, headers) {
    const body = statusBody(status);
    return onfidoError(status, body.type, body.message, {}, headers);
  },
  unexpectedShape: { data: { object: 'unexpected' } },
  // A JSON answer cut in half ends early (the client reads malformed JSON); a
  // download keeps its Content-Length and loses its connection halfway.
  truncatedJson: 'ends-early',
};
