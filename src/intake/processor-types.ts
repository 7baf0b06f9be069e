/**
 * The processor's public types: its options, what the host's handler
 * receives, and what a drain reports. See `processor.ts` for the guarantees.
 *
 * @module
 */
import type { Clock } from '../config/common';
import type {
  DocumentDownload,
  IdentityVerificationProvider,
  VerificationResult,
} from '../provider';
import type { BackoffOptions } from '../shared/retry';
import type { EventStore, StateCounts, StoredEvent } from './store';

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
  listDeadLetters(options?: { limit?: number | undefined }): Promise<StoredEvent[]>;
  /** Requeues a dead event with its attempts reset. `false` when it is not dead. */
  redrive(id: string): Promise<boolean>;
  /** How many events are in each state. */
  counts(): Promise<StateCounts>;
}
