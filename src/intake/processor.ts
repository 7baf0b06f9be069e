/**
 * The processor: claims recorded events, fetches each result, downloads its
 * documents and selfies, and calls the host's handler.
 *
 * ## What is guaranteed
 *
 * - **Nothing recorded is lost.** The intake answers 2xx only after the event
 *   is in the store, so an event survives a process that dies between the answer
 *   and the processing: any processor on the same store picks it up.
 * - **One event per dedupe key.** A second delivery of the same event is not
 *   recorded again, so it never reaches the handler a second time (the key is
 *   kept after a purge: see `EventStore.purge`).
 * - **One handler run per verdict.** Before calling the handler, the processor
 *   looks up the result's {@link ResultDelivery.resultKey} (provider, subject
 *   and attempt ids, status, reasons, completion time); when an earlier event
 *   delivered that same verdict, the event is marked done without calling the
 *   handler or downloading anything. So callbacks about one session that claim
 *   other statuses (a Jumio callback is unsigned) cost one result fetch each,
 *   never another handler run.
 * - **The handler succeeds once per event, at least once.** An event is
 *   marked `done` only after the handler's promise resolves; a handler that
 *   rejects (or runs past `handlerTimeoutMs`) is run again on the next attempt.
 *   If the process dies while the handler runs (or after it resolves but
 *   before `done` is written), or is paused past its lease (`SIGSTOP`, a long
 *   GC pause, a suspended VM), the event's lease expires and another worker
 *   runs the handler again, with a higher `attempt` and `fencingToken`; the
 *   paused one may still finish afterwards. Two events about one session
 *   processed at the same moment may both reach the handler with the same
 *   `resultKey`. Make the handler idempotent on `resultKey` (for example, a
 *   unique column), check `isCurrent()` before an irreversible step, or fence
 *   your writes with `fencingToken`. While a handler runs, its lease is
 *   renewed every `leaseMs / 3`; if renewal fails (the store is unreachable
 *   for a whole lease), the handler's `signal` is aborted.
 *
 * ## Retries, rejections and dead letters
 *
 * Up to `concurrency` events are processed at once; a slow one does not hold
 * up the others, since a new event is claimed as soon as a slot frees. Claims
 * share work out by sender (see `EventStore.claim`).
 *
 * Every claim is an attempt. A failure (the provider's API, a download, or the
 * handler throwing) requeues the event after an exponential backoff with
 * jitter (`backoffDelay`), for at least `retryWindowMs` (72 hours by default:
 * the providers document no redelivery window of their own), counted as
 * `maxAttempts`. Then the event is dead-lettered with its last error: an
 * `IdvError`'s message (never a secret), or only `name: message` for other
 * errors. Dead letters are listed by {@link WebhookProcessor.listDeadLetters}
 * and requeued by {@link WebhookProcessor.redrive}, or by the provider
 * delivering the event again.
 *
 * A result the provider answers 404 for (`NotFoundError` from `getResult`:
 * the session does not exist, as for a forged callback naming made-up ids) is
 * final: the event ends at once as `skipped` with the reason, after one
 * result fetch, and is never retried or dead-lettered.
 *
 * An event whose claim was the last allowed attempt and whose worker died (the
 * lease ran out with nothing recorded) is dead-lettered when next claimed,
 * without running the handler again, so an event that crashes the process
 * cannot crash it forever.
 *
 * A result that is still `pending` is not a failure: the event is requeued
 * after a separate, slower backoff and the attempt is given back, so a long
 * manual review does not use up `maxAttempts`. After `maxPendingChecks` such
 * checks the event is dead-lettered.
 *
 * ## Deadlines
 *
 * {@link WebhookProcessor.track} records a started session's deadline in the
 * store, due when its link runs out (plus `expiryCheckDelayMs`). Onfido sends
 * no webhook for a link that ran out unused, so without it a backend that
 * waits for webhooks never learns of it. A deadline is claimed, retried and
 * dead-lettered like a webhook and reaches the same handler:
 *
 * - a final result is delivered as it is (a verdict a webhook already
 *   delivered is not delivered again);
 * - a session still shown as not finished is re-checked (the pending
 *   backoff, never past the grace) until `expiryGraceMs` after the deadline,
 *   then delivered as the processor's own `EXPIRED` result ({@link expiredAtDeadline});
 * - a session the provider moved on to another attempt (the customer
 *   submitted and an Onfido check runs) is followed like any pending result.
 *
 * Every `EXPIRED` verdict of one session attempt has the same `resultKey`
 * (see {@link resultKeyOf}), so Jumio's `TOKEN_EXPIRED` and `SESSION_EXPIRED`
 * callbacks and the deadline reach the handler once between them.
 *
 * Within one processor, events about one identity (the same subject id, or
 * attempt id when the event names no subject) are processed one after
 * another, never at the same moment, so a callback and a deadline for one
 * session that fall due together cannot both deliver the verdict.
 *
 * ## Tenants
 *
 * With `tenants` (a `ProviderSet`), an event recorded for a tenant is
 * processed with that tenant's provider, looked up when the event is claimed
 * and kept for the whole attempt (a reload meanwhile changes the next
 * attempt, not this one), and never with another tenant's: one whose tenant
 * is no longer configured, or whose provider is now another one, fails with a
 * `ConfigError` naming the tenant and is retried. Its verdict's `resultKey`
 * and the identity it is serialised under are the tenant's own.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { systemClock } from '../config/common';
import { ConfigError, InvalidInputError, isIdvError } from '../errors';
import { createObserver, errorAttributes, logFieldsOf } from '../observability/observe';
import { sessionAttributes } from '../observability/provider';
import { statusForReason } from '../outcome';
import type {
  DocumentDownload,
  IdentityVerificationProvider,
  VerificationResult,
} from '../provider';
import { type BackoffOptions, backoffDelay } from '../shared/retry';
import { processObserver } from './observe';
import type {
  DrainSummary,
  ProcessorOptions,
  ResultDelivery,
  ResultHandler,
  TenantProviders,
  TrackedDeadline,
  TrackOptions,
  WebhookProcessor,
} from './processor-types';
import { assertReadyFor, checkReady, type ProviderReady } from './readiness';
import { type ClaimedEvent, mergeSession, type StoredEvent } from './store';
import { tenantDedupeKey } from './tenant-scope';

export type {
  DrainSummary,
  ProcessorOptions,
  ResultDelivery,
  ResultHandler,
  TenantProviders,
  TrackedDeadline,
  TrackOptions,
  WebhookProcessor,
};

/** The `type` of the deadline events {@link WebhookProcessor.track} records. */
export const DEADLINE_EVENT_TYPE = 'deadline';

