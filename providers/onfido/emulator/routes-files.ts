/**
 * Routes for documents and the media of the face (live photos, live videos,
 * motion captures, ID photos): multipart uploads, listings and binary
 * downloads.
 *
 * @module
 */
import { HttpResponse } from 'msw';
import type { Complete, SpecDocumentType } from './reference';
import {
  applicantParam,
  named,
  pathRecord,
  type Route,
  type RouteContext,
  route,
  text,
} from './router';
import { locationOf } from './routes-checks';
import type { FileRecord } from './state';
import { fileView, findOr404, validationError } from './views';

/**
 * Every document type (docs/provider-facts.md#o-doc-4): the official client's
 * 76, and the two the spec added after it (#o-src-2), checked against the
 * client's enum in both directions.
 */
const DOCUMENT_TYPE_LIST = [
  'passport',
  'driving_licence',
  'national_identity_card',
  'residence_permit',
  'passport_card',
  'tax_id',
  'visa',
  'voter_id',
  'residence_status_document',
  'postal_identity_card',
  'social_security_card',
  'work_permit',
  'asylum_registration_card',
  'national_health_insurance_card',
  'municipality_identity_card',
  'private_operators_card',
  'proof_of_citizenship',
  'service_id_card',
  'immigration_status_document',
  'indigenous_card',
  'vehicle_registration_card',
  'certificate_of_naturalisation',
  'professional_qualification_card',
  'consular_id',
  'international_driving_licence',
  'home_office_letter',
  'birth_certificate',
  'vehicle_registration_certificate',
  'form_for_affixing_the_visa',
  'identification_number_document',
  'adoption_certificate',
  'bank_building_society_statement',
  'bank_statement',
  'benefit_letters',
  'cbt',
  'certificate_of_sponsorship',
  'character_reference',
  'civil_partnership_certificate',
  'council_tax',
  'credit_card_statement',
  'deed_poll',
  'divorce_absolute_decree',
  'educational_statement',
  'electricity_bill',
  'gas_bill',
  'government_letter',
  'internet_bill',
  'marriage_certificate',
  'motorcycle_insurance',
  'national_insurance_card',
  'naturalisation_certificate',
  'non_uk_driving_licence',
  'p45_p60',
  'payslip',
  'phone_bill',
  'professional_identification_card',
  'right_to_work_share_code_result',
  'statement_fact',
  't4_student_university_term_dates_evidence',
  'uk_biometric_residence_permit',
  'uk_driving_licence',
  'unknown',
  'utility_bill',
  'utility_bill_electric',
  'utility_bill_gas',
  'utility_bill_other',
  'water_bill',
  'address_certificate',
  'general_letter',
  'insurance_statement',
  'pension_property_statement_letter',
  'mortgage_statement',
  'mobile_phone_bill',
  'identity_document_with_address',
  'exchange_house_statement',
  'accommodation_tenancy_certificate',
  'diplomatic_id',
  'travel_document',
] as const satisfies readonly SpecDocumentType[];
export const DOCUMENT_TYPES_COMPLETE: Complete<
  SpecDocumentType,
  (typeof DOCUMENT_TYPE_LIST)[number]
> = true;
const DOCUMENT_TYPES: ReadonlySet<string> = new Set(DOCUMENT_TYPE_LIST);

/** How a 404 names each kind of file. */
const RESOURCE_NAMES: Readonly<Record<FileRecord['kind'], string>> = {
  documents: 'Document',
  live_photos: 'LivePhoto',
  live_videos: 'LiveVideo',
  motion_captures: 'MotionCapture',
  id_photos: 'IdPhoto',
};

const MIME_OF_EXTENSION: Readonly<Record<string, string>> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  pdf: 'application/pdf',
};

