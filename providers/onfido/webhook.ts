/**
 * Onfido webhooks: the `X-SHA2-Signature` check and the reduction of an event
 * to the ids it names.
 *
 * The signature is the lowercase hex HMAC-SHA256 of the raw request body, keyed
 * with the webhook's token. It is checked on the bytes as received (never on
 * re-serialised JSON) and compared in constant time. It carries no timestamp,
 * so replay protection is the receiver's job: use {@link WebhookEvent.dedupeKey}
 * (see {@link dedupeKeyOf}).
 *
 * @module
 */
import { createHmac } from 'node:crypto';
import {
  bodyBytes,
  constantTimeEqual,
  type HmacSha256,
  headerValue,
  type IncomingWebhook,
  keyedHmacSha256,
  type WebhookEvent,
  WebhookVerificationError,
} from 'idv-providers/kit';
import { addVariantIds, isKnownOnfidoEvent, type OnfidoWebhookEvent } from './events';
import { webhookEventSchema } from './schemas';
import { isOnfidoWebhookBody } from './webhook-body';

/** The header carrying the signature (docs/provider-facts.md#o-wh-8). */
export const ONFIDO_SIGNATURE_HEADER = 'X-SHA2-Signature';
/** The same, as node:http and most frameworks name it. */
const SIGNATURE_HEADER_LOWER = 'x-sha2-signature';

/** Events after which a result can be fetched. */
export const ONFIDO_ACTIONABLE_EVENTS: ReadonlySet<string> = new Set([
  'check.completed',
  'check.withdrawn',
  'workflow_run.completed',
]);

const HEX = /^[0-9a-fA-F]*$/;
/** An HMAC-SHA256 is 32 bytes, 64 hex digits (docs/provider-facts.md#o-wh-8). */
const SIGNATURE_BYTES = 32;
const SIGNATURE_HEX_LENGTH = SIGNATURE_BYTES * 2;

/**
 * Largest webhook body verified, bytes (1 MiB, the intake's default
 * `maxBodyBytes`); Onfido's events are a few KiB. A larger body is refused
 * with `payload_too_large` before any hashing.
 */
export const MAX_WEBHOOK_BYTES = 1024 * 1024;

function refuse(reason: string, message: string): WebhookVerificationError {
  return new WebhookVerificationError(`[idv] [onfido] webhook refused: ${message}`, {
    provider: 'onfido',
    reason,
  });
}

/**
 * Signs a body as Onfido does, for building test fixtures: the lowercase hex
 * HMAC-SHA256 of the exact bytes, keyed with the webhook token.
 *
 * @example
 * ```ts
 * const body = JSON.stringify({ payload: { resource_type: 'check', action: 'check.completed', object: { id } } });
 * await provider.verifyWebhook({ body, headers: { 'x-sha2-signature': signOnfidoWebhook(body, token) } });
 * ```
 */
export function signOnfidoWebhook(body: string | Uint8Array, token: string): string {
  return createHmac('sha256', token).update(bodyBytes(body)).digest('hex');
}

/** The value of each ASCII hex digit by its character code, -1 for any other character. */
const HEX_VALUE = new Int8Array(128).fill(-1);
for (let digit = 0; digit < 16; digit++) {
  const text = digit.toString(16);
  HEX_VALUE[text.charCodeAt(0)] = digit;
  HEX_VALUE[text.toUpperCase().charCodeAt(0)] = digit;
}

/**
 * Decodes a signature header's value into `out` (32 bytes); `false` when the
 * value is not exactly 64 hex digits. Either case is taken: the hex is decoded,
 * not compared as text (docs/provider-facts.md#o-wh-8 says hexadecimal, not
 * which case).
 *
 * One pass over the characters, each looked up in {@link HEX_VALUE}: a
 * character beyond ASCII is refused here, where Node's own hex decoding reads
 * it by its low byte (`U+0663` would decode as `c`: docs/provider-facts.md#o-wh-9).
 * Writing into a buffer the caller keeps spares an allocation per delivery.
 */
function decodeSignatureInto(value: string, out: Uint8Array): boolean {
  if (value.length !== SIGNATURE_HEX_LENGTH) return false;
  // Any digit that is not hex makes `invalid` negative.
  let invalid = 0;
  for (let i = 0; i < SIGNATURE_BYTES; i++) {
    const high = value.charCodeAt(2 * i);
    const low = value.charCodeAt(2 * i + 1);
    const h = high < 128 ? (HEX_VALUE[high] as number) : -1;
    const l = low < 128 ? (HEX_VALUE[low] as number) : -1;
    invalid |= h | l;
    out[i] = (h << 4) | l;
  }
  return invalid >= 0;
}

/**
 * The 32 bytes of a signature header's value, or `undefined` when it is not
 * exactly 64 hex digits (ASCII only, either case).
 */
