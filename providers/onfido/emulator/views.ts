/**
 * The JSON Onfido answers with for each record, and its error bodies (those
 * of injected faults included).
 *
 * @module
 */

import type {
  Address,
  Applicant,
  ApplicantConsent,
  ApplicantConsentName,
  Check,
  CountryCodes,
  Document,
  DocumentReport,
  DocumentSideEnum,
  DocumentTypes,
  FacialSimilarityPhotoReport,
  IdNumber,
  IdNumberTypeEnum,
  IdPhoto,
  LivePhoto,
  LiveVideo,
  ModelError,
  MotionCapture,
  ReportName,
  Webhook,
  WebhookEventPayloadResource,
  WebhookEventResourceStatus,
  WorkflowRun,
  WorkflowRunError,
  WorkflowRunLink,
  WorkflowRunLinkLanguageEnum,
} from '@onfido/api';
import { createFindOr404, type FaultAnswers, type FindOr404 } from 'idv-providers/emulator-kit';
import { HttpResponse } from 'msw';
import { type Complete, chosenValue, type SentWithNull, type SpecValues } from './reference';
import type {
  ApplicantRecord,
  CheckRecord,
  FileRecord,
  ReportRecord,
  WebhookRecord,
  WorkflowRunRecord,
} from './state';
import { familyOf } from './verdicts';
import { WEBHOOK_EVENT_LIST } from './webhook-events';

