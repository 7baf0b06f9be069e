/**
 * The webhook intake: verifies a provider's webhook or callback, records it in
 * an {@link EventStore}, and answers at once. Fetching the result, downloading
 * documents and calling the host happen later, in the processor, so the answer
 * never waits on the provider's API (Onfido allows 10 seconds).
 *
 * | Situation | Status | Stored |
 * |---|---|---|
 * | verified, recorded now | 200 `{"received":true,"duplicate":false,"id":…}` | yes |
 * | verified, same `dedupeKey` already recorded (or kept after a purge) | 200 `{"received":true,"duplicate":true,"id":…}` | no (already) |
 * | verified, the key of a `dead` event | 200 `{…,"duplicate":true,"requeued":true}` | queued again |
 * | verified, a queued event for the same session not yet attempted | 200 `{…,"coalesced":true}` | merged into it |
 * | verified, older than `maxEventAgeMs` (when set) | 200 `{"received":true,"stale":true}` | no |
 * | method other than POST | 405 (with `Allow: POST`) | no |
 * | `Content-Length` over the limit (refused before reading) or body passes it | 413 | no |
 * | `Content-Length` not a number (or not a string), or the body could not be read | 400 | no |
 * | the body did not arrive within `bodyTimeoutMs` | 408 | no |
 * | missing, malformed (any header value that is not a string) or wrong signature | 401 | no |
 * | sender address not allowed (Jumio source check) | 403 | no |
 * | any other verification failure (malformed body, unknown event shape) | 400 | no |
 * | the sender passed its `senderLimit` (unsigned providers) | 429 (with `Retry-After`) | no |
 * | the store failed | 503 (the provider retries) | no |
 * | the provider's `verifyWebhook` threw something other than a `WebhookVerificationError` | 500 | no |
 *
 * Verification is the provider's: Onfido's webhooks are signed, so a forged one
 * is refused here. Jumio's callbacks are not signed: by default a callback is
 * accepted only from Jumio's published addresses (`verifyCallbackSource`),
 * judged on the socket address or, behind proxies named in `trustProxy`, the
 * rightmost `X-Forwarded-For` hop that is not one of them. What a sender can
 * make the processor do is bounded: a per-sender limit (`senderLimit`),
 * claims shared out by sender, callbacks for one session merged while queued,
 * a 404 for the result ends the event after one fetch, and the host's handler
 * runs once per verdict whatever statuses the callbacks claim.
 *
 * Events that need no action (`actionable: false`, such as Onfido's
 * `check.started`) are recorded as `skipped`: they are de-duplicated and kept
 * for audit but never processed. Answer bodies are small JSON objects that hold
 * no secret and no error message.
 *
 * A route is created only for a provider that can verify its deliveries: the
 * provider's `readiness()` is asked at creation, and a problem for `webhooks`
 * (an Onfido provider without `webhookToken`) throws a `ConfigError` then,
 * rather than a 500 for every delivery while the provider retries. `ready()`
 * adds the provider's `checkConnection()`, for a host's boot. With `tenant`,
 * every event is recorded with that tenant, for operators' statistics.
 *
 * @module
 */
import type { Clock } from '../config/common';
import { ConfigError, isIdvError, WebhookVerificationError } from '../errors';
import { createObserver } from '../observability/observe';
import type { IdvLogger, IdvTracer } from '../observability/types';
import type { CallOptions, IdentityVerificationProvider, IncomingWebhook } from '../provider';
import { type BodyReadResult, DEFAULT_MAX_BODY_BYTES, declaredLength, readWebBody } from './body';
import {
  clientAddress,
  compileTrustProxy,
  joinedHeader,
  type TrustProxy,
  textHeader,
} from './client-address';
import { eventAttributes, logOutcome, observeAnswer } from './observe';
import type { WebhookProcessor } from './processor';
import { assertReadyFor, checkReady, type ProviderReady } from './readiness';
import { createSenderGate, DEFAULT_UNSIGNED_SENDER_LIMIT, type SenderLimit } from './sender-limit';
import type { EventStore, StoredEvent } from './store';
import { tenantDedupeKey } from './tenant-scope';

