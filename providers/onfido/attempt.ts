/**
 * Which of an applicant's checks is "the attempt": the rule `completeCapture`
 * and `getResult` (by applicant id) share, so both name the same check.
 *
 * A check covers what the applicant had uploaded when it was created (Onfido
 * reads the most recent document unless told otherwise:
 * docs/provider-facts.md#o-chk-5). So the checks created at or after the
 * applicant's newest upload belong to the capture the customer just made;
 * more than one of them means submits raced (Onfido has no idempotency key on
 * `POST /checks`: docs/provider-facts.md#o-chk-7, #o-open-3), and the
 * earliest of them (by `created_at`, then by id) is the attempt, for every
 * caller and every process. A check older than the newest upload belongs to
 * an earlier capture: a customer who captured again (a retry under the same
 * applicant, after `refreshLink` or `existingSubjectId`) gets a new check.
 *
 * @module
 */
import type { z } from 'zod';
import type { OnfidoContext } from './context';
import {
  checkListSchema,
  documentListSchema,
  idPhotoListSchema,
  livePhotoListSchema,
  liveVideoListSchema,
  motionCaptureListSchema,
  type OnfidoCheck,
} from './schemas';

type Signal = AbortSignal | undefined;

/** The applicant's checks (`GET /checks?applicant_id=`, docs/provider-facts.md#o-chk-6), in no order. */
export async function listChecks(
  ctx: OnfidoContext,
  applicantId: string,
  signal: Signal,
): Promise<OnfidoCheck[]> {
  const answer = await ctx.http.request({
    method: 'GET',
    url: '/checks',
    params: { applicant_id: applicantId },
    schema: checkListSchema,
    signal,
  });
  return answer.data.checks;
}

const timeOf = (value: string | null | undefined): number => {
  const parsed = Date.parse(value ?? '');
  return Number.isFinite(parsed) ? parsed : Number.NaN;
};

/**
 * When the applicant uploaded each document and medium of the face
 * (`created_at` of documents, live photos, live videos, motion captures and ID
 * photos: docs/provider-facts.md#o-doc-2, #o-med-2); those without a readable
 * time are left out.
 */
export async function uploadTimes(
  ctx: OnfidoContext,
  applicantId: string,
  signal: Signal,
): Promise<number[]> {
  const params = { applicant_id: applicantId };
  const get = <T>(url: string, schema: z.ZodType<T>) =>
    ctx.http.request({ method: 'GET', url, params, schema, signal }).then((a) => a.data);
  const [documents, photos, videos, motions, idPhotos] = await Promise.all([
    get('/documents', documentListSchema),
    get('/live_photos', livePhotoListSchema),
    get('/live_videos', liveVideoListSchema),
    get('/motion_captures', motionCaptureListSchema),
    get('/id_photos', idPhotoListSchema),
  ]);
  return [
    ...documents.documents,
    ...photos.live_photos,
    ...videos.live_videos,
    ...motions.motion_captures,
    ...idPhotos.id_photos,
  ]
    .map((item) => timeOf(item.created_at))
    .filter((time) => !Number.isNaN(time));
}

/**
 * The earliest check, by `created_at` then by id; a check without a readable
 * time sorts last.
 */
export function earliestCheck(checks: readonly OnfidoCheck[]): OnfidoCheck | undefined {
  const key = (check: OnfidoCheck) => {
    const time = timeOf(check.created_at);
    return Number.isNaN(time) ? Number.POSITIVE_INFINITY : time;
  };
  return [...checks].sort((a, b) => key(a) - key(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))[0];
}

/**
 * The checks of the capture uploaded at `capturedAt` (created at or after
 * it). A check without a readable time is counted in: a second check billed
 * is worse than an answer about the wrong capture, which a new upload
 * corrects. Without any upload time, every check is.
 */
export function checksSince(
  checks: readonly OnfidoCheck[],
  capturedAt: number | undefined,
): OnfidoCheck[] {
  if (capturedAt === undefined) return [...checks];
  return checks.filter((check) => {
    const time = timeOf(check.created_at);
    return Number.isNaN(time) || time >= capturedAt;
  });
}

/** The newest of some times, `undefined` for none. */
export function newest(times: readonly number[]): number | undefined {
  return times.length === 0 ? undefined : Math.max(...times);
}

/**
 * The attempt `getResult` reads for an applicant: among its checks, the
 * earliest of those made for the last capture that has any (the newest upload
 * no later than the newest check). One check needs no upload times; none
 * answers `undefined`.
 */
export async function resultCheck(
  ctx: OnfidoContext,
  applicantId: string,
  signal: Signal,
): Promise<OnfidoCheck | undefined> {
  const checks = await listChecks(ctx, applicantId, signal);
  if (checks.length <= 1) return checks[0];
  const latest = Math.max(
    ...checks.map((c) => timeOf(c.created_at)).filter((t) => !Number.isNaN(t)),
  );
  const uploads = await uploadTimes(ctx, applicantId, signal);
  const capturedAt = newest(uploads.filter((time) => !(time > latest)));
  return earliestCheck(checksSince(checks, capturedAt));
}
