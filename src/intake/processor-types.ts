/**
 * The processor's public types: its options, what the host's handler
 * receives, and what a drain reports. See `processor.ts` for the guarantees.
 *
 * @module
 */
import type { Clock } from '../config/common';
import type { IdvLogger, IdvTracer } from '../observability/types';
import type {
  CallOptions,
  DocumentDownload,
  IdentityVerificationProvider,
  SessionRef,
  VerificationResult,
  VerificationSession,
} from '../provider';
import type { BackoffOptions } from '../shared/retry';
import type { ProviderReady } from './readiness';
import type { EventStore, FinishedState, IntakeStats, StateCounts, StoredEvent } from './store';

/** What the host's handler receives for one event. */
export interface ResultDelivery {
  /** The store's id of the event. */
  eventId: string;
  /** Which attempt this is, from 1. More than 1 means an earlier attempt failed or was cut short. */
  attempt: number;
  /**
   * The same for every delivery of one verdict: provider, subject and attempt
   * ids, status, reasons and completion time. The key to make the handler
   * idempotent on (for example, a unique column): two events about one
   * session that fetched the same verdict have the same `resultKey`. The
   * processor itself skips an event whose verdict was already delivered.
   */
  resultKey: string;
  /**
   * A fencing token: larger for every later claim of this event, so of two
   * workers running it (one paused past its lease), the later has the larger
   * token. Store it with what the handler writes and refuse a write with a
   * smaller one.
   */
  fencingToken: number;
  /** The lease this attempt holds. */
  leaseToken: string;
  /**
   * `true` while this attempt still holds the event's lease (and renews it).
   * Call it right before an irreversible step; `false` means another worker
   * may now run the same event.
   */
  isCurrent(): Promise<boolean>;
  /** The recorded event (a webhook, or a deadline `track()` scheduled: `event.deadline` set). */
  event: StoredEvent;
  /** The tenant the event was recorded for (`event.tenant`), when it names one: whose result this is. */
  tenant?: string | undefined;
  /**
   * The normalised, final result (never `pending`). For a deadline whose
   * session the provider still showed as not finished, the processor's own
   * `EXPIRED` result (see {@link WebhookProcessor.track}).
   */
  result: VerificationResult;
  /**
   * The documents and selfies, each an open download stream. Consume them (or
   * not) before the handler's promise settles: any stream left open is
   * destroyed afterwards.
   */
  documents: DocumentDownload[];
  /**
   * Aborted when the event's lease is lost (another worker may now take it),
   * when the handler runs past `handlerTimeoutMs`, and when `stop()` gives up
   * waiting. The processor stops waiting for the handler then: the attempt is
   * recorded as failed and retried.
   */
  signal: AbortSignal;
}

/** The host's handler. The event is `done` once its promise resolves; a rejection retries it. */
export type ResultHandler = (delivery: ResultDelivery) => Promise<void> | void;

/**
 * Where a processor finds the provider of a tenant: a `ProviderSet`
 * (`createProviderSet`), or anything that answers the same.
 */
export interface TenantProviders {
  /**
   * The tenant's provider (created on first use). Rejects with a
   * `ConfigError` naming the tenant when it is not configured (never added,
   * or removed since), and never with its credentials.
   */
  provider(tenant: string): Promise<IdentityVerificationProvider>;
  /** The tenants configured now, for `ready()`. */
  tenants(): readonly string[];
}