/** Default retry window: 72 hours. */
export const DEFAULT_RETRY_WINDOW_MS = 72 * 3600 * 1000;

/** A failure reduced to a message that holds no secret. */
export function describeFailure(error: unknown): string {
  if (isIdvError(error)) return error.message;
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return `non-error value thrown: ${typeof error}`;
}

function positive(name: string, value: number, allowInfinity = false): number {
  const ok = allowInfinity && value === Number.POSITIVE_INFINITY;
  if (!ok && (!Number.isFinite(value) || value <= 0)) {
    throw new ConfigError(`[idv] [intake] option "${name}" must be a positive number`, {
      option: name,
    });
  }
  return value;
}

/**
 * The attempts whose shortest backoff waits (half of each ceiling: the jitter
 * never waits less) add up to at least `windowMs`.
 */
export function attemptsForWindow(windowMs: number, backoff: BackoffOptions): number {
  let waited = 0;
  let attempts = 1;
  while (waited < windowMs && attempts < 100_000) {
    waited += backoffDelay(attempts - 1, () => 0, backoff);
    attempts += 1;
  }
  return attempts;
}

/**
 * The key of a verdict: the same for every fetch of one result of one session,
 * whatever event led to it. Provider name, then a digest of the subject and
 * attempt ids, status, reasons and completion time.
 *
 * An `EXPIRED` verdict (the primary reason) is keyed by the session attempt
 * alone: Jumio's `TOKEN_EXPIRED` and `SESSION_EXPIRED` callbacks, a deadline
 * and the processor's own `EXPIRED` name one expiry, whatever status a
 * policy gave it or time the provider stamped. A session with no attempt id
 * (an Onfido applicant whose link ran out unused) adds the deadline's time,
 * so a later link for the same applicant expires on its own. An event
 * recorded for a tenant adds the tenant: two tenants' verdicts never share a key.
 */
