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
 *   recorded again, so it never reaches the handler a second time.
 * - **The handler runs once per event, with one exception.** An event is marked
 *   `done` only after the handler's promise resolves. If the process dies while
 *   the handler runs (or after it resolves but before `done` is written), the
 *   event's lease expires and the handler runs again with a higher `attempt`.
 *   Make the handler idempotent on {@link ResultDelivery.eventId} (for example,
 *   write the result under that id in a unique column). While a handler runs, its
 *   lease is renewed, so a slow handler is not run twice by another worker.
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
 * A result that is still `pending` is not a failure: the event is requeued
 * after a separate, slower backoff and the attempt is given back, so a long
 * manual review does not use up `maxAttempts`. After `maxPendingChecks` such
 * checks the event is dead-lettered.
 *
 * @module
 */
import { type Clock, systemClock } from '../config/common';
import { ConfigError, isIdvError } from '../errors';
import { type BackoffOptions, backoffDelay } from '../http/retry';
import type {
  DocumentDownload,
  IdentityVerificationProvider,
  VerificationResult,
} from '../provider';
import type { ClaimedEvent, EventStore, StateCounts, StoredEvent } from './store';

/** What the host's handler receives for one event. */
export interface ResultDelivery {
  /** The store's id of the event: the key to make the handler idempotent on. */
  eventId: string;
  /** Which attempt this is, from 1. More than 1 means an earlier attempt failed or was cut short. */
  attempt: number;
  /** The recorded event. */
  event: StoredEvent;
  /** The normalised, final result (never `pending`). */
  result: VerificationResult;
  /**
   * The documents and selfies, each an open download stream. Consume them (or
   * not) before the handler's promise settles: any stream left open is
   * destroyed afterwards.
   */
  documents: DocumentDownload[];
  /** Aborted when the event's lease is lost (another worker may now take it). */
  signal: AbortSignal;
}

/** The host's handler. The event is `done` once its promise resolves; a rejection retries it. */
export type ResultHandler = (delivery: ResultDelivery) => Promise<void> | void;

/** Options of {@link createProcessor}. */
export interface ProcessorOptions {
  /** Where events are recorded. */
  store: EventStore;
  /** The providers events can name (found by `event.provider`). */
  providers: IdentityVerificationProvider | readonly IdentityVerificationProvider[];
  /** The host's handler. */
  handler: ResultHandler;
  /** Attempts before an event is dead-lettered. Default 8. */
  maxAttempts?: number | undefined;
  /** Backoff after a failure. Default base 1 s, cap 5 min. */
  backoff?: BackoffOptions | undefined;
  /** Backoff between checks of a pending result. Default base 30 s, cap 15 min. */
  pendingBackoff?: BackoffOptions | undefined;
  /** Pending checks before an event is dead-lettered. Default 30. */
  maxPendingChecks?: number | undefined;
  /** How long a claim lasts before another worker may take the event, milliseconds. Default 60 000. */
  leaseMs?: number | undefined;
  /** Events processed at once. Default 4. */
  concurrency?: number | undefined;
  /** Polling interval of {@link WebhookProcessor.start}, milliseconds. Default 1 000. */
  pollIntervalMs?: number | undefined;
  /** Download documents and selfies for the handler. Default `true`. */
  downloadDocuments?: boolean | undefined;
  /**
   * Time (`now`) and jitter (`random`). Default the system clock. Polling and
   * lease renewal use real timers; `sleep` is not used.
   */
  clock?: Pick<Clock, 'now' | 'random'> | undefined;
  /** Told about every failed attempt (never throws into the processor). */
  onError?: ((error: unknown, event: StoredEvent) => void) | undefined;
}

/** What one {@link WebhookProcessor.drain} did. */
export interface DrainSummary {
  /** Events whose handler resolved. */
  completed: number;
  /** Failed attempts that were requeued. */
  retried: number;
  /** Pending results that were requeued. */
  deferred: number;
  /** Events dead-lettered. */
  deadLettered: number;
}

/** The processor. */
export interface WebhookProcessor {
  /** Starts polling the store in this process. Idempotent. */
  start(): void;
  /** Stops polling: claims no new batch, and waits for the events in progress to finish. */
  stop(): Promise<void>;
  /** Asks for a processing round soon (the intake calls it after recording an event). */
  nudge(): void;
  /** Processes until no event is due now; for tests and one-off workers. */
  drain(): Promise<DrainSummary>;
  /** Dead-lettered events, most recent first. */
  listDeadLetters(options?: { limit?: number }): Promise<StoredEvent[]>;
  /** Requeues a dead event with its attempts reset. `false` when it is not dead. */
  redrive(id: string): Promise<boolean>;
  /** How many events are in each state. */
  counts(): Promise<StateCounts>;
}

/** A failure reduced to a message that holds no secret. */
export function describeFailure(error: unknown): string {
  if (isIdvError(error)) return error.message;
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return `non-error value thrown: ${typeof error}`;
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new RangeError(`[idv] [intake] ${name} must be a positive number`);
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