/** Options of {@link createProcessor}. */
export interface ProcessorOptions {
  /** Where events are recorded. */
  store: EventStore;
  /**
   * The providers events can name (found by `event.provider`), for events
   * recorded without a tenant, or when `tenants` is not given. Default none;
   * give `providers`, `tenants` or both.
   */
  providers?: IdentityVerificationProvider | readonly IdentityVerificationProvider[] | undefined;
  /**
   * The providers of many tenants: an event recorded for a tenant
   * (`event.tenant`) is processed with that tenant's provider, asked for when
   * the event is claimed (so a reload applies to events already queued), and
   * with no other: an event of a tenant no longer configured fails (a
   * `ConfigError` naming the tenant as its last error) and is retried like
   * any failure, until the tenant is back or it is dead-lettered.
   */
  tenants?: TenantProviders | undefined;
  /** The host's handler. */
  handler: ResultHandler;
  /**
   * How long a failing event is retried before it is dead-lettered,
   * milliseconds. Default 72 hours: longer than the providers' own redelivery
   * windows, which neither documents (docs/provider-facts.md#o-wh-10,
   * #j-cb-7), so an outage of hours or a weekend dead-letters nothing. The
   * window is counted in attempts (see `maxAttempts`), so it starts again
   * after a re-drive or a redelivery of a dead event.
   */
  retryWindowMs?: number | undefined;
  /**
   * Attempts before an event is dead-lettered. Default: as many as the
   * `backoff` takes to span `retryWindowMs` at its shortest waits (156 with
   * the defaults). Also bounds how often an event that crashes the process
   * is tried.
   */
  maxAttempts?: number | undefined;
  /** Backoff after a failure. Default base 1 s, cap 1 hour. */
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
   * Longest a handler may run, milliseconds. Default 120 000. Past it, the
   * handler's `signal` is aborted, its document streams are destroyed, and
   * the attempt counts as failed (the event is retried).
   */
  handlerTimeoutMs?: number | undefined;
  /**
   * How long `stop()` waits for events in progress, milliseconds. Default
   * 10 000. Then their handlers' signals are aborted, and `stop()` returns at
   * most one second later; the events are retried (by this or another worker).
   */
  stopTimeoutMs?: number | undefined;
  /**
   * Whether {@link WebhookProcessor.start} keeps the process alive while it
   * polls. Default `true`, so a worker whose entry point only calls `start()`
   * keeps processing; `false` lets the process exit once nothing else holds it.
   */
  keepAlive?: boolean | undefined;
  /**
   * Time (`now`) and jitter (`random`). Default the system clock. Polling and
   * lease renewal use real timers; `sleep` is not used.
   */
  clock?: Pick<Clock, 'now' | 'random'> | undefined;
  /** Told about every failed attempt (never throws into the processor). */
  onError?: ((error: unknown, event: StoredEvent) => void) | undefined;
  /**
   * Where retries, dead letters, failed rounds, lost leases and a failing
   * `onError` are logged. Default: nowhere.
   */
  logger?: IdvLogger | undefined;
  /**
   * The tracer of the processor's spans (`idv.intake.claim`,
   * `idv.intake.process`, `idv.intake.handler`, `idv.intake.track`), `false`
   * for none. Default: the global one of `@opentelemetry/api`, if installed.
   */
  tracer?: IdvTracer | false | undefined;
  /**
   * How long after a tracked link's expiry its deadline is first checked,
   * milliseconds. Default 60 000: a provider's own expiry callback (Jumio's
   * `TOKEN_EXPIRED`, sent at the expiry) is then normally processed first,
   * and the deadline finds its verdict delivered.
   */
  expiryCheckDelayMs?: number | undefined;
  /**
   * How long a deadline keeps re-checking a session the provider still shows
   * as not finished (and not moved on to a new attempt) before the processor
   * delivers `EXPIRED` itself, milliseconds, counted from the deadline.
   * Default 15 minutes: a customer who opened the link just before it ran out
   * may still be capturing (Jumio gives a started journey 15 minutes,
   * docs/provider-facts.md#j-acc-11), and the provider's clock may differ.
   */
  expiryGraceMs?: number | undefined;
}

/** Options of {@link WebhookProcessor.track}. */
export interface TrackOptions {
  /**
   * The tenant the session belongs to, recorded with the deadline (see
   * `WebhookHandlerOptions.tenant`). With `tenants`, the deadline is
   * processed with that tenant's provider, which must be the one that
   * started the session.
   */
  tenant?: string | undefined;
}