async function upload(
  ctx: RouteContext,
  kind: 'documents' | 'live_photos' | 'id_photos',
): Promise<Response> {
  let form: FormData;
  try {
    form = await ctx.request.formData();
  } catch {
    return validationError({ file: ['must be sent as multipart/form-data'] });
  }
  const applicant = applicantParam(ctx, form.get('applicant_id') ?? undefined);
  if (applicant instanceof Response) return applicant;
  const file = form.get('file');
  if (file === null || typeof file === 'string')
    return validationError({ file: ["can't be blank"] });
  const extension = (file.name.split('.').pop() ?? '').toLowerCase();
  const mime = MIME_OF_EXTENSION[extension];
  if (mime === undefined) return validationError({ file: ['must be a JPG, PNG or PDF file'] });
  const type = text(form.get('type'));
  if (kind === 'documents' && (type === undefined || !DOCUMENT_TYPES.has(type))) {
    return validationError({ type: ['is not a valid document type'] });
  }
  const side = text(form.get('side'));
  if (side !== undefined && side !== 'front' && side !== 'back') {
    return validationError({ side: ['must be front or back'] });
  }
  const country = text(form.get('issuing_country'));
  // A document upload may carry the applicant's location, as a JSON string
  // (docs/provider-facts.md#o-app-6, #o-app-8).
  const located = text(form.get('location'));
  if (kind === 'documents' && located !== undefined) {
    const problems: Record<string, string[]> = {};
    let parsed: unknown;
    try {
      parsed = JSON.parse(located);
    } catch {
      problems['location'] = ['must be a JSON object'];
    }
    const location = locationOf(parsed, problems);
    if (Object.keys(problems).length > 0) return validationError(problems);
    if (location !== undefined) applicant.location = { ...applicant.location, ...location };
  }
  const record = ctx.engine.addFile(ctx.realm.name, applicant.id, kind, {
    bytes: new Uint8Array(await file.arrayBuffer()),
    fileName: file.name,
    // A document's file_type is its extension; a face medium's, its MIME type
    // (docs/provider-facts.md#o-doc-2, #o-med-3).
    fileType: kind === 'documents' ? extension : mime,
    mime,
    ...(type === undefined ? {} : { type }),
    ...(side === undefined ? {} : { side }),
    ...(country === undefined ? {} : { issuingCountry: country }),
  });
  return HttpResponse.json(fileView(record, ctx.realm), { status: 201 });
}

function list(kind: FileRecord['kind']): Route {
  return route('GET', `/${kind}`, (ctx) => {
    const applicant = applicantParam(ctx, ctx.url.searchParams.get('applicant_id') ?? undefined);
    if (applicant instanceof Response) return applicant;
    const files = ctx.engine.state.filesOf(ctx.realm.name, applicant.id, kind);
    return HttpResponse.json({ [kind]: files.map((f) => fileView(f, ctx.realm)) });
  });
}

function fileOf(ctx: RouteContext, kind: FileRecord['kind']): FileRecord | undefined {
  const file = pathRecord(ctx, ctx.engine.state.files);
  return file?.kind === kind ? file : undefined;
}

function show(kind: FileRecord['kind']): Route {
  return route('GET', `/${kind}/:id`, (ctx) =>
    findOr404(fileOf(ctx, kind), named(ctx, RESOURCE_NAMES[kind]), (file) =>
      HttpResponse.json(fileView(file, ctx.realm)),
    ),
  );
}

function download(kind: FileRecord['kind']): Route {
  return route('GET', `/${kind}/:id/download`, (ctx) =>
    findOr404(fileOf(ctx, kind), named(ctx, RESOURCE_NAMES[kind]), (file) => {
      const headers = {
        'Content-Type': file.mime,
        'Content-Length': String(file.size),
        'Content-Disposition': `attachment; filename="${file.fileName}"`,
      };
      const body =
        file.generated === undefined ? (file.bytes as Uint8Array) : file.generated.stream();
      return new HttpResponse(body, { status: 200, headers });
    }),
  );
}

/** Document, live photo, live video, motion capture and ID photo routes (docs/provider-facts.md#o-med-1). */
export const fileRoutes: readonly Route[] = [
  route('POST', '/documents', (ctx) => upload(ctx, 'documents')),
  list('documents'),
  show('documents'),
  download('documents'),
  route('POST', '/live_photos', (ctx) => upload(ctx, 'live_photos')),
  list('live_photos'),
  show('live_photos'),
  download('live_photos'),
  list('live_videos'),
  show('live_videos'),
  download('live_videos'),
  list('motion_captures'),
  show('motion_captures'),
  download('motion_captures'),
  route('POST', '/id_photos', (ctx) => upload(ctx, 'id_photos')),
  list('id_photos'),
  show('id_photos'),
  download('id_photos'),
];
