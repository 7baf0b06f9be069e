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
 *   recorded again, so it never reaches the handler a second time (for as long
 *   as the record is kept: see `EventStore.purge`).
 * - **The handler succeeds once per event, with one exception.** An event is
 *   marked `done` only after the handler's promise resolves; a handler that
 *   rejects is run again on the next attempt. If the process dies while the
 *   handler runs (or after it resolves but before `done` is written), the
 *   event's lease expires and the handler runs again, with a higher `attempt`.
 *   Make the handler idempotent on {@link ResultDelivery.eventId} (for example,
 *   write the result under that id in a unique column). While a handler runs,
 *   its lease is renewed every `leaseMs / 3`, so a slow handler is not taken
 *   over by another worker; if renewal fails (the store is unreachable for a
 *   whole lease), the handler's `signal` is aborted, since another worker may
 *   now run the same event.
 * - Distinct events about the same session (Onfido's `check.completed` and
 *   `workflow_run.completed`, or a retried Jumio callback with a new status)
 *   each reach the handler; the session ids tell them apart.
 *
 * ## Retries and dead letters
 *
 * Up to `concurrency` events are processed at once; a slow one does not hold
 * up the others, since a new event is claimed as soon as a slot frees.
 *
 * Every claim is an attempt. A failure (the provider's API, a download, or the
 * handler throwing) requeues the event after an exponential backoff with
 * jitter (`backoffDelay`). After `maxAttempts` attempts the event is
 * dead-lettered with its last error: an `IdvError`'s message (never a secret),
 * or only `name: message` for other errors. Dead letters are listed by
 * {@link WebhookProcessor.listDeadLetters} and requeued by
 * {@link WebhookProcessor.redrive}.
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
import { systemClock } from '../config/common';
import { ConfigError, isIdvError } from '../errors';
import type {
  DocumentDownload,
  IdentityVerificationProvider,
  VerificationResult,
} from '../provider';
import { backoffDelay } from '../shared/retry';
import type {
  DrainSummary,
  ProcessorOptions,
  ResultDelivery,
  ResultHandler,
  WebhookProcessor,
} from './processor-types';
import type { ClaimedEvent, StoredEvent } from './store';

export type { DrainSummary, ProcessorOptions, ResultDelivery, ResultHandler, WebhookProcessor };

/** A failure reduced to a message that holds no secret. */
export function describeFailure(error: unknown): string {
  if (isIdvError(error)) return error.message;
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return `non-error value thrown: ${typeof error}`;
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new ConfigError(`[idv] [intake] option "${name}" must be a positive number`, {
      option: name,
    });
  }
  return value;
}

/**
 * Creates a processor over a store. Run it in-process with `start()`, or call
 * `drain()` from a scheduled job.
 *
 * @example
 * ```ts
 * const processor = createProcessor({
 *   store,
 *   providers: [idv],
 *   handler: async ({ eventId, result, documents }) => {
 *     await saveResultOnce(eventId, result);
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
  const maxAttempts = positive('maxAttempts', options.maxAttempts ?? 8);
  const maxPendingChecks = positive('maxPendingChecks', options.maxPendingChecks ?? 30);
  const leaseMs = positive('leaseMs', options.leaseMs ?? 60_000);
  const concurrency = positive('concurrency', options.concurrency ?? 4);
  const pollIntervalMs = positive('pollIntervalMs', options.pollIntervalMs ?? 1000);
  const backoff = { baseMs: 1000, capMs: 300_000, ...options.backoff };
  const pendingBackoff = { baseMs: 30_000, capMs: 900_000, ...options.pendingBackoff };
  const downloadDocuments = options.downloadDocuments ?? true;

  let timer: ReturnType<typeof setTimeout> | undefined;
  let running = false;
  let round: Promise<void> | undefined;
  let again = false;

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
      infos = await provider.listDocuments(result.session, { signal });
    } catch (error) {
      // No documents stored (never captured, or already deleted): nothing to download.
      if (isIdvError(error) && error.code === 'not_found') return;
      throw error;
    }
    for (const info of infos) opened.push(await provider.downloadDocument(info, { signal }));
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
    try {
      const provider = providers.get(event.provider);
      if (provider === undefined) {
        throw new ConfigError(
          `[idv] [intake] the event names provider ${JSON.stringify(event.provider)}, which the processor was not given`,
          { option: 'providers' },
        );
      }
      const result = await provider.getResult(event.session, { signal });
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
      await openDocuments(provider, result, signal, documents);
      await handler({
        eventId: id,
        attempt: event.attempts,
        event: strip(event),
        result,
        documents,
        signal,
      });
      const done = await store.complete(id, leaseToken, clock.now());
      if (!done) notify(new Error('the event was completed after its lease was lost'), event);
      return 'completed';
    } catch (error) {
      notify(error, event);
      const message = describeFailure(error);
      if (event.attempts >= maxAttempts) {
        await store.deadLetter(id, leaseToken, { now: clock.now(), error: message });
        return 'deadLettered';
      }
      const delay = backoffDelay(event.attempts - 1, clock.random, backoff);
      await store.retry(id, leaseToken, {
        now: clock.now(),
        nextAttemptAt: clock.now() + delay,
        error: message,
      });
      return 'retried';
    } finally {
      clearInterval(renew);
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

  const schedule = (ms: number) => {
    if (!running) return;
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(tick, ms);
    timer.unref?.();
  };

  function tick(): void {
    timer = undefined;
    if (!running) return;
    if (round !== undefined) {
      again = true;
      return;
    }
    const summary: DrainSummary = { completed: 0, retried: 0, deferred: 0, deadLettered: 0 };
    round = runRound(summary, () => running)
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
      schedule(0);
    },
    async stop() {
      running = false;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      await round;
    },
    nudge() {
      if (!running) return;
      if (round !== undefined) again = true;
      else schedule(0);
    },
    async drain() {
      const summary: DrainSummary = { completed: 0, retried: 0, deferred: 0, deadLettered: 0 };
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
  };
}

function strip(event: ClaimedEvent): StoredEvent {
  const { leaseToken: _token, ...rest } = event;
  return rest;
}