/** What {@link WebhookProcessor.track} recorded. */
export interface TrackedDeadline {
  /** The store's id of the deadline event. */
  eventId: string;
  /** When it falls due: the link's expiry plus `expiryCheckDelayMs` (epoch milliseconds). */
  dueAt: number;
  /** `true` when this session's deadline was already recorded (tracking is idempotent). */
  duplicate: boolean;
}

/** What one {@link WebhookProcessor.drain} did. */
export interface DrainSummary {
  /** Events whose handler resolved, or whose verdict an earlier event had already delivered. */
  completed: number;
  /** Events whose session the provider does not know (a 404 for the result): ended as `skipped`, not retried. */
  rejected: number;
  /** Failed attempts that were requeued. */
  retried: number;
  /** Pending results that were requeued. */
  deferred: number;
  /** Events dead-lettered. */
  deadLettered: number;
}

/** The processor. */
export interface WebhookProcessor {
  /** Starts polling the store in this process (keeping the process alive, unless `keepAlive: false`). Idempotent. */
  start(): void;
  /**
   * Stops polling: claims no new batch, and waits for the events in progress
   * to finish, for at most `stopTimeoutMs`; then aborts their handlers'
   * signals and returns within one more second.
   */
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
  /** The intake at a glance: counts by state and tenant, the backlog due now, deadlines waiting (see `IntakeStats`). */
  stats(): Promise<IntakeStats>;
  /**
   * Schedules the deadline of a started session: when its link runs out
   * (`started.expiresAt`), the processor fetches the result and delivers it
   * through the same handler as a webhook's, exactly once per verdict, from
   * the store (so it survives restarts):
   *
   * - a final result (finished meanwhile, or `EXPIRED` from the provider,
   *   as Jumio reports an expired transaction) is delivered as it is, unless
   *   a webhook already delivered that verdict;
   * - a session the provider shows as not finished is re-checked for
   *   `expiryGraceMs`, then delivered as `EXPIRED` (status `retry`, labelled
   *   `intake.deadline`, no documents; the provider's `policy` is not asked);
   * - a session the provider has moved on to an attempt the tracked one did
   *   not name (an Onfido check the customer submitted) is followed like any
   *   pending result until it finishes.
   *
   * `EXPIRED` verdicts of one session attempt share one `resultKey` whatever
   * brought them (a callback, the deadline), so the handler sees one. Call it
   * right after `startVerification`; tracking the same session and expiry
   * again records nothing new.
   */
  track(started: VerificationSession, options?: TrackOptions): Promise<TrackedDeadline>;
  /**
   * Deletes everything the store holds about the identity `session` names
   * (its subject id, and its attempt id): every event in any state, its
   * pending deadline, the keys kept for it and the results it delivered (see
   * `EventStore.purgeSubject`). For a deletion request; deleting the
   * applicant or account at the provider is the provider's part. Returns how
   * many events were deleted.
   */
  forget(session: SessionRef): Promise<number>;
  /**
   * The boot-time check: every provider's configuration for fetching results
   * (checked already when the processor was created), then its
   * `checkConnection()`; with `tenants`, every tenant's provider too (created
   * now), each answer naming its tenant. Rejects with a `ConfigError` or the
   * provider's error.
   */
  ready(options?: CallOptions): Promise<ProviderReady[]>;
  /**
   * Deletes finished events (`done`, `skipped`, `dead`, or the `states` named)
   * that finished more than `olderThan` milliseconds ago, keeping their dedupe
   * keys (a redelivery is still a duplicate) unless `forgetKeysOlderThan` says
   * to free keys older than that. Returns how many events were deleted.
   */
  purge(options: {
    olderThan: number;
    states?: readonly FinishedState[] | undefined;
    forgetKeysOlderThan?: number | undefined;
  }): Promise<number>;
}
