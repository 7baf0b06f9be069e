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
 * @module
 */
import { createHash } from 'node:crypto';
import { systemClock } from '../config/common';
import { ConfigError, isIdvError } from '../errors';
import type {
  DocumentDownload,
  IdentityVerificationProvider,
  VerificationResult,
} from '../provider';
import { type BackoffOptions, backoffDelay } from '../shared/retry';
import type {
  DrainSummary,
  ProcessorOptions,
  ResultDelivery,
  ResultHandler,
  WebhookProcessor,
} from './processor-types';
import type { ClaimedEvent, StoredEvent } from './store';

export type { DrainSummary, ProcessorOptions, ResultDelivery, ResultHandler, WebhookProcessor };

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
 */
export function resultKeyOf(event: StoredEvent, result: VerificationResult): string {
  const digest = createHash('sha256')
    .update(
      JSON.stringify([
        result.session.subjectId ?? event.session.subjectId ?? null,
        result.session.attemptId ?? event.session.attemptId ?? null,
        result.status,
        result.reasons,
        result.completedAt ?? null,
      ]),
    )
    .digest('base64url');
  return `${event.provider}:${digest}`;
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
  const list = Array.isArray(options.providers) ? options.providers : [options.providers];
  const providers = new Map(
    (list as IdentityVerificationProvider[]).map((provider) => [provider.name, provider]),
  );
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

  let timer: ReturnType<typeof setTimeout> | undefined;
  let running = false;
  let round: Promise<void> | undefined;
  let again = false;
  /** The abort controllers of the events in progress, for `stop()`. */
  const inProgress = new Set<AbortController>();

  const notify = (error: unknown, event: StoredEvent) => {
    try {
      options.onError?.(error, event);
    } catch {
      // An observer's failure must not stop processing.
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

  /** Runs one claimed event to its next state; returns what happened. */
  async function processOne(event: ClaimedEvent): Promise<keyof DrainSummary> {
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
          .catch(() => {});
      },
      Math.max(10, Math.floor(leaseMs / 3)),
    );
    renew.unref?.();
    const documents: DocumentDownload[] = [];
    let handlerTimer: ReturnType<typeof setTimeout> | undefined;
    try {
      const provider = providers.get(event.provider);
      if (provider === undefined) {
        throw new ConfigError(
          `[idv] [intake] the event names provider ${JSON.stringify(event.provider)}, which the processor was not given`,
          { option: 'providers' },
        );
      }
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
        await store.complete(id, leaseToken, clock.now());
        return 'completed';
      }
      await openDocuments(provider, result, signal, documents);
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
        result,
        documents,
        signal,
      };
      await unlessAborted(
        Promise.resolve().then(() => handler(delivery)),
        signal,
      );
      clearTimeout(handlerTimer);
      const done = await store.complete(id, leaseToken, clock.now(), resultKey);
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
        const batch = await store.claim({ now: clock.now(), leaseMs, limit });
        for (const event of batch) {
          const work: Promise<void> = processOne(event)
            .then(
              (outcome) => {
                summary[outcome] += 1;
              },
              // The store failed while recording the outcome: the lease expires and the event is retried.
              (error: unknown) => notify(error, event),
            )
            .finally(() => inFlight.delete(work));
          inFlight.add(work);
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
      .catch(() => {})
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