/** Where a realm lives: its base URL and the path part of it (`/v3.6`). */
export interface RealmInfo {
  name: string;
  baseUrl: string;
  basePath: string;
  /**
   * The path the resources' `href`s start with: the API's own `/v3.6`
   * (docs/provider-facts.md#o-rep-9), wherever the emulator is served.
   */
  hrefPath: string;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** An address as the sandbox answers it: `null` for every field not given (docs/provider-facts.md#o-app-3). */
export type AddressView = SentWithNull<Address, Exclude<keyof Address, 'postcode' | 'country'>>;

/** The address fields besides `postcode` and `country` (docs/provider-facts.md#o-app-4). */
export const ADDRESS_FIELDS = [
  'flat_number',
  'building_number',
  'building_name',
  'street',
  'sub_street',
  'town',
  'state',
  'line1',
  'line2',
  'line3',
] as const satisfies readonly Exclude<keyof Address, 'postcode' | 'country'>[];
export const ADDRESS_FIELDS_COMPLETE: Complete<
  Exclude<keyof Address, 'postcode' | 'country'>,
  (typeof ADDRESS_FIELDS)[number]
> = true;

function addressView(address: NonNullable<ApplicantRecord['address']>): AddressView {
  const view = {
    postcode: address.postcode,
    country: chosenValue<CountryCodes>(address.country),
  } as AddressView;
  for (const field of ADDRESS_FIELDS) view[field] = address[field] ?? null;
  return view;
}

function idNumberView(n: ApplicantRecord['idNumbers'][number]): IdNumber {
  return {
    type: chosenValue<IdNumberTypeEnum>(n.type),
    value: n.value,
    ...(n.stateCode === undefined ? {} : { state_code: n.stateCode }),
  };
}

/**
 * An applicant as the sandbox answers it: `null` for what was not given
 * (docs/provider-facts.md#o-app-3), the address, ID numbers and `location`
 * as given (#o-app-2, #o-app-6), `delete_at` once deleted (#o-app-11).
 */
export type ApplicantView = Omit<
  SentWithNull<Applicant, 'delete_at' | 'dob' | 'email' | 'phone_number' | 'location'>,
  'address'
> & { address: AddressView | null };

export function applicantView(a: ApplicantRecord, realm: RealmInfo): ApplicantView {
  return {
    id: a.id,
    created_at: iso(a.createdAt),
    delete_at: a.deleteAt === undefined ? null : iso(a.deleteAt),
    href: `${realm.hrefPath}/applicants/${a.id}`,
    sandbox: true,
    first_name: a.firstName,
    last_name: a.lastName,
    email: a.email ?? null,
    dob: a.dob ?? null,
    phone_number: a.phoneNumber ?? null,
    id_numbers: a.idNumbers.map(idNumberView),
    address: a.address === undefined ? null : addressView(a.address),
    location:
      a.location === undefined
        ? null
        : {
            ...(a.location.ipAddress === undefined ? {} : { ip_address: a.location.ipAddress }),
            ...(a.location.countryOfResidence === undefined
              ? {}
              : {
                  country_of_residence: chosenValue<CountryCodes>(a.location.countryOfResidence),
                }),
          },
  };
}

/** Consent names (docs/provider-facts.md#o-app-7). */
const CONSENT_NAMES = [
  'privacy_notices_read',
  'ssn_verification',
  'phone_number_verification',
] as const satisfies readonly SpecValues<ApplicantConsentName>[];
export const CONSENT_NAMES_COMPLETE: Complete<
  SpecValues<ApplicantConsentName>,
  (typeof CONSENT_NAMES)[number]
> = true;

/** `GET /applicants/{id}/consents`: every consent name, granted or not. */
export function consentsView(a: ApplicantRecord): ApplicantConsent[] {
  return CONSENT_NAMES.map((name) => {
    const given = a.consents.get(name);
    return {
      name,
      granted: given?.granted ?? false,
      granted_at: given?.grantedAt == null ? null : iso(given.grantedAt),
    };
  });
}

/**
 * A check as the sandbox answers it: `result`, `form_uri`, `redirect_uri`
 * and `privacy_notices_read_consent_given` may be `null`
 * (docs/provider-facts.md#o-chk-2).
 */
export type CheckView = SentWithNull<
  Check,
  'result' | 'form_uri' | 'redirect_uri' | 'privacy_notices_read_consent_given'
>;

export function checkView(c: CheckRecord, realm: RealmInfo): CheckView {
  return {
    id: c.id,
    created_at: iso(c.createdAt),
    status: c.status,
    result: c.result,
    applicant_id: c.applicantId,
    applicant_provides_data: c.applicantProvidesData,
    report_ids: [...c.reportIds],
    href: `${realm.hrefPath}/checks/${c.id}`,
    results_uri: `https://dashboard.onfido.com/checks/${c.id}`,
    form_uri: null,
    redirect_uri: c.redirectUri ?? null,
    privacy_notices_read_consent_given: c.privacyNoticesReadConsentGiven,
    tags: [...c.tags],
    webhook_ids: [...c.webhookIds],
    paused: c.status === 'paused',
    sandbox: true,
    version: '3.6',
  };
}

/** The fields every report kind shares (docs/provider-facts.md#o-rep-2); `sub_result` may be null (#o-rep-5). */
type ReportSharedView = SentWithNull<
  Pick<
    DocumentReport,
    'id' | 'created_at' | 'href' | 'status' | 'result' | 'sub_result' | 'check_id'
  >,
  'result' | 'sub_result'
> & { name: SpecValues<ReportName> };

/** The media arrays of the facial similarity kinds (docs/provider-facts.md#o-rep-8). */
type FaceMediaView = Required<
  Pick<
    FacialSimilarityPhotoReport,
    'documents' | 'live_photos' | 'live_videos' | 'motion_captures' | 'id_photos'
  >
>;

/**
 * A report as the API sends it: the shared fields, the media arrays of its
 * kind, and `breakdown` and `properties` (built from the breakdown tables of
 * `verdicts.ts`, which are checked against the client's breakdown types). A
 * report that is not complete sends them as `[]` (docs/provider-facts.md#o-open-8).
 */
export type ReportView = ReportSharedView &
  Partial<FaceMediaView> & {
    breakdown: Record<string, unknown> | [];
    properties: Record<string, unknown> | [];
  };

const FACE_MEDIA: readonly (keyof FaceMediaView)[] = [
  'documents',
  'live_photos',
  'live_videos',
  'motion_captures',
  'id_photos',
];

export function reportView(r: ReportRecord, realm: RealmInfo): ReportView {
  const empty = r.status === 'awaiting_data' || r.status === 'cancelled';
  const view: ReportView = {
    id: r.id,
    created_at: iso(r.createdAt),
    href: `${realm.hrefPath}/reports/${r.id}`,
    name: chosenValue<SpecValues<ReportName>>(r.name),
    status: r.status,
    result: r.result,
    sub_result: r.subResult,
    check_id: r.checkId,
    breakdown: empty ? [] : r.breakdown,
    properties: empty ? [] : r.properties,
  };
  // Media arrays by kind: documents for document kinds, all five for the
  // facial similarity kinds, none for the others (docs/provider-facts.md#o-rep-8).
  const kind = familyOf(r.name);
  if (kind === 'document') view.documents = (r.media.documents ?? []).map((id) => ({ id }));
  if (kind === 'facial_similarity') {
    for (const key of FACE_MEDIA) view[key] = (r.media[key] ?? []).map((id) => ({ id }));
  }
  return view;
}

/** A document (docs/provider-facts.md#o-doc-2): `side` and `issuing_country` may be null. */
export type DocumentView = SentWithNull<Document, 'side' | 'issuing_country'>;
/** A medium of the face (docs/provider-facts.md#o-med-2). */
export type MediaView = LivePhoto & LiveVideo & MotionCapture & IdPhoto;

/**
 * A live video as the sandbox answers it: `languages: null` beside the
 * spec's fields, and its `challenge` when found by id but `null` in a
 * listing (NODE-TESTS `live-videos.test.ts`: "finds a live video", "lists
 * live videos").
 */
export type LiveVideoView = SentWithNull<LiveVideo, 'challenge'> & { languages: null };

/**
 * A file's JSON. `listed` is true in a listing (a live video's challenge is
 * then `null`, as in the sandbox).
 */
export function fileView(
  f: FileRecord,
  realm: RealmInfo,
  listed = false,
): DocumentView | MediaView | LiveVideoView {
  const href = `${realm.hrefPath}/${f.kind}/${f.id}`;
  const common = {
    id: f.id,
    created_at: iso(f.createdAt),
    href,
    download_href: `${href}/download`,
    file_name: f.fileName,
    file_type: f.fileType,
    file_size: f.size,
  };
  if (f.kind === 'live_videos') {
    return {
      ...common,
      challenge: listed ? null : (f.challenge ?? []).map((c) => ({ ...c })),
      languages: null,
    } satisfies LiveVideoView;
  }
  if (f.kind !== 'documents') return common satisfies MediaView;
  return {
    ...common,
    type: chosenValue<DocumentTypes>(f.type ?? 'unknown'),
    side: f.side === undefined ? null : chosenValue<SpecValues<DocumentSideEnum>>(f.side),
    issuing_country:
      f.issuingCountry === undefined ? null : chosenValue<CountryCodes>(f.issuingCountry),
    applicant_id: f.applicantId,
  } satisfies DocumentView;
}

/**
 * A workflow run: `output` and `error` may be null (docs/provider-facts.md#o-wf-4),
 * `customer_user_id` too when none was given.
 */
export type RunView = SentWithNull<WorkflowRun, 'output' | 'error' | 'customer_user_id'>;

function runLink(r: WorkflowRunRecord): WorkflowRunLink {
  return {
    url: r.linkUrl,
    completed_redirect_url: r.completedRedirectUrl ?? null,
    expired_redirect_url: r.expiredRedirectUrl ?? null,
    expires_at: iso(r.linkExpiresAt),
    language:
      r.language === undefined
        ? null
        : chosenValue<SpecValues<WorkflowRunLinkLanguageEnum>>(r.language),
  };
}

function runError(r: WorkflowRunRecord): WorkflowRunError | null {
  return r.status === 'error'
    ? { type: 'task_error', message: 'A task of the workflow failed' }
    : null;
}

export function runView(r: WorkflowRunRecord): RunView {
  const final = !['processing', 'awaiting_input', 'awaiting_client_input'].includes(r.status);
  return {
    id: r.id,
    applicant_id: r.applicantId,
    workflow_id: r.workflowId,
    workflow_version_id: 1,
    dashboard_url: `https://dashboard.onfido.com/results/${r.id}`,
    status: r.status,
    output: final ? {} : null,
    reasons: [...r.reasons],
    error: runError(r),
    sdk_token: r.sdkToken,
    link: runLink(r),
    customer_user_id: r.customerUserId ?? null,
    tags: [...r.tags],
    created_at: iso(r.createdAt),
    updated_at: iso(r.updatedAt),
  };
}

/**
 * The run as a webhook event's `resource` (docs/provider-facts.md#o-wh-4): no
 * SDK token, and `workflow_run_id` beside the id.
 */
export type RunResourceView = SentWithNull<
  WebhookEventPayloadResource,
  'output' | 'error' | 'customer_user_id'
>;

export function runResourceView(r: WorkflowRunRecord): RunResourceView {
  return {
    id: r.id,
    applicant_id: r.applicantId,
    status: chosenValue<SpecValues<WebhookEventResourceStatus>>(r.status),
    created_at: iso(r.createdAt),
    updated_at: iso(r.updatedAt),
    dashboard_url: `https://dashboard.onfido.com/results/${r.id}`,
    workflow_id: r.workflowId,
    workflow_run_id: r.id,
    workflow_version_id: 1,
    output: {},
    reasons: [...r.reasons],
    tags: [...r.tags],
    link: runLink(r),
    error: runError(r),
    customer_user_id: r.customerUserId ?? null,
  };
}

/**
 * A webhook: `payload_version` (3 unless set) and the `oauth_*` fields as
 * the sandbox answers them, `null` when not set (docs/provider-facts.md#o-wh-1,
 * #o-wh-3), and `name`, which the spec has and the client 6.2.0 lacks
 * (#o-src-2): `null` when not given.
 */
export type WebhookView = SentWithNull<
  Webhook,
  | 'oauth_server_url'
  | 'oauth_server_client_id'
  | 'oauth_server_client_secret'
  | 'oauth_server_scope'
> & { name: string | null };

export function webhookView(w: WebhookRecord, realm: RealmInfo): WebhookView {
  return {
    id: w.id,
    name: w.name,
    url: w.url,
    token: w.token,
    href: `${realm.hrefPath}/webhooks/${w.id}`,
    enabled: w.enabled,
    events: w.events ?? [...WEBHOOK_EVENT_LIST],
    environments: [...w.environments],
    payload_version: w.payloadVersion,
    oauth_enabled: w.oauth.enabled,
    oauth_server_url: w.oauth.serverUrl,
    oauth_server_client_id: w.oauth.clientId,
    oauth_server_client_secret: w.oauth.clientSecret,
    oauth_server_scope: w.oauth.scope,
  };
}

/** An Onfido error answer: `{"error": {"type", "message", "fields"}}` (docs/provider-facts.md#o-err-1). */
export function onfidoError(
  status: number,
  type: string,
  message: string,
  fields: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Response {
  const body: ModelError = { error: { type, message, fields } };
  return HttpResponse.json(body, { status, headers });
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

/** 404 for an unknown id, worded as the sandbox words it (docs/provider-facts.md#o-err-2). */
export function notFound(what = 'resource'): Response {
  return onfidoError(404, 'resource_not_found', `Could not find the following resource: ${what}`);
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
