/**
 * Routes for applicants: create, list, find, update, delete and restore, and
 * their consents (docs/provider-facts.md#o-app-1).
 *
 * @module
 */
import { isIP } from 'node:net';
import type { IdNumberTypeEnum } from '@onfido/api';
import { HttpResponse } from 'msw';
import type { Complete, SpecValues } from './reference';
import { jsonBody, named, type Route, type RouteContext, route, text } from './router';
import type { AddressRecord, ApplicantRecord, IdNumberRecord } from './state';
import {
  ADDRESS_FIELDS,
  applicantView,
  consentsView,
  findOr404,
  onfidoError,
  validationError,
} from './views';

type Problems = Record<string, string[]>;

/** The spec's name pattern `^[^!#$%*=<>;{}"]*$` (docs/provider-facts.md#o-app-4), as the characters it refuses. */
const FORBIDDEN_NAME_CHARACTERS = /[!#$%*=<>;{}"]/;
/** The spec's address line pattern `^[^!$%^*=<>]*$` (docs/provider-facts.md#o-app-4). */
const FORBIDDEN_LINE_CHARACTERS = /[!$%^*=<>]/;

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

/** ID number types (docs/provider-facts.md#o-app-5), checked against the client's enum. */
const ID_NUMBER_TYPE_LIST = [
  'ssn',
  'social_insurance',
  'tax_id',
  'identity_card',
  'driving_license',
  'driving_licence',
  'share_code',
  'voter_id',
  'passport',
  'other',
] as const satisfies readonly SpecValues<IdNumberTypeEnum>[];
export const ID_NUMBER_TYPES_COMPLETE: Complete<
  SpecValues<IdNumberTypeEnum>,
  (typeof ID_NUMBER_TYPE_LIST)[number]
> = true;
const ID_NUMBER_TYPES: ReadonlySet<string> = new Set(ID_NUMBER_TYPE_LIST);

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A `location` (docs/provider-facts.md#o-app-6), or the problems with it. */
export function locationOf(value: unknown, problems: Problems): ApplicantRecord['location'] {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) {
    problems['location'] = ['must be an object'];
    return undefined;
  }
  const country = value['country_of_residence'];
  const ip = value['ip_address'];
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

/** An `address` (docs/provider-facts.md#o-app-4): `postcode` and a 3-letter `country` required. */
function addressOf(value: unknown, problems: Problems): AddressRecord | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) {
    problems['address'] = ['must be an object'];
    return undefined;
  }
  const postcode = text(value['postcode']);
  const country = value['country'];
  if (postcode === undefined) problems['address.postcode'] = ["can't be blank"];
  if (typeof country !== 'string' || !/^[A-Z]{3}$/.test(country)) {
    problems['address.country'] = ['must be a 3-letter country code'];
  }
  const address: AddressRecord = { postcode: postcode ?? '', country: String(country) };
  for (const field of ADDRESS_FIELDS) {
    const given = value[field];
    if (given === undefined || given === null) continue;
    if (typeof given !== 'string') {
      problems[`address.${field}`] = ['must be a string'];
      continue;
    }
    if (field.startsWith('line') && FORBIDDEN_LINE_CHARACTERS.test(given)) {
      problems[`address.${field}`] = ['contains invalid characters'];
    }
    address[field] = given;
  }
  return address;
}

/** `id_numbers` (docs/provider-facts.md#o-app-5). */
function idNumbersOf(value: unknown, problems: Problems): IdNumberRecord[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) {
    problems['id_numbers'] = ['must be an array'];
    return undefined;
  }
  const out: IdNumberRecord[] = [];
  value.forEach((item, i) => {
    const type = isObject(item) ? item['type'] : undefined;
    const given = isObject(item) ? text(item['value']) : undefined;
    if (typeof type !== 'string' || !ID_NUMBER_TYPES.has(type)) {
      problems[`id_numbers[${i}].type`] = ['is not a valid ID number type'];
    }
    if (given === undefined) problems[`id_numbers[${i}].value`] = ["can't be blank"];
    const stateCode = isObject(item) ? text(item['state_code']) : undefined;
    out.push({
      type: String(type),
      value: given ?? '',
      ...(stateCode === undefined ? {} : { stateCode }),
    });
  });
  return out;
}

