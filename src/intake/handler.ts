/**
 * The webhook intake: verifies a provider's webhook or callback, records it in
 * an {@link EventStore}, and answers at once. Fetching the result, downloading
 * documents and calling the host happen later, in the processor, so the answer
 * never waits on the provider's API (Onfido allows 10 seconds).
 *
 * | Situation | Status | Stored |
 * |---|---|---|
 * | verified, recorded now | 200 `{"received":true,"duplicate":false,"id":…}` | yes |
 * | verified, same `dedupeKey` already recorded | 200 `{"received":true,"duplicate":true,"id":…}` | no (already) |
 * | method other than POST | 405 (with `Allow: POST`) | no |
 * | `Content-Length` over the limit (refused before reading) or body passes it | 413 | no |
 * | `Content-Length` not a number, or the body could not be read | 400 | no |
 * | missing, malformed or wrong signature | 401 | no |
 * | sender address not allowed (Jumio source check) | 403 | no |
 * | any other verification failure (malformed body, unknown event shape) | 400 | no |
 * | the store failed | 503 (the provider retries) | no |
 * | the provider's `verifyWebhook` threw something other than a `WebhookVerificationError` | 500 | no |
 *
 * Verification is the provider's: Onfido's webhooks are signed, so a forged one
 * is refused here. Jumio's callbacks are not signed; a well-formed callback
 * from an allowed sender is recorded, and one that names ids Jumio does not
 * know fails when the processor fetches its result, and ends as a dead letter.
 *
 * Events that need no action (`actionable: false`, such as Onfido's
 * `check.started`) are recorded as `skipped`: they are de-duplicated and kept
 * for audit but never processed. Answer bodies are small JSON objects that hold
 * no secret and no error message.
 *
 * @module
 */
import type { Clock } from '../config/common';
import { ConfigError, isIdvError, WebhookVerificationError } from '../errors';
import type { IdentityVerificationProvider, IncomingWebhook } from '../provider';
import { headerValue } from '../shared/headers';
import { type BodyReadResult, DEFAULT_MAX_BODY_BYTES, declaredLength, readWebBody } from './body';
import type { WebhookProcessor } from './processor';
import type { EventStore, StoredEvent } from './store';

/** A delivery as any HTTP framework can describe it; see {@link WebhookHandler.receive}. */
export interface RawDelivery {
  /** HTTP method. */
  method: string;
  /** Request headers (names matched case-insensitively). */
  headers: IncomingWebhook['headers'];
  /** The sender's address, for providers that check it (Jumio). */
  remoteAddress?: string | undefined;
  /**
   * Reads the body within `limit` bytes, giving up once it passes the limit.
   * Called at most once, and only after a declared `Content-Length` was found
   * within the limit.
   */
  readBody(limit: number): Promise<BodyReadResult>;
}

/** What the intake answers: status, headers and a JSON body. */
export interface IntakeAnswer {
  /** HTTP status. */
  status: number;
  /** Response headers. */
  headers: Record<string, string>;
  /** The JSON body. */
  body: Record<string, unknown>;
}

/** What happened to one request, for logs and metrics. */
export type IntakeOutcome =
  | {
      /** The event was verified and is recorded (now, or earlier for a duplicate). */
      result: 'recorded';
      status: 200;
      /** The stored record. */
      event: StoredEvent;
      /** `true` when the dedupe key was already recorded. */
      duplicate: boolean;
    }
  | {
      /** The request was refused and nothing was stored. */
      result: 'refused';
      status: 400 | 401 | 403 | 405 | 413;
      /** Short token: `method_not_allowed`, `payload_too_large`, or the verification error's `reason`. */
      reason: string;
      /** The verification error, when verification refused it. */
      error?: WebhookVerificationError | undefined;
    }
  | {
      /** The store or the provider failed; nothing was stored. */
      result: 'failed';
      status: 500 | 503;
      /** What failed (a `StoreError` for 503). */
      error: unknown;
    };

/** Something to wake when an event is recorded: a {@link WebhookProcessor}, or a host's own queue. */
export interface Nudgeable {
  /** Asks for the recorded events to be processed soon. Must not throw or block. */
  nudge(): void;
}

/** Options of {@link createWebhookHandler}. */
export interface WebhookHandlerOptions {
  /** The provider whose webhooks or callbacks this route receives. */
  provider: IdentityVerificationProvider;
  /** Where events are recorded. */
  store: EventStore;
  /** Told after a new actionable event is recorded, so it starts at once rather than at the next poll. */
  processor?: Nudgeable | undefined;
  /** Largest body accepted, bytes. Default 1 MiB. */
  maxBodyBytes?: number | undefined;
  /** Time source for `receivedAt`. Default the system clock. */
  clock?: Pick<Clock, 'now'> | undefined;
  /** Called once per request with what happened (never throws into the request). */
  onOutcome?: ((outcome: IntakeOutcome) => void) | undefined;
}

/**
 * A webhook route: takes a Web `Request`, returns a `Response`. Mount one per
 * provider (`POST /webhooks/onfido`, `POST /callbacks/jumio`).
 */
export interface WebhookHandler {
  /**
   * Handles a Web-standard request. `context.remoteAddress` is the sender's
   * address, for providers that check it (the Web `Request` does not carry it).
   */
  (request: Request, context?: { remoteAddress?: string | undefined }): Promise<Response>;
  /** Handles a delivery described by any framework (used by the node:http adapter). */
  receive(delivery: RawDelivery): Promise<IntakeAnswer>;
  /** The largest body accepted, bytes. */
  readonly maxBodyBytes: number;
}