export function resultKeyOf(event: StoredEvent, result: VerificationResult): string {
  const subject = result.session.subjectId ?? event.session.subjectId ?? null;
  const attempt = result.session.attemptId ?? event.session.attemptId ?? null;
  const parts =
    result.reason === 'EXPIRED'
      ? [subject, attempt, 'EXPIRED', attempt === null ? (event.deadline ?? null) : null]
      : [subject, attempt, result.status, result.reasons, result.completedAt ?? null];
  const keyed = event.tenant === undefined ? parts : [{ tenant: event.tenant }, ...parts];
  const digest = createHash('sha256').update(JSON.stringify(keyed)).digest('base64url');
  return `${event.provider}:${digest}`;
}

/**
 * The processor's own result for a deadline whose session the provider still
 * shows as not finished after the grace: `EXPIRED`, status `retry` (the
 * outcome model's rule; the provider's `policy` is the provider's and is not
 * asked), the ids tracked (filled in from the provider's answer), no person,
 * the provider's labels and an `intake.deadline` label with the time the link
 * ran out.
 */
export function expiredAtDeadline(
  event: StoredEvent,
  pending: VerificationResult,
): VerificationResult {
  return {
    provider: event.provider,
    session: mergeSession(event.session, pending.session),
    status: statusForReason('EXPIRED', false),
    reason: 'EXPIRED',
    reasons: ['EXPIRED'],
    statusSource: 'mapping',
    person: null,
    providerLabels: [
      ...pending.providerLabels,
      // When the link ran out (what track() recorded), else when the deadline fell due.
      {
        source: 'intake.deadline',
        value: event.occurredAt ?? new Date(event.deadline ?? 0).toISOString(),
      },
    ],
  };
}

/**
 * `true` when the provider's answer names an attempt the tracked session did
 * not: the customer used the link and the provider is at work on it (an
 * Onfido check), so the link's expiry no longer matters.
 */
function movedOn(event: StoredEvent, result: VerificationResult): boolean {
  const attempt = result.session.attemptId;
  return attempt !== undefined && attempt !== event.session.attemptId;
}

/** What groups the events about one identity, processed one after another (see the module description). */
function identityKey(event: StoredEvent): string | undefined {
  const { subjectId, attemptId } = event.session;
  if (subjectId === undefined && attemptId === undefined) return undefined;
  return JSON.stringify([
    event.provider,
    subjectId ?? null,
    subjectId === undefined ? attemptId : null,
    event.tenant ?? null,
  ]);
}

/** Why a wait was cut short: the signal's reason as an Error. */
function reasonOf(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('the attempt was aborted');
}

/** Resolves with `work`, or rejects as soon as `signal` aborts (leaving `work` to settle unobserved). */
function unlessAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    work.catch(() => {});
    return Promise.reject(reasonOf(signal));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(reasonOf(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

const sleep = (ms: number) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    timer.unref?.();
  });

