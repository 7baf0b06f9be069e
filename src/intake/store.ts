/**
 * The event store: where a verified webhook is recorded before it is answered,
 * and where the processor claims, retries, completes or dead-letters it.
 *
 * An event moves through these states:
 *
 * ```text
 *             insertIfAbsent
 *                  │
 *     ┌────────────┴─────────────┐
 *     ▼ (actionable)             ▼ (not actionable)
 *   queued ──claim──▶ processing ──complete──▶ done      skipped
 *     ▲                 │  │  │
 *     │◀──retry/defer───┘  │  └──deadLetter──▶ dead ──redrive──▶ queued
 *     │◀── lease expired ──┘ (reclaimed by the next claim)
 * ```
 *
 * Every change to a claimed event names the lease it was claimed under
 * (`leaseToken`): once a lease has expired and the event was claimed again, the
 * old holder's `complete`, `retry`, `defer` and `deadLetter` calls change nothing
 * and return `false`.
 *
 * De-duplication holds for as long as records are kept: {@link EventStore.purge}
 * removes finished records, after which a late redelivery would be accepted again.
 *
 * @module
 */
import type { SessionRef, WebhookEvent } from '../provider';

/** Where an event is in its life. */
export type EventState = 'queued' | 'processing' | 'done' | 'skipped' | 'dead';

/** Every {@link EventState}, in life order. */
export const EVENT_STATES: readonly EventState[] = [
  'queued',
  'processing',
  'done',
  'skipped',
  'dead',
] as const;

/** A recorded webhook event and its processing state. Times are milliseconds since the epoch. */
export interface StoredEvent {
  /** The store's id of the event (opaque). */
  id: string;
  /** The provider's name. */
  provider: string;
  /** The event type as the provider names it. */
  type: string;
  /** The de-duplication key: unique across the store. */
  dedupeKey: string;
  /** The session the event concerns. */
  session: SessionRef;
  /** Whether the event asks for the result to be fetched. */
  actionable: boolean;
  /** When the provider said the event happened, ISO 8601, when it said. */
  occurredAt?: string | undefined;
  /** Current state. */
  state: EventState;
  /**
   * Processing attempts counted against the processor's `maxAttempts`: each
   * claim adds one; a claim that found the result still pending gives it back.
   */
  attempts: number;
  /** How many times the result was found still pending. */
  pendingChecks: number;
  /** When the event was recorded. */
  receivedAt: number;
  /** When the record last changed. */
  updatedAt: number;
  /** When the event is next due for processing (meaningful while `queued`). */
  nextAttemptAt: number;
  /** When the current lease runs out (while `processing`). */
  leaseUntil: number | undefined;
  /** The last failure, as a secret-free message; kept across a re-drive until the next failure. */
  lastError: string | undefined;
  /** When the event reached `done`, `skipped` or `dead`. */
  finishedAt: number | undefined;
}

/** A {@link StoredEvent} claimed for processing, with the token of its lease. */
export interface ClaimedEvent extends StoredEvent {
  /** Names the lease; pass it back to every change made under it. */
  leaseToken: string;
}

/** What {@link EventStore.insertIfAbsent} records. */
export interface NewEvent {
  /** The verified event. */
  event: WebhookEvent;
  /** `queued` for processing, or `skipped` for events that need none. */
  state: 'queued' | 'skipped';
  /** The time of receipt. */
  now: number;
}

/** What {@link EventStore.insertIfAbsent} did. */
export interface InsertResult {
  /** `true` when the event was recorded now; `false` when its dedupe key was already there. */
  inserted: boolean;
  /** The stored record (the earlier one, for a duplicate). */
  event: StoredEvent;
}

/** Options of {@link EventStore.claim}. */
export interface ClaimOptions {
  /** The current time. */
  now: number;
  /** How long the lease lasts, milliseconds. */
  leaseMs: number;
  /** Most events claimed at once. */
  limit: number;
}

/** Counts of events per state. */
export type StateCounts = Record<EventState, number>;

/**
 * Durable storage of webhook events. Every method may reject with a
 * `StoreError`. Implementations must make {@link insertIfAbsent} and
 * {@link claim} atomic: two concurrent inserts of one dedupe key record one
 * event, and two concurrent claims never hand out the same event.
 */
export interface EventStore {
  /** Records an event unless one with the same `dedupeKey` exists. */
  insertIfAbsent(input: NewEvent): Promise<InsertResult>;
  /**
   * Claims up to `limit` events that are due: `queued` with `nextAttemptAt <= now`,
   * or `processing` with an expired lease (`leaseUntil <= now`). Each claimed
   * event becomes `processing` under a new lease, and its `attempts` grows by one.
   *
   * Due order decides which events a `limit` leaves out and the order they are
   * returned in: by the time each became due (`nextAttemptAt` for a queued
   * event, the old `leaseUntil` for an expired lease), then by `receivedAt`,
   * then in the order they were recorded. So a queued event due before a lease
   * ran out comes before the leased event, whatever their `nextAttemptAt`.
   */
  claim(options: ClaimOptions): Promise<ClaimedEvent[]>;
  /** Moves a lease's end to `leaseUntil`. `false` when the lease is no longer held. */
  extendLease(id: string, leaseToken: string, leaseUntil: number, now: number): Promise<boolean>;
  /** Marks a claimed event `done`. `false` when the lease is no longer held. */
  complete(id: string, leaseToken: string, now: number): Promise<boolean>;
  /** Requeues a claimed event after a failure, due at `nextAttemptAt`, recording `error`. */
  retry(
    id: string,
    leaseToken: string,
    change: { now: number; nextAttemptAt: number; error: string },
  ): Promise<boolean>;
  /**
   * Requeues a claimed event whose result is still pending, due at
   * `nextAttemptAt`: gives back the attempt its claim counted and adds one to
   * `pendingChecks`.
   */
  defer(
    id: string,
    leaseToken: string,
    change: { now: number; nextAttemptAt: number },
  ): Promise<boolean>;
  /** Moves a claimed event to `dead` with its last error. */
  deadLetter(
    id: string,
    leaseToken: string,
    change: { now: number; error: string },
  ): Promise<boolean>;
  /** Dead events, most recently dead first. */
  listDeadLetters(options?: { limit?: number | undefined }): Promise<StoredEvent[]>;
  /**
   * Requeues a dead event, due at once, with `attempts` and `pendingChecks` reset
   * to 0. `false` when there is no dead event with this id.
   */
  redrive(id: string, now: number): Promise<boolean>;
  /** One event by id. */
  get(id: string): Promise<StoredEvent | undefined>;
  /** One event by dedupe key. */
  getByDedupeKey(dedupeKey: string): Promise<StoredEvent | undefined>;
  /** How many events are in each state. */
  counts(): Promise<StateCounts>;
  /**
   * Deletes `done` and `skipped` events that finished before `before`. Returns
   * how many were deleted. Their dedupe keys become free again.
   */
  purge(before: number): Promise<number>;
  /** Releases the store's resources. */
  close(): Promise<void>;
}

/** A zero count for every state. */
export function emptyCounts(): StateCounts {
  return { queued: 0, processing: 0, done: 0, skipped: 0, dead: 0 };
}

/** Largest stored error message, in characters. */
export const MAX_ERROR_LENGTH = 2000;

/** Cuts an error message to {@link MAX_ERROR_LENGTH}. */
export function clipError(message: string): string {
  return message.length <= MAX_ERROR_LENGTH
    ? message
    : `${message.slice(0, MAX_ERROR_LENGTH - 1)}…`;
}
