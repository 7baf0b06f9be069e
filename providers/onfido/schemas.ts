/**
 * zod schemas of the Onfido API v3.6 answers and webhook events the adapter
 * reads. Only the fields the adapter uses are declared; Onfido adds fields over
 * time, and unknown ones are ignored rather than refused. Enums (statuses,
 * results) are kept as strings so that a value Onfido adds later reaches the
 * mapping (and becomes `UNKNOWN`) instead of failing the parse: the official
 * client passes unknown enum values through too (docs/provider-facts.md#o-src-3).
 *
 * @module
 */
import { z } from 'zod';

const id = z.string().min(1);
const optionalText = z.string().nullish();
/**
 * A status: the spec requires none (only ids are required:
 * docs/provider-facts.md#o-chk-1, #o-rep-2, #o-wf-2); a missing one reads as
 * `none`, which no table lists, so it never passes as finished and clear.
 */
const statusText = z.preprocess(
  (v) => (typeof v === 'string' && v !== '' ? v : 'none'),
  z.string().min(1),
);

/** `POST /applicants`, `GET /applicants/{id}`. */
export const applicantSchema = z.object({
  id,
  created_at: optionalText,
  href: optionalText,
  sandbox: z.boolean().nullish(),
  first_name: optionalText,
  last_name: optionalText,
});
/** An Onfido applicant. */
export type OnfidoApplicant = z.infer<typeof applicantSchema>;

/** `GET /applicants`. */
export const applicantListSchema = z.object({ applicants: z.array(applicantSchema) });

/** `POST /sdk_token`. */
export const sdkTokenSchema = z.object({ token: z.string().min(1) });

/** `POST /checks`, `GET /checks/{id}`. */
export const checkSchema = z.object({
  id,
  applicant_id: optionalText,
  status: statusText,
  result: optionalText,
  report_ids: z.array(id).nullish(),
  created_at: optionalText,
  href: optionalText,
  sandbox: z.boolean().nullish(),
});
/** An Onfido check. */
export type OnfidoCheck = z.infer<typeof checkSchema>;

/** `GET /checks?applicant_id=`. */
export const checkListSchema = z.object({ checks: z.array(checkSchema) });

/**
 * An object the spec types as an object but the API may send otherwise: `[]`
 * (reports awaiting data, cancelled reports, empty sub-breakdown
 * `properties`), `null`, or nothing. Every such value reads as absent rather
 * than failing the parse (docs/provider-facts.md#o-rep-6,
 * docs/provider-facts.md#o-open-8): an array carries no keys to read, so it
 * is read as `{}`; `null` and any other non-object as `undefined`.
 */
function looseRecord<T extends z.ZodType>(value: T) {
  return z.preprocess((input) => {
    if (Array.isArray(input)) return {};
    if (typeof input === 'object' && input !== null) return input;
    return undefined;
  }, z.record(z.string(), value).optional());
}

/**
 * One entry of a report's `breakdown`: a result and, usually, sub-breakdowns.
 * A `result` that is not a string (null: the breakdown did not run) reads as
 * absent. Anything else in the entry is kept as sent (O-REP-6: breakdown
 * results are strings without an enum).
 */
export const breakdownEntrySchema = z.preprocess(
  (input) => (typeof input === 'object' && input !== null && !Array.isArray(input) ? input : {}),
  z.looseObject({
    result: z.preprocess((v) => (typeof v === 'string' ? v : undefined), z.string().optional()),
    breakdown: looseRecord(z.unknown()),
  }),
);

/**
 * `GET /reports?check_id=` items, `GET /reports/{id}`. Only `id` and `name`
 * are required by the spec (docs/provider-facts.md#o-rep-2); a report without
 * a `status` reads as `awaiting_data` would (not complete, so never clear).
 * `breakdown` and `properties` accept every shape seen or possible
 * (`{}`, `[]`, `null`, absent: O-REP-6, O-OPEN-8), and `properties` values
 * stay as sent (null, arrays: O-REP-7), for the person reader to skip.
 */
export const reportSchema = z.object({
  id,
  name: z.string().min(1),
  status: z.preprocess((v) => (typeof v === 'string' && v !== '' ? v : 'none'), z.string().min(1)),
  result: optionalText,
  sub_result: optionalText,
  breakdown: looseRecord(breakdownEntrySchema),
  properties: looseRecord(z.unknown()),
  check_id: optionalText,
  created_at: optionalText,
});
/** An Onfido report. */
export type OnfidoReport = z.infer<typeof reportSchema>;