/**
 * Creates a processor over a store. Run it in-process with `start()`, or call
 * `drain()` from a scheduled job.
 *
 * @example
 * ```ts
 * const processor = createProcessor({
 *   store,
 *   providers: [idv],
 *   handler: async ({ resultKey, result, documents }) => {
 *     await saveResultOnce(resultKey, result);
 *     for (const doc of documents) await saveFile(doc.fileName, doc.body);
 *   },
 * });
 * processor.start();
 * ```
 */
export function createProcessor(options: ProcessorOptions): WebhookProcessor {
  const { store, handler } = options;
  const clock = options.clock ?? systemClock;
  const list =
    options.providers === undefined
      ? []
      : Array.isArray(options.providers)
        ? options.providers
        : [options.providers];
  const providers = new Map(
    (list as IdentityVerificationProvider[]).map((provider) => [provider.name, provider]),
  );
  const tenants: TenantProviders | undefined = options.tenants;
  if (list.length === 0 && tenants === undefined) {
    throw new ConfigError(
      '[idv] [intake] createProcessor needs "providers" or "tenants" (a provider set)',
      { option: 'providers' },
    );
  }
  const backoff = { baseMs: 1000, capMs: 3_600_000, ...options.backoff };
  const retryWindowMs = positive('retryWindowMs', options.retryWindowMs ?? DEFAULT_RETRY_WINDOW_MS);
  const maxAttempts = positive(
    'maxAttempts',
    options.maxAttempts ?? attemptsForWindow(retryWindowMs, backoff),
    true,
  );
  const maxPendingChecks = positive('maxPendingChecks', options.maxPendingChecks ?? 30);
  const leaseMs = positive('leaseMs', options.leaseMs ?? 60_000);
  const concurrency = positive('concurrency', options.concurrency ?? 4);
  const pollIntervalMs = positive('pollIntervalMs', options.pollIntervalMs ?? 1000);
  const handlerTimeoutMs = positive('handlerTimeoutMs', options.handlerTimeoutMs ?? 120_000);
  const stopTimeoutMs = positive('stopTimeoutMs', options.stopTimeoutMs ?? 10_000);
  const pendingBackoff = { baseMs: 30_000, capMs: 900_000, ...options.pendingBackoff };
  const downloadDocuments = options.downloadDocuments ?? true;
  const keepAlive = options.keepAlive ?? true;
  const expiryCheckDelayMs = options.expiryCheckDelayMs ?? 60_000;
  if (!Number.isFinite(expiryCheckDelayMs) || expiryCheckDelayMs < 0) {
    throw new ConfigError(
      '[idv] [intake] option "expiryCheckDelayMs" must be a number of milliseconds',
      { option: 'expiryCheckDelayMs' },
    );
  }
  const expiryGraceMs = options.expiryGraceMs ?? 15 * 60_000;
  if (!Number.isFinite(expiryGraceMs) || expiryGraceMs < 0) {
    throw new ConfigError(
      '[idv] [intake] option "expiryGraceMs" must be a number of milliseconds',
      {
        option: 'expiryGraceMs',
      },
    );
  }
  // What fetching results needs is checked now, not at the first event.
  for (const provider of providers.values())
    assertReadyFor(provider, ['results'], 'createProcessor');
  /** The last event in progress per identity: the next one about it waits for it. */
  const tails = new Map<string, Promise<void>>();
  const observer = createObserver(options);
  const attempts = processObserver(observer);
  /** Tenant providers already found ready for results (checked once per provider instance). */
  const readyTenantProviders = new WeakSet<IdentityVerificationProvider>();

  /**
   * The provider of a tenant, for an event or a deadline naming `provider`:
   * the tenant's provider now, which must be that provider and ready for results.
   */
  async function tenantProvider(
    set: TenantProviders,
    tenant: string,
    provider: string,
  ): Promise<IdentityVerificationProvider> {
    const found = await set.provider(tenant);
    if (found.name !== provider) {
      throw new ConfigError(
        `[idv] [intake] tenant ${JSON.stringify(tenant)} is configured with provider ${JSON.stringify(found.name)}, not ${JSON.stringify(provider)} as its event names`,
        { option: 'tenants', provider },
      );
    }
    if (!readyTenantProviders.has(found)) {
      assertReadyFor(found, ['results'], `tenant ${JSON.stringify(tenant)}`);
      readyTenantProviders.add(found);
    }
    return found;
  }

  /** The provider an event is processed with: its tenant's (with `tenants`), else the one of its name. */
  async function providerFor(event: StoredEvent): Promise<IdentityVerificationProvider> {
    if (event.tenant !== undefined && tenants !== undefined) {
      return tenantProvider(tenants, event.tenant, event.provider);
    }
    const provider = providers.get(event.provider);
    if (provider === undefined) {
      throw new ConfigError(
        event.tenant === undefined && tenants !== undefined && list.length === 0
          ? `[idv] [intake] the event names no tenant, and the processor was given only tenants`
          : `[idv] [intake] the event names provider ${JSON.stringify(event.provider)}, which the processor was not given`,
        { option: 'providers' },
      );
    }
    return provider;
  }

  let timer: ReturnType<typeof setTimeout> | undefined;
  let running = false;
  let round: Promise<void> | undefined;
  let again = false;
  /** The abort controllers of the events in progress, for `stop()`. */
  const inProgress = new Set<AbortController>();

  const notify = (error: unknown, event: StoredEvent) => {
    attempts.failed(event, error);
    try {
      options.onError?.(error, event);
    } catch {
      // An observer's failure must not stop processing.
      observer.log('warn', 'idv processor onError threw', { 'idv.event.id': event.id });
    }
  };

  async function openDocuments(
    provider: IdentityVerificationProvider,
    result: VerificationResult,
    signal: AbortSignal,
    opened: DocumentDownload[],
  ): Promise<void> {
    if (!downloadDocuments) return;
    let infos: Awaited<ReturnType<IdentityVerificationProvider['listDocuments']>>;
    try {
      infos = await unlessAborted(provider.listDocuments(result.session, { signal }), signal);
    } catch (error) {
      // No documents stored (never captured, or already deleted): nothing to download.
      if (isIdvError(error) && error.code === 'not_found') return;
      throw error;
    }
    for (const info of infos) {
      opened.push(await unlessAborted(provider.downloadDocument(info, { signal }), signal));
    }
  }

  /**
   * Runs one claimed event to its next state; returns what happened. `after`
   * is the work on an earlier event about the same identity, waited for first.
   */
  async function processOne(
    event: ClaimedEvent,
    after?: Promise<void>,
  ): Promise<keyof DrainSummary> {
    const { id, leaseToken } = event;
    if (event.attempts > maxAttempts) {
      await store.deadLetter(id, leaseToken, {
        now: clock.now(),
        error: `the lease expired on the last allowed attempt (${maxAttempts}); last error: ${event.lastError ?? 'none'}`,
      });
      return 'deadLettered';
    }
    const lease = new AbortController();
    inProgress.add(lease);
    const signal = lease.signal;
    const renew = setInterval(
      () => {
        store
          .extendLease(id, leaseToken, clock.now() + leaseMs, clock.now())
          .then((held) => {
            if (!held) lease.abort(new Error('the lease on this event was lost'));
          })
          .catch(() => {
            observer.log('warn', 'idv processor could not renew a lease', { 'idv.event.id': id });
          });
      },
      Math.max(10, Math.floor(leaseMs / 3)),
    );
    renew.unref?.();
    const documents: DocumentDownload[] = [];
    let handlerTimer: ReturnType<typeof setTimeout> | undefined;
    try {
      if (after !== undefined) await unlessAborted(after, signal);
      // Found once per attempt: a reload of the tenants meanwhile changes the next attempt, not this one.
      const provider = await unlessAborted(providerFor(event), signal);
      let result: VerificationResult;
      try {
        result = await unlessAborted(provider.getResult(event.session, { signal }), signal);
      } catch (error) {
        if (!isIdvError(error) || error.code !== 'not_found') throw error;
        // The provider does not know the session: nothing will change by asking again.
        notify(error, event);
        await store.reject(id, leaseToken, {
          now: clock.now(),
          error: `unknown session: ${describeFailure(error)}`,
        });
        return 'rejected';
      }
      let ownExpiry = false;
      attempts.result(event, result, false);
      if (result.status === 'pending' && event.deadline !== undefined && !movedOn(event, result)) {
        const now = clock.now();
        const graceEnd = event.deadline + expiryGraceMs;
        if (now < graceEnd) {
          // The customer may still be capturing, or the provider's clock runs behind: look again.
          const delay = Math.min(
            backoffDelay(event.pendingChecks, clock.random, pendingBackoff),
            graceEnd - now,
          );
          await store.defer(id, leaseToken, { now, nextAttemptAt: now + delay });
          return 'deferred';
        }
        result = expiredAtDeadline(event, result);
        ownExpiry = true;
        attempts.result(event, result, true);
      }
      if (result.status === 'pending') {
        if (event.pendingChecks + 1 >= maxPendingChecks) {
          await store.deadLetter(id, leaseToken, {
            now: clock.now(),
            error: `the result was still pending after ${maxPendingChecks} checks`,
          });
          return 'deadLettered';
        }
        const delay = backoffDelay(event.pendingChecks, clock.random, pendingBackoff);
        await store.defer(id, leaseToken, { now: clock.now(), nextAttemptAt: clock.now() + delay });
        return 'deferred';
      }
      const resultKey = resultKeyOf(event, result);
      const deliveredBy = await store.deliveredResult(resultKey);
      if (deliveredBy !== undefined && deliveredBy !== id) {
        // This verdict already reached the handler through another event.
        await store.complete(id, leaseToken, clock.now(), undefined, result.session);
        return 'completed';
      }
      // The processor's own EXPIRED: nothing was checked, so there is nothing to download.
      if (!ownExpiry) await openDocuments(provider, result, signal, documents);
      handlerTimer = setTimeout(
        () => lease.abort(new Error(`the handler did not finish within ${handlerTimeoutMs} ms`)),
        handlerTimeoutMs,
      );
      handlerTimer.unref?.();
      const delivery: ResultDelivery = {
        eventId: id,
        attempt: event.attempts,
        resultKey,
        fencingToken: event.fencingToken,
        leaseToken,
        isCurrent: () =>
          store.extendLease(id, leaseToken, clock.now() + leaseMs, clock.now()).catch(() => false),
        event: strip(event),
        ...(event.tenant === undefined ? {} : { tenant: event.tenant }),
        result,
        documents,
        signal,
      };
      await unlessAborted(
        observer.span(
          'idv.intake.handler',
          { 'idv.event.id': id, 'idv.intake.documents': documents.length },
          async () => handler(delivery),
        ),
        signal,
      );
      clearTimeout(handlerTimer);
      const done = await store.complete(id, leaseToken, clock.now(), resultKey, result.session);
      if (!done) notify(new Error('the event was completed after its lease was lost'), event);
      return 'completed';
    } catch (error) {
      notify(error, event);
      const message = describeFailure(error);
      if (event.attempts >= maxAttempts) {
        await store.deadLetter(id, leaseToken, { now: clock.now(), error: message });
        return 'deadLettered';
      }
      const delay = stopping ? 0 : backoffDelay(event.attempts - 1, clock.random, backoff);
      await store.retry(id, leaseToken, {
        now: clock.now(),
        nextAttemptAt: clock.now() + delay,
        error: message,
      });
      return 'retried';
    } finally {
      clearInterval(renew);
      if (handlerTimer !== undefined) clearTimeout(handlerTimer);
      inProgress.delete(lease);
      for (const download of documents) {
        if (!download.body.destroyed && !download.body.readableEnded) download.body.destroy();
      }
    }
  }

  /**
   * Keeps up to `concurrency` events in progress, claiming more as each one
   * finishes, until nothing is due and nothing is in progress (or `proceed`
   * says to stop claiming).
   */
  async function runRound(summary: DrainSummary, proceed: () => boolean): Promise<void> {
    const inFlight = new Set<Promise<void>>();
    for (;;) {
      if (proceed() && inFlight.size < concurrency) {
        const limit = concurrency - inFlight.size;
        const claimedAt = Date.now();
        const batch = await store.claim({ now: clock.now(), leaseMs, limit });
        // A span for a claim that found events: polls that find none make no span.
        if (batch.length > 0) {
          observer.mark('idv.intake.claim', { 'idv.intake.claimed': batch.length }, claimedAt);
        }
        for (const event of batch) {
          const key = identityKey(event);
          const after = key === undefined ? undefined : tails.get(key);
          const work: Promise<void> = attempts
            .process(event, () => processOne(event, after))
            .then(
              (outcome) => {
                summary[outcome] += 1;
              },
              // The store failed while recording the outcome: the lease expires and the event is retried.
              (error: unknown) => notify(error, event),
            )
            .finally(() => {
              inFlight.delete(work);
              if (key !== undefined && tails.get(key) === work) tails.delete(key);
            });
          inFlight.add(work);
          if (key !== undefined) tails.set(key, work);
        }
        if (batch.length === limit) continue;
      }
      if (inFlight.size === 0) return;
      await Promise.race(inFlight);
    }
  }

  let stopping = false;
  const emptySummary = (): DrainSummary => ({
    completed: 0,
    rejected: 0,
    retried: 0,
    deferred: 0,
    deadLettered: 0,
  });

  const schedule = (ms: number) => {
    if (!running) return;
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(tick, ms);
    // Polling keeps the process alive unless told not to: a worker that only calls start() keeps working.
    if (!keepAlive) timer.unref?.();
  };

  function tick(): void {
    timer = undefined;
    if (!running) return;
    if (round !== undefined) {
      again = true;
      return;
    }
    round = runRound(emptySummary(), () => running)
      .catch((error: unknown) => {
        observer.log(
          'error',
          'idv processor round failed; the next poll tries again',
          logFieldsOf(errorAttributes(error)),
        );
      })
      .finally(() => {
        round = undefined;
        if (again) {
          again = false;
          schedule(0);
        } else {
          schedule(pollIntervalMs);
        }
      });
  }

  return {
    start() {
      if (running) return;
      running = true;
      stopping = false;
      schedule(0);
    },
    async stop() {
      running = false;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      const current = round;
      if (current === undefined) return;
      const finished = await Promise.race([
        current.then(() => true),
        sleep(stopTimeoutMs).then(() => false),
      ]);
      if (finished) return;
      // Past the grace period: abort what is in progress, and give it a second to record that.
      stopping = true;
      for (const controller of inProgress) {
        controller.abort(new Error(`the processor stopped after waiting ${stopTimeoutMs} ms`));
      }
      await Promise.race([current, sleep(1000)]);
      stopping = false;
    },
    nudge() {
      if (!running) return;
      if (round !== undefined) again = true;
      else schedule(0);
    },
    async drain() {
      const summary = emptySummary();
      await runRound(summary, () => true);
      return summary;
    },
    listDeadLetters: (listOptions) => store.listDeadLetters(listOptions),
    async redrive(id) {
      const requeued = await store.redrive(id, clock.now());
      if (requeued) this.nudge();
      return requeued;
    },
    counts: () => store.counts(),
    stats: () => store.stats(clock.now()),
    async track(started, trackOptions: TrackOptions = {}): Promise<TrackedDeadline> {
      const session = started?.session;
      const { tenant } = trackOptions;
      if (tenant !== undefined && (typeof tenant !== 'string' || tenant.trim() === '')) {
        throw new InvalidInputError('[idv] [intake] track(): tenant must be a non-empty string', {
          field: 'tenant',
        });
      }
      const provider =
        session === undefined || typeof session.provider !== 'string'
          ? undefined
          : tenant !== undefined && tenants !== undefined
            ? await tenantProvider(tenants, tenant, session.provider)
            : providers.get(session.provider);
      if (session === undefined || provider === undefined) {
        throw new ConfigError(
          tenant === undefined && tenants !== undefined && list.length === 0
            ? '[idv] [intake] track() needs { tenant }: the processor was given only tenants'
            : `[idv] [intake] track() was given a session of provider ${JSON.stringify(session?.provider)}, which the processor was not given`,
          { option: 'providers' },
        );
      }
      const expiry = started.expiresAt instanceof Date ? started.expiresAt.getTime() : Number.NaN;
      if (!Number.isFinite(expiry)) {
        throw new InvalidInputError(
          '[idv] [intake] track() needs the started session with its expiresAt (what startVerification returned)',
          { provider: provider.name, field: 'expiresAt' },
        );
      }
      const { subjectId, attemptId } = session;
      if (!subjectId) {
        throw new InvalidInputError('[idv] [intake] track() needs a session with its subjectId', {
          provider: provider.name,
          field: 'session.subjectId',
        });
      }
      const dueAt = expiry + expiryCheckDelayMs;
      const deadline = {
        event: {
          provider: provider.name,
          type: DEADLINE_EVENT_TYPE,
          dedupeKey: tenantDedupeKey(
            tenant,
            `${provider.name}:${DEADLINE_EVENT_TYPE}:${subjectId}:${attemptId ?? ''}:${expiry}`,
          ),
          session: {
            provider: provider.name,
            subjectId,
            ...(attemptId === undefined ? {} : { attemptId }),
          },
          actionable: true,
          occurredAt: new Date(expiry).toISOString(),
        },
        state: 'queued',
        now: clock.now(),
        deadline: dueAt,
        ...(tenant === undefined ? {} : { tenant }),
      } as const;
      const recorded = await observer.span(
        'idv.intake.track',
        {
          'idv.provider': provider.name,
          'idv.tenant': tenant,
          'idv.intake.due_at': dueAt,
          ...sessionAttributes(session),
        },
        async (scope) => {
          const stored = await store.insertIfAbsent(deadline);
          scope.set({ 'idv.event.id': stored.event.id, 'idv.intake.inserted': stored.inserted });
          return stored;
        },
      );
      if (recorded.requeued === true) this.nudge();
      return { eventId: recorded.event.id, dueAt, duplicate: !recorded.inserted };
    },
    forget(session) {
      if (typeof session?.provider !== 'string' || !session.subjectId) {
        return Promise.reject(
          new InvalidInputError('[idv] [intake] forget() needs a session with its subjectId', {
            field: 'session.subjectId',
          }),
        );
      }
      return store.purgeSubject(session.provider, session.subjectId, {
        attemptIds: session.attemptId === undefined ? [] : [session.attemptId],
      });
    },
    async ready(call = {}): Promise<ProviderReady[]> {
      const answers: ProviderReady[] = [];
      for (const provider of providers.values()) {
        answers.push(await checkReady(provider, ['results'], call));
      }
      for (const tenant of tenants?.tenants() ?? []) {
        const provider = await tenants!.provider(tenant);
        answers.push({ ...(await checkReady(provider, ['results'], call)), tenant });
      }
      return answers;
    },
    purge({ olderThan, states, forgetKeysOlderThan }) {
      const now = clock.now();
      return store.purge({
        before: now - olderThan,
        states,
        forgetKeysBefore: forgetKeysOlderThan === undefined ? undefined : now - forgetKeysOlderThan,
      });
    },
  };
}

function strip(event: ClaimedEvent): StoredEvent {
  const { leaseToken: _token, fencingToken: _fence, ...rest } = event;
  return rest;
}
