/**
 * Routes for documents and the media of the face (live photos, live videos,
 * motion captures, ID photos): multipart uploads, listings, binary downloads,
 * video frames and the face read from an NFC chip.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import { HttpResponse } from 'msw';
import { DOCUMENT_TYPES } from './document-types';
import { isNfcData, nfcFace, sampleJpeg } from './media';
import {
  applicantParam,
  named,
  pathRecord,
  type Route,
  type RouteContext,
  route,
  text,
} from './router';
import { locationOf } from './routes-applicants';
import type { FileRecord } from './state';
import { fileView, findOr404, notFound, validationError } from './views';

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

/** Reads a document upload's `location`, a JSON string (docs/provider-facts.md#o-app-6, #o-app-8). */
function uploadLocation(form: FormData): Record<string, unknown> | Response | undefined {
  const located = text(form.get('location'));
  if (located === undefined) return undefined;
  const problems: Record<string, string[]> = {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(located);
  } catch {
    problems['location'] = ['must be a JSON object'];
  }
  const location = locationOf(parsed, problems);
  if (Object.keys(problems).length > 0) return validationError(problems);
  return location;
}

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
  const bytes = new Uint8Array(await file.arrayBuffer());
  const extension = (file.name.split('.').pop() ?? '').toLowerCase();
  // NFC chip data comes as a JSON file through the ordinary document upload
  // (docs/provider-facts.md#o-doc-5).
  const nfc = kind === 'documents' && extension === 'json' && isNfcData(bytes);
  const mime = nfc ? 'application/json' : MIME_OF_EXTENSION[extension];
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
  const location = kind === 'documents' ? uploadLocation(form) : undefined;
  if (location instanceof Response) return location;
  if (location !== undefined) applicant.location = { ...applicant.location, ...location };
  // The sandbox names an uploaded ID photo by a uuid, not by the file sent
  // (NODE-TESTS `id-photos.test.ts`: file_name matches /^[0-9a-f-]+\.png$/).
  const id = randomUUID();
  const record = ctx.engine.addFile(ctx.realm.name, applicant.id, kind, {
    id,
    bytes,
    fileName: kind === 'id_photos' ? `${id}.${extension}` : file.name,
    // A document's file_type is its extension; a face medium's, its MIME type
    // (docs/provider-facts.md#o-doc-2, #o-med-3).
    fileType: kind === 'documents' ? extension : mime,
    mime,
    ...(nfc ? { nfc: true } : {}),
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
    return HttpResponse.json({ [kind]: files.map((f) => fileView(f, ctx.realm, true)) });
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

/** A binary answer with its content type, length and file name. */
function binary(
  bytes: Uint8Array | ReadableStream<Uint8Array>,
  size: number,
  mime: string,
  fileName: string,
): Response {
  const headers = {
    'Content-Type': mime,
    'Content-Length': String(size),
    'Content-Disposition': `attachment; filename="${fileName}"`,
  };
  return new HttpResponse(bytes, { status: 200, headers });
}

function download(kind: FileRecord['kind']): Route {
  return route('GET', `/${kind}/:id/download`, (ctx) =>
    findOr404(fileOf(ctx, kind), named(ctx, RESOURCE_NAMES[kind]), (file) =>
      binary(
        file.generated === undefined ? (file.bytes as Uint8Array) : file.generated.stream(),
        file.size,
        file.mime,
        file.fileName,
      ),
    ),
  );
}

/**
 * `GET /live_videos/{id}/frame`, `GET /motion_captures/{id}/frame`: one
 * frame of the video, a JPEG (docs/provider-facts.md#o-med-1, #o-med-3).
 */
function frame(kind: 'live_videos' | 'motion_captures'): Route {
  return route('GET', `/${kind}/:id/frame`, (ctx) =>
    findOr404(fileOf(ctx, kind), named(ctx, RESOURCE_NAMES[kind]), (file) => {
      const jpeg = sampleJpeg(`${file.id}:frame`);
      return binary(jpeg, jpeg.length, 'image/jpeg', `${file.id}_frame.jpg`);
    }),
  );
}

/**
 * `GET /documents/{id}/nfc_face`: the face read from the chip of a document
 * uploaded as NFC data, `image/png`; 404 for a document without one
 * (docs/provider-facts.md#o-doc-5; the 404's wording is the emulator's).
 */
const nfcFaceRoute = route('GET', '/documents/:id/nfc_face', (ctx) =>
  findOr404(fileOf(ctx, 'documents'), named(ctx, 'Document'), (file) => {
    if (file.nfc !== true) return notFound(`NFC face of Document with id=${file.id}`);
    const png = nfcFace(file.id);
    return binary(png, png.length, 'image/png', `${file.id}_nfc_face.png`);
  }),
);

/** Document, live photo, live video, motion capture and ID photo routes (docs/provider-facts.md#o-med-1). */
export const fileRoutes: readonly Route[] = [
  route('POST', '/documents', (ctx) => upload(ctx, 'documents')),
  list('documents'),
  show('documents'),
  download('documents'),
  nfcFaceRoute,
  route('POST', '/live_photos', (ctx) => upload(ctx, 'live_photos')),
  list('live_photos'),
  show('live_photos'),
  download('live_photos'),
  list('live_videos'),
  show('live_videos'),
  download('live_videos'),
  frame('live_videos'),
  list('motion_captures'),
  show('motion_captures'),
  download('motion_captures'),
  frame('motion_captures'),
  route('POST', '/id_photos', (ctx) => upload(ctx, 'id_photos')),
  list('id_photos'),
  show('id_photos'),
  download('id_photos'),
];