/** `GET /reports?check_id=`. */
export const reportListSchema = z.object({ reports: z.array(reportSchema) });

/** A document's metadata (`GET /documents?applicant_id=`). */
export const documentSchema = z.object({
  id,
  created_at: optionalText,
  type: optionalText,
  side: optionalText,
  issuing_country: optionalText,
  file_name: optionalText,
  file_type: optionalText,
  file_size: z.number().int().nonnegative().nullish(),
  href: optionalText,
  download_href: optionalText,
});
/** An Onfido document. */
export type OnfidoDocument = z.infer<typeof documentSchema>;

/** `GET /documents?applicant_id=`. */
export const documentListSchema = z.object({ documents: z.array(documentSchema) });

/** A live photo's or ID photo's metadata (docs/provider-facts.md#o-med-2). */
export const liveMediaSchema = z.object({
  id,
  file_name: optionalText,
  file_type: optionalText,
  file_size: z.number().int().nonnegative().nullish(),
  href: optionalText,
  download_href: optionalText,
  created_at: optionalText,
});
/** An Onfido live photo or live video. */
export type OnfidoLiveMedia = z.infer<typeof liveMediaSchema>;

/** `GET /live_photos?applicant_id=`. */
export const livePhotoListSchema = z.object({ live_photos: z.array(liveMediaSchema) });

/**
 * A live video's or motion capture's metadata: the spec does not require
 * their `id` (docs/provider-facts.md#o-med-2); one without an id cannot be
 * downloaded and is left out of the listing.
 */
const videoMediaSchema = liveMediaSchema.extend({ id: z.string().nullish() });
/** A live video or motion capture, maybe without an id. */
export type OnfidoVideoMedia = z.infer<typeof videoMediaSchema>;

/** `GET /live_videos?applicant_id=`. */
export const liveVideoListSchema = z.object({ live_videos: z.array(videoMediaSchema) });

/** `GET /motion_captures?applicant_id=` (docs/provider-facts.md#o-med-1). */
export const motionCaptureListSchema = z.object({ motion_captures: z.array(videoMediaSchema) });

/** `GET /id_photos?applicant_id=` (docs/provider-facts.md#o-med-1). */
export const idPhotoListSchema = z.object({ id_photos: z.array(liveMediaSchema) });

/** `POST /workflow_runs`, `GET /workflow_runs/{id}` (Onfido Studio). */
export const workflowRunSchema = z.object({
  id,
  applicant_id: optionalText,
  workflow_id: optionalText,
  status: statusText,
  reasons: z.array(z.string()).nullish(),
  sdk_token: optionalText,
  link: z.object({ url: optionalText, expires_at: optionalText }).nullish(),
  created_at: optionalText,
  updated_at: optionalText,
  error: z.object({ type: optionalText, message: optionalText }).nullish(),
});
/** An Onfido Studio workflow run. */
export type OnfidoWorkflowRun = z.infer<typeof workflowRunSchema>;

/** A registered webhook (`POST /webhooks`, `GET /webhooks`). */
export const webhookSchema = z.object({
  id,
  url: z.preprocess((v) => (typeof v === 'string' ? v : ''), z.string()),
  token: optionalText,
  events: z.array(z.string()).nullish(),
  enabled: z.boolean().nullish(),
});
/** An Onfido webhook registration. */
export type OnfidoWebhook = z.infer<typeof webhookSchema>;

/** `GET /webhooks`. */
export const webhookListSchema = z.object({ webhooks: z.array(webhookSchema) });

/**
 * A webhook delivery's body. Only ids and timestamps are read from it: the
 * verdict always comes from the API.
 */
export const webhookEventSchema = z.object({
  payload: z.object({
    resource_type: z.string().min(1),
    action: z.string().min(1),
    object: z.object({
      id,
      status: optionalText,
      completed_at_iso8601: optionalText,
      href: optionalText,
      /** Studio task events name their run (docs/provider-facts.md#o-wh-4). */
      workflow_run_id: optionalText,
    }),
    resource: z.looseObject({ applicant_id: optionalText }).nullish(),
  }),
});
/**
 * A parsed webhook body (what `verifyWebhook` makes of one is an
 * `OnfidoWebhookEvent`).
 */
export type OnfidoWebhookBody = z.infer<typeof webhookEventSchema>;