const SIGNATURE_REASONS: ReadonlySet<string> = new Set([
  'missing_signature',
  'malformed_signature',
  'bad_signature',
]);
const SENDER_REASONS: ReadonlySet<string> = new Set(['unknown_sender']);

/**
 * The status a refused webhook gets: 401 when its signature is missing,
 * malformed or wrong; 403 when its sender address is not allowed; 400 for
 * everything else (a malformed or unexpected body).
 */
export function verificationStatus(error: WebhookVerificationError): 400 | 401 | 403 {
  if (SIGNATURE_REASONS.has(error.reason) || error.reason.endsWith('_signature')) return 401;
  if (SENDER_REASONS.has(error.reason)) return 403;
  return 400;
}

function answer(status: number, body: Record<string, unknown>, extra: Record<string, string> = {}) {
  return {
    status,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...extra },
    body,
  };
}

function isVerificationError(error: unknown): error is WebhookVerificationError {
  return (
    error instanceof WebhookVerificationError ||
    (isIdvError(error) && error.code === 'webhook_verification_failed')
  );
}

/**
 * Creates a webhook route for one provider. See the module description for the
 * status of every situation.
 *
 * @example
 * ```ts
 * const store = await createSqliteStore({ path: './idv-events.sqlite' });
 * const processor = createProcessor({ store, providers: [idv], handler: onResult });
 * const onfidoWebhook = createWebhookHandler({ provider: idv, store, processor });
 * processor.start();
 * // Web-standard frameworks: return onfidoWebhook(request);
 * // node:http / Express: app.post('/webhooks/onfido', toNodeListener(onfidoWebhook));
 * ```
 */
export function createWebhookHandler(options: WebhookHandlerOptions): WebhookHandler {
  const { provider, store } = options;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  if (!Number.isInteger(maxBodyBytes) || maxBodyBytes <= 0) {
    throw new ConfigError('[idv] [intake] option "maxBodyBytes" must be a positive integer', {
      option: 'maxBodyBytes',
    });
  }
  const now = options.clock === undefined ? () => Date.now() : () => options.clock!.now();

  const report = (outcome: IntakeOutcome): void => {
    try {
      options.onOutcome?.(outcome);
    } catch {
      // An observer's failure must not change the answer.
    }
  };
  const refuse = (
    status: 400 | 401 | 403 | 405 | 413,
    reason: string,
    error?: WebhookVerificationError,
  ): IntakeAnswer => {
    report({ result: 'refused', status, reason, ...(error === undefined ? {} : { error }) });
    const extra: Record<string, string> = {};
    if (status === 405) extra['allow'] = 'POST';
    return answer(status, { error: reason }, extra);
  };

  const receive = async (delivery: RawDelivery): Promise<IntakeAnswer> => {
    if (delivery.method.toUpperCase() !== 'POST') return refuse(405, 'method_not_allowed');
    const length = declaredLength(headerValue(delivery.headers, 'content-length'));
    if (Number.isNaN(length)) return refuse(400, 'invalid_content_length');
    if (length !== undefined && length > maxBodyBytes) return refuse(413, 'payload_too_large');

    let read: BodyReadResult;
    try {
      read = await delivery.readBody(maxBodyBytes);
    } catch {
      return refuse(400, 'body_unreadable');
    }
    if (!read.ok) return refuse(413, 'payload_too_large');

    let event: Awaited<ReturnType<IdentityVerificationProvider['verifyWebhook']>>;
    try {
      event = await provider.verifyWebhook({
        body: read.bytes,
        headers: delivery.headers,
        ...(delivery.remoteAddress === undefined ? {} : { remoteAddress: delivery.remoteAddress }),
      });
    } catch (error) {
      if (isVerificationError(error)) {
        return refuse(verificationStatus(error), error.reason, error);
      }
      report({ result: 'failed', status: 500, error });
      return answer(500, { error: 'internal_error' });
    }

    let recorded: Awaited<ReturnType<EventStore['insertIfAbsent']>>;
    try {
      recorded = await store.insertIfAbsent({
        event,
        state: event.actionable ? 'queued' : 'skipped',
        now: now(),
      });
    } catch (error) {
      report({ result: 'failed', status: 503, error });
      return answer(503, { error: 'store_unavailable' }, { 'retry-after': '5' });
    }

    if (recorded.inserted && recorded.event.state === 'queued') {
      try {
        options.processor?.nudge();
      } catch {
        // The poll picks the event up anyway.
      }
    }
    report({
      result: 'recorded',
      status: 200,
      event: recorded.event,
      duplicate: !recorded.inserted,
    });
    return answer(200, { received: true, duplicate: !recorded.inserted, id: recorded.event.id });
  };

  const handler = async (
    request: Request,
    context: { remoteAddress?: string | undefined } = {},
  ): Promise<Response> => {
    let consumed = false;
    const result = await receive({
      method: request.method,
      headers: request.headers,
      remoteAddress: context.remoteAddress,
      readBody: (limit) => {
        consumed = true;
        return readWebBody(request.body, limit);
      },
    });
    if (!consumed) await request.body?.cancel().catch(() => {});
    return new Response(JSON.stringify(result.body), {
      status: result.status,
      headers: result.headers,
    });
  };

  return Object.assign(handler, { receive, maxBodyBytes });
}