/** A delivery as any HTTP framework can describe it; see {@link WebhookHandler.receive}. */
export interface RawDelivery {
  /** HTTP method. */
  method: string;
  /** Request headers (names matched case-insensitively). */
  headers: IncomingWebhook['headers'];
  /**
   * The address of the direct peer (the socket's). Behind proxies named in
   * `trustProxy`, the sender's address is read from `X-Forwarded-For`.
   */
  remoteAddress?: string | undefined;
  /** Overrides the handler's `trustProxy` for this delivery (the node adapter passes its own). */
  trustProxy?: TrustProxy | undefined;
  /**
   * The request's URL (absolute, or its path and query as node:http gives
   * it), for routes that read the tenant from it (`createTenantWebhookHandler`).
   */
  url?: string | undefined;
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

/** What happened to one request, for logs and metrics; `tenant` names the tenant the route received for, when it has one. */
export type IntakeOutcome = (
  | {
      /** The event was verified and is recorded (now, or earlier for a duplicate). */
      result: 'recorded';
      status: 200;
      /** The stored record. */
      event: StoredEvent;
      /** `true` when the dedupe key was already recorded. */
      duplicate: boolean;
      /** `true` when it was the key of a dead event, now queued again. */
      requeued: boolean;
      /** `true` when it was merged into a queued event for the same session. */
      coalesced: boolean;
      /** The sender's address as judged (after any trusted proxy). */
      sender: string | undefined;
    }
  | {
      /** The event was verified and answered 200, but not recorded: older than `maxEventAgeMs`. */
      result: 'ignored';
      status: 200;
      reason: 'stale_event';
    }
  | {
      /** The request was refused and nothing was stored. */
      result: 'refused';
      status: 400 | 401 | 403 | 404 | 405 | 408 | 413 | 429;
      /**
       * Short token: `method_not_allowed`, `payload_too_large`, `body_timeout`,
       * `rate_limited`, `unknown_tenant` (a tenant route, 404), or the
       * verification error's `reason`.
       */
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
    }
) & {
  /** The tenant of the route (its `tenant` option, or the tenant a tenant route found). */
  tenant?: string | undefined;
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
  /**
   * How long the body may take to arrive, milliseconds; then 408. Default
   * 10 000. (The node adapter applies its own `bodyTimeoutMs` on the socket.)
   */
  bodyTimeoutMs?: number | undefined;
  /**
   * Proxies in front of this route whose `X-Forwarded-For` is believed (see
   * {@link TrustProxy}): `['127.0.0.1']` for an NGINX on the same host,
   * `['10.0.0.0/8']` for a load balancer in your network. The sender is the
   * rightmost hop that is not one of them, and only when the request came
   * from one of them. Default: none, the socket address is the sender.
   */
  trustProxy?: TrustProxy | undefined;
  /**
   * Events one sender may record: `{ burst, perSecond }`, or `false` for no
   * limit. Default `{ burst: 100, perSecond: 20 }` for providers whose
   * callbacks are not signed (Jumio), none for signed ones (Onfido). Counts
   * only verified events; a sender over it is answered 429 with `Retry-After`.
   */
  senderLimit?: SenderLimit | false | undefined;
  /**
   * Merge an event into a queued event for the same session that has not been
   * attempted yet (the processor fetches the latest result anyway), instead of
   * recording one event per callback. Default `true`.
   */
  coalesce?: boolean | undefined;
  /**
   * Answer 200 but record nothing for an event whose provider time
   * (`occurredAt`, e.g. Onfido's `completed_at_iso8601`, inside the signed
   * body) is older than this, milliseconds. A captured webhook replayed later
   * is then ignored even after its key was forgotten. Default: no limit.
   */
  maxEventAgeMs?: number | undefined;
  /**
   * The tenant this route receives for (a brand, a customer of yours with
   * its own provider account), recorded with every event so operators see
   * the intake per tenant (`stats()`, `idv-providers intake stats`), and
   * the processor finds the tenant's provider (`createProcessor({ tenants })`).
   * Its events' de-duplication keys are the tenant's own, and a delivery is
   * never merged into another tenant's queued event. Default: none. For many
   * tenants on one route, see `createTenantWebhookHandler`.
   */
  tenant?: string | undefined;
  /** Time source for `receivedAt`. Default the system clock. */
  clock?: Pick<Clock, 'now'> | undefined;
  /** Called once per request with what happened (never throws into the request). */
  onOutcome?: ((outcome: IntakeOutcome) => void) | undefined;
  /** Where refused deliveries, store failures and a failing `onOutcome` are logged. Default: nowhere. */
  logger?: IdvLogger | undefined;
  /**
   * The tracer of the route's spans (`idv.intake.webhook`, `idv.intake.record`),
   * `false` for none. Default: the global one of `@opentelemetry/api`, if installed.
   */
  tracer?: IdvTracer | false | undefined;
}

/**
 * What the framework adapters (`toNodeListener`, Express, Fastify, Hono) need
 * of a route: a {@link WebhookHandler}, or a tenant route
 * (`createTenantWebhookHandler`).
 */
export interface WebhookRoute {
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

/**
 * A webhook route: takes a Web `Request`, returns a `Response`. Mount one per
 * provider (`POST /webhooks/onfido`, `POST /callbacks/jumio`).
 */
export interface WebhookHandler extends WebhookRoute {
  /**
   * The boot-time check for this route: the provider's configuration for
   * webhooks (checked already when the handler was created) and its
   * `checkConnection()`. Rejects with a `ConfigError`, or the provider's
   * error (credentials refused, unreachable). Run it before listening.
   */
  ready(options?: CallOptions): Promise<ProviderReady>;
}

const SIGNATURE_REASONS: ReadonlySet<string> = new Set([
  'missing_signature',
  'malformed_signature',
  'bad_signature',
]);
const SENDER_REASONS: ReadonlySet<string> = new Set(['unknown_sender']);

/**
 * The status a refused webhook gets: 401 when its signature is missing,
 * malformed or wrong; 403 when its sender address is not allowed; 413 when
 * the provider found the body too large; 400 for everything else (a malformed
 * or unexpected body).
 */
export function verificationStatus(error: WebhookVerificationError): 400 | 401 | 403 | 413 {
  if (SIGNATURE_REASONS.has(error.reason) || error.reason.endsWith('_signature')) return 401;
  if (SENDER_REASONS.has(error.reason)) return 403;
  if (error.reason === 'payload_too_large') return 413;
  return 400;
}

/** The error a body read rejects with when its deadline passes. */
export class BodyTimeoutError extends Error {
  override name = 'BodyTimeoutError' as const;
}

function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new BodyTimeoutError(`the body did not arrive within ${ms} ms`)),
      ms,
    );
    timer.unref?.();
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
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
 * The Web-standard side of a route: builds the delivery from a `Request`
 * (its URL included), hands it to `receive`, and answers. A body the answer
 * did not need is cancelled; one still arriving past its deadline is not read
 * any further.
 */
