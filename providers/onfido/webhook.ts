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
  bodyText,
  constantTimeEqual,
  headerValue,
  type IncomingWebhook,
  type WebhookEvent,
  WebhookVerificationError,
} from 'idv-providers/kit';
import { type OnfidoWebhookEvent, typedFields } from './events';
import { webhookEventSchema } from './schemas';

/** The header carrying the signature. */
export const ONFIDO_SIGNATURE_HEADER = 'X-SHA2-Signature';

/** Events after which a result can be fetched. */
export const ONFIDO_ACTIONABLE_EVENTS: ReadonlySet<string> = new Set([
  'check.completed',
  'check.withdrawn',
  'workflow_run.completed',
]);

const HEX = /^[0-9a-fA-F]*$/;
const SIGNATURE_HEX_LENGTH = 64;

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

/**
 * Checks the `X-SHA2-Signature` header of a delivery against its raw body.
 * Throws a `WebhookVerificationError` (never a `RangeError` or `TypeError`)
 * whose `reason` is `missing_signature` (absent or empty),
 * `malformed_signature` (not a string, not hex, odd length, not 32 bytes),
 * `bad_signature` (does not match) or `payload_too_large` (a body over
 * {@link MAX_WEBHOOK_BYTES}).
 */
export function verifyOnfidoSignature(request: IncomingWebhook, token: string): void {
  const raw: unknown = headerValue(request.headers, ONFIDO_SIGNATURE_HEADER);
  if (raw !== undefined && typeof raw !== 'string') {
    throw refuse('malformed_signature', `${ONFIDO_SIGNATURE_HEADER} is not a string`);
  }
  const header = raw?.trim();
  if (header === undefined || header === '') {
    throw refuse('missing_signature', `no ${ONFIDO_SIGNATURE_HEADER} header`);
  }
  // Hex decoding stops at the first character that is not hex, so a header of
  // the right length that decodes short is malformed too.
  const given = header.length === SIGNATURE_HEX_LENGTH ? Buffer.from(header, 'hex') : undefined;
  if (given === undefined || given.length !== SIGNATURE_HEX_LENGTH / 2) {
    if (!HEX.test(header) || header.length % 2 !== 0) {
      throw refuse('malformed_signature', `${ONFIDO_SIGNATURE_HEADER} is not a hex string`);
    }
    throw refuse(
      'malformed_signature',
      `${ONFIDO_SIGNATURE_HEADER} has ${header.length / 2} bytes, expected 32`,
    );
  }
  // A string is hashed as UTF-8 without a copy; anything else must be raw bytes.
  const body = typeof request.body === 'string' ? request.body : bodyBytes(request.body);
  const size = typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
  if (size > MAX_WEBHOOK_BYTES) {
    throw refuse('payload_too_large', `the body is larger than ${MAX_WEBHOOK_BYTES} bytes`);
  }
  const expected = createHmac('sha256', token).update(body).digest();
  if (!constantTimeEqual(given, expected)) {
    throw refuse('bad_signature', 'the signature does not match the body');
  }
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
  verifyOnfidoSignature(request, token);
  let json: unknown;
  try {
    json = JSON.parse(bodyText(request.body));
  } catch {
    throw refuse('malformed_body', 'the body is not JSON');
  }
  const parsed = webhookEventSchema.safeParse(json);
  if (!parsed.success) {
    const where = parsed.error.issues
      .map((issue) => issue.path.map(String).join('.') || '(root)')
      .slice(0, 3)
      .join(', ');
    throw refuse('unexpected_event', `the body is not an Onfido event (at ${where})`);
  }
  const { resource_type: resourceType, action, object, resource } = parsed.data.payload;
  const session: WebhookEvent['session'] = { provider: 'onfido' };
  if (resourceType === 'check' || resourceType === 'workflow_run') session.attemptId = object.id;
  if (resourceType === 'workflow_run' && resource?.applicant_id != null) {
    session.subjectId = resource.applicant_id;
  }
  const event: WebhookEvent = {
    provider: 'onfido',
    type: action,
    dedupeKey: dedupeKeyOf(action, object.id, object.completed_at_iso8601),
    session,
    actionable: ONFIDO_ACTIONABLE_EVENTS.has(action) && session.attemptId !== undefined,
    ...typedFields({
      action,
      resourceType,
      objectId: object.id,
      objectRunId: object.workflow_run_id ?? undefined,
      applicantId: resource?.applicant_id ?? undefined,
    }),
  };
  if (object.completed_at_iso8601 != null) event.occurredAt = object.completed_at_iso8601;
  // typedFields gives each known action the ids its variant declares (tested per variant).
  return event as OnfidoWebhookEvent;
}