export function decodeSignatureHex(value: string): Buffer | undefined {
  const bytes = Buffer.alloc(SIGNATURE_BYTES);
  return decodeSignatureInto(value, bytes) ? bytes : undefined;
}

/** Why a header that is not 32 bytes of hex is malformed (it is not, or it has another length). */
function malformed(header: string): WebhookVerificationError {
  if (!HEX.test(header) || header.length % 2 !== 0) {
    return refuse('malformed_signature', `${ONFIDO_SIGNATURE_HEADER} is not a hex string`);
  }
  return refuse(
    'malformed_signature',
    `${ONFIDO_SIGNATURE_HEADER} has ${header.length / 2} bytes, expected 32`,
  );
}

/**
 * The signature header as given: the lower-case own property first (what
 * node:http hands over), then the kit's lookup (any case, `Headers`).
 */
function signatureHeader(headers: IncomingWebhook['headers']): unknown {
  if (
    typeof headers === 'object' &&
    headers !== null &&
    Object.hasOwn(headers, SIGNATURE_HEADER_LOWER)
  ) {
    const direct = (headers as Record<string, unknown>)[SIGNATURE_HEADER_LOWER];
    if (direct !== undefined) return Array.isArray(direct) ? direct[0] : direct;
  }
  return headerValue(headers, ONFIDO_SIGNATURE_HEADER);
}

/** Whether a body is over {@link MAX_WEBHOOK_BYTES}, counting a string's UTF-8 bytes only when it could be. */
function tooLarge(body: string | Buffer): boolean {
  if (typeof body !== 'string') return body.byteLength > MAX_WEBHOOK_BYTES;
  // A UTF-16 unit is 1 to 3 bytes of UTF-8.
  if (body.length > MAX_WEBHOOK_BYTES) return true;
  if (body.length * 3 <= MAX_WEBHOOK_BYTES) return false;
  return Buffer.byteLength(body) > MAX_WEBHOOK_BYTES;
}

/** The HMAC under a token for one call: `createHmac`, as preparing the key would cost more. */
function macOnce(token: string): HmacSha256 {
  return (data) => createHmac('sha256', token).update(data).digest();
}

/**
 * The header checks, the size cap and the HMAC of one delivery; returns the
 * body (a string as given, bytes as a `Buffer` without a copy) for parsing.
 * `mac` is the HMAC under the webhook's token (its key prepared once by
 * {@link onfidoWebhookVerifier}); `given` (32 bytes) receives the decoded
 * header, and is only read within this call.
 */
function checkSignature(
  request: IncomingWebhook,
  mac: HmacSha256,
  given: Uint8Array = new Uint8Array(SIGNATURE_BYTES),
): string | Buffer {
  const raw = signatureHeader(request.headers);
  if (raw !== undefined && typeof raw !== 'string') {
    throw refuse('malformed_signature', `${ONFIDO_SIGNATURE_HEADER} is not a string`);
  }
  const header = raw?.trim();
  if (header === undefined || header === '') {
    throw refuse('missing_signature', `no ${ONFIDO_SIGNATURE_HEADER} header`);
  }
  if (!decodeSignatureInto(header, given)) throw malformed(header);
  // A string is hashed as its UTF-8 bytes, as given; anything else must be raw bytes.
  const input: unknown = request.body;
  const body =
    typeof input === 'string' || input instanceof Buffer
      ? input
      : bodyBytes(input as IncomingWebhook['body']);
  if (tooLarge(body)) {
    throw refuse('payload_too_large', `the body is larger than ${MAX_WEBHOOK_BYTES} bytes`);
  }
  // docs/provider-facts.md#o-wh-8: HMAC-SHA256 of the raw body, keyed with the token,
  // compared in constant time.
  const expected = mac(body);
  if (!constantTimeEqual(given, expected)) {
    throw refuse('bad_signature', 'the signature does not match the body');
  }
  return body;
}

/**
 * Checks the `X-SHA2-Signature` header of a delivery against its raw body.
 * Throws a `WebhookVerificationError` (never a `RangeError` or `TypeError`)
 * whose `reason` is `missing_signature` (absent or empty),
 * `malformed_signature` (not a string, not hex, odd length, not 32 bytes),
 * `bad_signature` (does not match) or `payload_too_large` (a body over
 * {@link MAX_WEBHOOK_BYTES}).
 */
export function verifyOnfidoSignature(request: IncomingWebhook, token: string): void {
  checkSignature(request, macOnce(token));
}