export function webRoute(
  receive: (delivery: RawDelivery) => Promise<IntakeAnswer>,
): (request: Request, context?: { remoteAddress?: string | undefined }) => Promise<Response> {
  return async (request, context = {}) => {
    let consumed = false;
    const reading = new AbortController();
    const result = await receive({
      method: request.method,
      headers: request.headers,
      remoteAddress: context.remoteAddress,
      url: request.url,
      readBody: (limit) => {
        consumed = true;
        return readWebBody(request.body, limit, reading.signal);
      },
    });
    if (!consumed) await request.body?.cancel().catch(() => {});
    // A body still arriving when its deadline passed is not read any further.
    else if (result.status === 408) reading.abort();
    return new Response(JSON.stringify(result.body), {
      status: result.status,
      headers: result.headers,
    });
  };
}

/**
 * The body and age limits of a route, checked: a `ConfigError` for one that
 * is not a positive number. Shared with the tenant route, which checks them
 * when it is created rather than at a tenant's first delivery.
 */
export function handlerLimits(
  options: Pick<WebhookHandlerOptions, 'maxBodyBytes' | 'bodyTimeoutMs' | 'maxEventAgeMs'>,
): { maxBodyBytes: number; bodyTimeoutMs: number; maxEventAgeMs: number | undefined } {
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  if (!Number.isInteger(maxBodyBytes) || maxBodyBytes <= 0) {
    throw new ConfigError('[idv] [intake] option "maxBodyBytes" must be a positive integer', {
      option: 'maxBodyBytes',
    });
  }
  const bodyTimeoutMs = options.bodyTimeoutMs ?? 10_000;
  if (!Number.isFinite(bodyTimeoutMs) || bodyTimeoutMs <= 0) {
    throw new ConfigError('[idv] [intake] option "bodyTimeoutMs" must be a positive number', {
      option: 'bodyTimeoutMs',
    });
  }
  const maxEventAgeMs = options.maxEventAgeMs;
  if (maxEventAgeMs !== undefined && (!Number.isFinite(maxEventAgeMs) || maxEventAgeMs <= 0)) {
    throw new ConfigError('[idv] [intake] option "maxEventAgeMs" must be a positive number', {
      option: 'maxEventAgeMs',
    });
  }
  return { maxBodyBytes, bodyTimeoutMs, maxEventAgeMs };
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
  const { maxBodyBytes, bodyTimeoutMs, maxEventAgeMs } = handlerLimits(options);
  const tenant = options.tenant;
  if (tenant !== undefined && (typeof tenant !== 'string' || tenant.trim() === '')) {
    throw new ConfigError('[idv] [intake] option "tenant" must be a non-empty string', {
      option: 'tenant',
    });
  }
  // What verifying a delivery needs (Onfido: the webhook token) is checked now, not at the first webhook.
  assertReadyFor(provider, ['webhooks'], 'createWebhookHandler');
  const trusted = compileTrustProxy(options.trustProxy);
  const signed = provider.capabilities?.signedWebhooks !== false;
  const limit =
    options.senderLimit === undefined
      ? signed
        ? undefined
        : DEFAULT_UNSIGNED_SENDER_LIMIT
      : options.senderLimit === false
        ? undefined
        : options.senderLimit;
  const gate = limit === undefined ? undefined : createSenderGate(limit);
  const coalesce = options.coalesce ?? true;
  const now = options.clock === undefined ? () => Date.now() : () => options.clock!.now();
  const observer = createObserver(options);

  const report = (outcome: IntakeOutcome): void => {
    const told = tenant === undefined ? outcome : { ...outcome, tenant };
    logOutcome(observer, told, provider.name);
    try {
      options.onOutcome?.(told);
    } catch {
      // An observer's failure must not change the answer.
      observer.log('warn', 'idv intake onOutcome threw', { 'idv.provider': provider.name });
    }
  };
  const refuse = (
    status: 400 | 401 | 403 | 404 | 405 | 408 | 413 | 429,
    reason: string,
    error?: WebhookVerificationError,
    extra: Record<string, string> = {},
  ): IntakeAnswer => {
    report({ result: 'refused', status, reason, ...(error === undefined ? {} : { error }) });
    const headers: Record<string, string> = { ...extra };
    if (status === 405) headers['allow'] = 'POST';
    return answer(status, { error: reason }, headers);
  };

  const senderOf = (delivery: RawDelivery): string | undefined => {
    const peer = typeof delivery.remoteAddress === 'string' ? delivery.remoteAddress : undefined;
    const check =
      delivery.trustProxy === undefined ? trusted : compileTrustProxy(delivery.trustProxy);
    const forwarded = joinedHeader(delivery.headers, 'x-forwarded-for');
    return clientAddress(peer, typeof forwarded === 'string' ? forwarded : undefined, check);
  };

  const receiveOne = async (delivery: RawDelivery): Promise<IntakeAnswer> => {
    if (typeof delivery.method !== 'string' || delivery.method.toUpperCase() !== 'POST') {
      return refuse(405, 'method_not_allowed');
    }
    const lengthHeader = textHeader(delivery.headers, 'content-length');
    if (lengthHeader === null) return refuse(400, 'invalid_content_length');
    const length = declaredLength(lengthHeader);
    if (Number.isNaN(length)) return refuse(400, 'invalid_content_length');
    if (length !== undefined && length > maxBodyBytes) return refuse(413, 'payload_too_large');

    let read: BodyReadResult;
    try {
      read = await withDeadline(delivery.readBody(maxBodyBytes), bodyTimeoutMs);
    } catch (error) {
      if (
        error instanceof BodyTimeoutError ||
        (error as { name?: unknown })?.name === 'BodyTimeoutError'
      ) {
        return refuse(408, 'body_timeout');
      }
      return refuse(400, 'body_unreadable');
    }
    if (!read.ok) return refuse(413, 'payload_too_large');

    const sender = senderOf(delivery);
    let event: Awaited<ReturnType<IdentityVerificationProvider['verifyWebhook']>>;
    try {
      event = await provider.verifyWebhook({
        body: read.bytes,
        headers: delivery.headers,
        ...(sender === undefined ? {} : { remoteAddress: sender }),
      });
    } catch (error) {
      if (isVerificationError(error)) {
        return refuse(verificationStatus(error), error.reason, error);
      }
      report({ result: 'failed', status: 500, error });
      return answer(500, { error: 'internal_error' });
    }

    const receivedAt = now();
    if (maxEventAgeMs !== undefined && event.occurredAt !== undefined) {
      const occurred = Date.parse(event.occurredAt);
      if (Number.isFinite(occurred) && receivedAt - occurred > maxEventAgeMs) {
        report({ result: 'ignored', status: 200, reason: 'stale_event' });
        return answer(200, { received: true, stale: true });
      }
    }
    if (gate !== undefined) {
      const allowed = gate(sender ?? 'unknown', receivedAt);
      if (!allowed.ok) {
        return refuse(429, 'rate_limited', undefined, {
          'retry-after': String(Math.max(1, Math.ceil(allowed.retryAfterMs / 1000))),
        });
      }
    }

    let recorded: Awaited<ReturnType<EventStore['insertIfAbsent']>>;
    try {
      const input = {
        event:
          tenant === undefined
            ? event
            : { ...event, dedupeKey: tenantDedupeKey(tenant, event.dedupeKey) },
        state: event.actionable ? ('queued' as const) : ('skipped' as const),
        now: receivedAt,
        ...(sender === undefined ? {} : { source: sender }),
        ...(tenant === undefined ? {} : { tenant }),
      };
      recorded = await observer.span(
        'idv.intake.record',
        eventAttributes({ ...event, tenant }),
        async (scope) => {
          let stored = await store.insertIfAbsent({ ...input, coalesce });
          // Stores merge by session alone: never into another tenant's event (a merge writes nothing).
          if (stored.coalesced === true && stored.event.tenant !== tenant) {
            stored = await store.insertIfAbsent({ ...input, coalesce: false });
          }
          scope.set({ 'idv.event.id': stored.event.id, 'idv.intake.inserted': stored.inserted });
          return stored;
        },
      );
    } catch (error) {
      report({ result: 'failed', status: 503, error });
      return answer(503, { error: 'store_unavailable' }, { 'retry-after': '5' });
    }

    const requeued = recorded.requeued === true;
    const coalesced = recorded.coalesced === true;
    if ((recorded.inserted || requeued) && recorded.event.state === 'queued') {
      try {
        options.processor?.nudge();
      } catch {
        // The poll picks the event up anyway.
        observer.log('debug', 'idv intake nudge threw', { 'idv.provider': provider.name });
      }
    }
    const duplicate = !recorded.inserted && !coalesced;
    report({
      result: 'recorded',
      status: 200,
      event: recorded.event,
      duplicate,
      requeued,
      coalesced,
      sender,
    });
    return answer(200, {
      received: true,
      duplicate,
      id: recorded.event.id,
      ...(requeued ? { requeued: true } : {}),
      ...(coalesced ? { coalesced: true } : {}),
    });
  };

  const receive = (delivery: RawDelivery): Promise<IntakeAnswer> =>
    observer.span(
      'idv.intake.webhook',
      { 'idv.provider': provider.name, 'idv.tenant': tenant },
      async (scope) => observeAnswer(scope, await receiveOne(delivery)),
    );
  const handler = webRoute(receive);

  return Object.assign(handler, {
    receive,
    maxBodyBytes,
    ready: (call: CallOptions = {}) => checkReady(provider, ['webhooks'], call),
  });
}