/** `consents` (docs/provider-facts.md#o-app-7). */
function consentsOf(value: unknown, problems: Problems): Array<{ name: string; granted: boolean }> {
  if (value === undefined) return [];
  const valid =
    Array.isArray(value) &&
    value.every(
      (c) =>
        isObject(c) && CONSENT_NAMES.has(c['name'] as string) && typeof c['granted'] === 'boolean',
    );
  if (!valid) {
    problems['consents'] = [
      'must be a list of {name, granted} with name privacy_notices_read, ssn_verification or phone_number_verification',
    ];
    return [];
  }
  return value as Array<{ name: string; granted: boolean }>;
}

/** What a create or update body sets, validated as create does (the spec: "same validations"). */
function applicantFields(body: Record<string, unknown>, creating: boolean, problems: Problems) {
  for (const field of ['first_name', 'last_name'] as const) {
    if (!creating && body[field] === undefined) continue;
    const problem = nameProblem(body[field]);
    if (problem !== undefined) problems[field] = problem;
  }
  const dob = body['dob'];
  if (dob !== undefined && (typeof dob !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(dob))) {
    problems['dob'] = ['must be a date in the format YYYY-MM-DD'];
  }
  const email = body['email'];
  if (email !== undefined && (typeof email !== 'string' || !/^[^@\s]+@[^@\s]+$/.test(email))) {
    problems['email'] = ['is invalid'];
  }
  return {
    firstName: text(body['first_name']),
    lastName: text(body['last_name']),
    email: text(body['email']),
    dob: text(body['dob']),
    phoneNumber: text(body['phone_number']),
    address: addressOf(body['address'], problems),
    idNumbers: idNumbersOf(body['id_numbers'], problems),
    location: locationOf(body['location'], problems),
    consents: consentsOf(body['consents'], problems),
  };
}

const createApplicant = route('POST', '/applicants', async (ctx) => {
  const body = await jsonBody(ctx.request);
  if (body instanceof Response) return body;
  const problems: Problems = {};
  const fields = applicantFields(body, true, problems);
  if (Object.keys(problems).length > 0) return validationError(problems);
  const { consents, firstName, lastName, ...rest } = fields;
  const optional = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
  const applicant = ctx.engine.createApplicant(
    ctx.realm,
    { firstName: firstName as string, lastName: lastName as string, ...optional },
    consents,
  );
  return HttpResponse.json(applicantView(applicant, ctx.realm), { status: 201 });
});

/** The applicant of the path, not deleted. */
const applicantOf = (ctx: RouteContext): ApplicantRecord | undefined =>
  ctx.engine.state.find(ctx.engine.state.applicants, ctx.realm.name, ctx.params[0] as string);

/**
 * `PUT /applicants/{id}`: a partial update; an address or ID numbers sent
 * replace the ones it had (docs/provider-facts.md#o-app-1).
 */
const updateApplicant = route('PUT', '/applicants/:id', (ctx) =>
  findOr404(applicantOf(ctx), named(ctx, 'Applicant'), async (applicant) => {
    const body = await jsonBody(ctx.request);
    if (body instanceof Response) return body;
    const problems: Problems = {};
    const fields = applicantFields(body, false, problems);
    if (Object.keys(problems).length > 0) return validationError(problems);
    if (fields.firstName !== undefined) applicant.firstName = fields.firstName;
    if (fields.lastName !== undefined) applicant.lastName = fields.lastName;
    if (fields.email !== undefined) applicant.email = fields.email;
    if (fields.dob !== undefined) applicant.dob = fields.dob;
    if (fields.phoneNumber !== undefined) applicant.phoneNumber = fields.phoneNumber;
    if (fields.address !== undefined) applicant.address = fields.address;
    if (fields.idNumbers !== undefined) applicant.idNumbers = fields.idNumbers;
    if (fields.location !== undefined) {
      applicant.location = { ...applicant.location, ...fields.location };
    }
    ctx.engine.grant(applicant, fields.consents);
    return HttpResponse.json(applicantView(applicant, ctx.realm));
  }),
);

