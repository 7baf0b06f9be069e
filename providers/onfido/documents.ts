/**
 * Document images and the media of the face (live photos, live videos, motion
 * captures, ID photos) of an applicant, listed from the API and downloaded as
 * streams.
 *
 * @module
 */
import {
  type CallOptions,
  type DocumentDownload,
  type DocumentInfo,
  downloadStream,
  InvalidInputError,
  ownEntry,
  type SessionRef,
} from 'idv-providers/kit';
import type { z } from 'zod';
import { assertOnfidoSession, type OnfidoContext, segment } from './context';
import {
  checkSchema,
  documentListSchema,
  idPhotoListSchema,
  livePhotoListSchema,
  liveVideoListSchema,
  motionCaptureListSchema,
  type OnfidoDocument,
  type OnfidoLiveMedia,
  type OnfidoVideoMedia,
  workflowRunSchema,
} from './schemas';

const MIME_BY_EXTENSION: Readonly<Record<string, string>> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
  heic: 'image/heic',
  pdf: 'application/pdf',
  mp4: 'video/mp4',
  webm: 'video/webm',
};

/**
 * Onfido's `file_type` is a MIME type for the media of the face (`image/png`,
 * docs/provider-facts.md#o-med-3) and free text, an extension in the sandbox,
 * for documents (`png`, #o-doc-2); either becomes a MIME type.
 */
export function contentTypeOf(fileType: string | null | undefined): string | undefined {
  if (fileType == null || fileType === '') return undefined;
  const value = fileType.trim().toLowerCase();
  if (value.includes('/')) return value;
  return ownEntry(MIME_BY_EXTENSION, value.replace(/^\./, ''));
}

function info(
  kind: DocumentInfo['kind'],
  media: OnfidoDocument | OnfidoLiveMedia,
  downloadUrl: string,
  extra: { side?: string | null | undefined; documentType?: string | null | undefined } = {},
): DocumentInfo {
  const out: DocumentInfo = { id: media.id, kind, downloadUrl };
  if (extra.side != null) out.side = extra.side;
  if (extra.documentType != null) out.documentType = extra.documentType;
  if (media.file_name != null) out.fileName = media.file_name;
  const contentType = contentTypeOf(media.file_type);
  if (contentType !== undefined) out.contentType = contentType;
  if (media.file_size != null) out.size = media.file_size;
  return out;
}

async function applicantOf(
  ctx: OnfidoContext,
  session: SessionRef,
  signal: AbortSignal | undefined,
): Promise<string> {
  if (session.subjectId !== undefined && session.subjectId !== '') return session.subjectId;
  if (session.attemptId !== undefined && session.attemptId !== '') {
    // Only the check (or, in Studio, the workflow run) is known: it names the applicant.
    const answer = ctx.studio
      ? await ctx.http.request({
          method: 'GET',
          url: `/workflow_runs/${segment(session.attemptId)}`,
          schema: workflowRunSchema,
          signal,
        })
      : await ctx.http.request({
          method: 'GET',
          url: `/checks/${segment(session.attemptId)}`,
          schema: checkSchema,
          signal,
        });
    if (answer.data.applicant_id != null) return answer.data.applicant_id;
  }
  throw new InvalidInputError('[idv] [onfido] listDocuments needs the applicant id (subjectId)', {
    provider: 'onfido',
    field: 'session.subjectId',
  });
}

/**
 * One kind of the face's media (docs/provider-facts.md#o-med-1): `GET /{path}?applicant_id=`,
 * answered as `{ [path]: [...] }`, each downloaded from `/{path}/{id}/download`.
 */
async function listMedia<P extends string>(
  ctx: OnfidoContext,
  path: P,
  kind: DocumentInfo['kind'],
  schema: z.ZodType<{ [K in P]: OnfidoVideoMedia[] }>,
  applicantId: string,
  signal: AbortSignal | undefined,
): Promise<DocumentInfo[]> {
  const answer = await ctx.http.request({
    method: 'GET',
    url: `/${path}`,
    params: { applicant_id: applicantId },
    schema,
    signal,
  });
  const items: OnfidoVideoMedia[] = answer.data[path];
  return items.flatMap((item) =>
    item.id == null || item.id === ''
      ? []
      : [
          info(
            kind,
            { ...item, id: item.id },
            `${ctx.baseUrl}/${path}/${segment(item.id)}/download`,
            {
              side: 'face',
            },
          ),
        ],
  );
}

/**
 * Lists the applicant's documents (kind `document`), and the media of the
 * face: live photos and ID photos (kind `selfie`), live videos and motion
 * captures (kind `video`), each with side `face`. The download URLs are built
 * from the configured base URL and the ids (`/documents/{id}/download`,
 * `/motion_captures/{id}/download`, ...), so they always point at the
 * configured API host. A live video or motion capture without an id (the
 * spec does not require one: docs/provider-facts.md#o-med-2) cannot be
 * downloaded and is left out.
 */
export async function listDocuments(
  ctx: OnfidoContext,
  session: SessionRef,
  call: CallOptions = {},
): Promise<DocumentInfo[]> {
  assertOnfidoSession(session);
  const signal = call.signal;
  const applicantId = await applicantOf(ctx, session, signal);
  const [documents, ...media] = await Promise.all([
    ctx.http.request({
      method: 'GET',
      url: '/documents',
      params: { applicant_id: applicantId },
      schema: documentListSchema,
      signal,
    }),
    listMedia(ctx, 'live_photos', 'selfie', livePhotoListSchema, applicantId, signal),
    listMedia(ctx, 'live_videos', 'video', liveVideoListSchema, applicantId, signal),
    listMedia(ctx, 'motion_captures', 'video', motionCaptureListSchema, applicantId, signal),
    listMedia(ctx, 'id_photos', 'selfie', idPhotoListSchema, applicantId, signal),
  ]);
  const base = ctx.baseUrl;
  return [
    ...documents.data.documents.map((d) =>
      info('document', d, `${base}/documents/${segment(d.id)}/download`, {
        side: d.side,
        documentType: d.type,
      }),
    ),
    ...media.flat(),
  ];
}

/**
 * Downloads one file as a stream through the authenticated client. Refuses a
 * URL (or a redirect) off the configured API origin, and a body larger than
 * `maxDownloadBytes`.
 */
export function downloadDocument(
  ctx: OnfidoContext,
  document: DocumentInfo,
  call: CallOptions = {},
): Promise<DocumentDownload> {
  return downloadStream(ctx.http, document, {
    provider: 'onfido',
    allowedOrigins: [ctx.origin],
    maxBytes: ctx.options.maxDownloadBytes,
    signal: call.signal,
  });
}