/**
 * The de-duplication key of an event: the action, the object's id and, when
 * the event says when the object completed, that time.
 *
 * The completion time is what tells two completions of one check apart: a
 * check that is reopened (`check.reopened`, status `reopened`:
 * docs/provider-facts.md#o-chk-3, #o-wh-6) and completes again sends a second
 * `check.completed` for the same check id, with the new
 * `completed_at_iso8601` (docs/provider-facts.md#o-wh-4); a redelivery of one
 * event carries the same time, so it still gets the same key. The check's
 * `version` cannot do this: it is the API version the check was made with
 * (`"3.6"`, docs/provider-facts.md#o-chk-1, #o-chk-2), the same for both
 * completions, and it is not in the event.
 */
export function dedupeKeyOf(
  action: string,
  objectId: string,
  completedAt: string | null | undefined,
): string {
  const base = `onfido:${action}:${objectId}`;
  return completedAt == null || completedAt === '' ? base : `${base}:${completedAt}`;
}

/** The event of a body whose signature is right: parsed, its shape checked, reduced to its ids. */
function eventOf(body: string | Buffer): OnfidoWebhookEvent {
  let json: unknown;
  try {
    // `toString()` without an encoding is UTF-8, and skips the lookup of the encoding's functions.
    json = JSON.parse(typeof body === 'string' ? body : body.toString());
  } catch {
    throw refuse('malformed_body', 'the body is not JSON');
  }
  if (!isOnfidoWebhookBody(json)) throw unexpected(json);
  // docs/provider-facts.md#o-wh-4: {payload: {resource_type, action, object, resource?}}.
  const { payload } = json;
  const { resource_type: resourceType, action, object } = payload;
  const objectId = object.id;
  const completedAt = object.completed_at_iso8601;
  const known = isKnownOnfidoEvent(action, resourceType);
  // One literal per case, each with all its fields (no field is added later).
  let session: WebhookEvent['session'];
  if (resourceType === 'check') {
    session = { provider: 'onfido', attemptId: objectId };
  } else if (resourceType === 'workflow_run') {
    const applicantId = payload.resource?.applicant_id;
    session =
      applicantId == null
        ? { provider: 'onfido', attemptId: objectId }
        : { provider: 'onfido', attemptId: objectId, subjectId: applicantId };
  } else {
    session = { provider: 'onfido' };
  }
  // One literal with every field each event has, then the variant's ids.
  const typed = addVariantIds(
    {
      provider: 'onfido',
      type: action,
      dedupeKey: dedupeKeyOf(action, objectId, completedAt),
      session,
      actionable: session.attemptId !== undefined && ONFIDO_ACTIONABLE_EVENTS.has(action),
      known,
      resourceType,
      objectId,
    },
    payload,
  );
  if (completedAt != null) typed.occurredAt = completedAt;
  return typed;
}

/**
 * The refusal of a JSON body that is not an Onfido event, naming where (the
 * first three places zod finds wrong: the schema is the documented shape).
 */
function unexpected(json: unknown): WebhookVerificationError {
  const issues = webhookEventSchema.safeParse(json).error?.issues ?? [];
  const where =
    issues
      .map((issue) => issue.path.map(String).join('.') || '(root)')
      .slice(0, 3)
      .join(', ') || '(root)';
  return refuse('unexpected_event', `the body is not an Onfido event (at ${where})`);
}

/**
 * Verifies a delivery and reduces it to the ids it names. The event's own
 * `status` is not trusted for anything: call `getResult` for the verdict.
 *
 * - `check.*`: `session.attemptId` is the check id.
 * - `workflow_run.*`: `session.attemptId` is the run id, and `subjectId` the
 *   applicant id when the event carries `resource.applicant_id`.
 * - other resources (`report.*`, ...): no session ids; `actionable` is `false`.
 *
 * The event is one variant of {@link OnfidoWebhookEvent}: one of the 17
 * documented actions with the ids of its kind (`checkId`, `reportId`,
 * `runId`, `taskId`), or, for an action the adapter does not know, an
 * `OnfidoUnknownEvent` (`known: false`), verified and returned all the same.
 */
export function parseOnfidoWebhook(request: IncomingWebhook, token: string): OnfidoWebhookEvent {
  return eventOf(checkSignature(request, macOnce(token)));
}

/**
 * {@link parseOnfidoWebhook} for one token, its HMAC key prepared once (the
 * kit's `keyedHmacSha256`, so no call sets up a keyed context again): what
 * `verifyWebhook` of `onfido()` runs for every delivery. The key stays in the
 * closure; no error carries it.
 */
export function onfidoWebhookVerifier(
  token: string,
): (request: IncomingWebhook) => OnfidoWebhookEvent {
  const mac = keyedHmacSha256(token);
  // The decoded header of the delivery being checked: written and compared
  // within one synchronous call, so one buffer serves every delivery.
  const given = new Uint8Array(SIGNATURE_BYTES);
  return (request) => eventOf(checkSignature(request, mac, given));
}