/**
 * `DELETE /applicants/{id}` → 204: into the archive until the deletion delay
 * has passed (docs/provider-facts.md#o-app-11). An applicant with a check
 * still running is refused with `deletion_incomplete_checks` (#o-err-3);
 * the status, 422, is the emulator's choice (no source gives it).
 */
const deleteApplicant = route('DELETE', '/applicants/:id', (ctx) =>
  findOr404(applicantOf(ctx), named(ctx, 'Applicant'), (applicant) =>
    ctx.engine.deleteApplicant(applicant)
      ? new HttpResponse(null, { status: 204 })
      : onfidoError(
          422,
          'deletion_incomplete_checks',
          'Applicants with checks in progress cannot be deleted.',
        ),
  ),
);

/**
 * `POST /applicants/{id}/restore` → 204 for an applicant in the archive
 * (docs/provider-facts.md#o-app-11; the sandbox restores one without checks
 * too: NODE-TESTS `applicants.test.ts`). One that is not deleted is refused
 * with a validation error, the emulator's choice; one whose archive time ran
 * out is gone (404).
 */
const restoreApplicant = route('POST', '/applicants/:id/restore', (ctx) => {
  const applicant = ctx.engine.state.applicants.get(ctx.params[0] as string);
  const found = applicant?.realm === ctx.realm.name ? applicant : undefined;
  return findOr404(found, named(ctx, 'Applicant'), (record) => {
    if (record.deletedAt === undefined) {
      return validationError({ applicant: ['is not scheduled for deletion'] });
    }
    ctx.engine.restoreApplicant(record);
    return new HttpResponse(null, { status: 204 });
  });
});

/** `GET /applicants/{id}/consents`: a bare array (docs/provider-facts.md#o-app-1). */
const applicantConsents = route('GET', '/applicants/:id/consents', (ctx) =>
  findOr404(applicantOf(ctx), named(ctx, 'Applicant'), (applicant) =>
    HttpResponse.json(consentsView(applicant)),
  ),
);

/**
 * `GET /applicants`: newest first, by page; `include_deleted=true` adds the
 * applicants scheduled for deletion (docs/provider-facts.md#o-app-1, #o-app-11).
 */
const listApplicants = route('GET', '/applicants', (ctx) => {
  const query = ctx.url.searchParams;
  const page = Math.max(1, Number.parseInt(query.get('page') ?? '1', 10) || 1);
  const perPage = Math.min(
    500,
    Math.max(1, Number.parseInt(query.get('per_page') ?? '20', 10) || 20),
  );
  const withDeleted = query.get('include_deleted') === 'true';
  const all = [...ctx.engine.state.applicants.values()]
    .filter((a) => a.realm === ctx.realm.name && (withDeleted || a.deletedAt === undefined))
    .sort((a, b) => b.createdAt - a.createdAt);
  const slice = all.slice((page - 1) * perPage, page * perPage);
  return HttpResponse.json(
    { applicants: slice.map((a) => applicantView(a, ctx.realm)) },
    { headers: { 'X-Total-Count': String(all.length) } },
  );
});

const getApplicant = route('GET', '/applicants/:id', (ctx) =>
  findOr404(applicantOf(ctx), named(ctx, 'Applicant'), (applicant) =>
    HttpResponse.json(applicantView(applicant, ctx.realm)),
  ),
);

/** Applicant routes. */
export const applicantRoutes: readonly Route[] = [
  createApplicant,
  listApplicants,
  getApplicant,
  updateApplicant,
  deleteApplicant,
  restoreApplicant,
  applicantConsents,
];
