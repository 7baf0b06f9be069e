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
 *     ▲                 │  │  │  └──reject───▶ skipped (the session does not exist)
 *     │◀──retry/defer───┘  │  └──deadLetter──▶ dead ──redrive, or redelivery──▶ queued
 *     │◀── lease expired ──┘ (reclaimed by the next claim)
 * ```
 *
 * Every change to a claimed event names the lease it was claimed under
 * (`leaseToken`): once a lease has expired and the event was claimed again, the
 * old holder's `complete`, `retry`, `defer`, `reject` and `deadLetter` calls change nothing
 * and return `false`.
 *
 * De-duplication outlives the records: {@link EventStore.purge} deletes finished
 * records but keeps their dedupe keys (Onfido signs no timestamp, so a captured
 * webhook replayed after a purge must still be recognised); only
 * `forgetKeysBefore` frees keys, for records finished before that time.
 *
 * A redelivery of a `dead` event's key (the provider sending it again, or an
 * operator resending it from the provider's dashboard) requeues it with its
 * attempts reset, as {@link EventStore.redrive} does: an event that died in an
 * outage comes back when the provider tries again.
 *
 * Besides webhooks, the store holds **deadlines**: events the processor
 * records itself (`WebhookProcessor.track`) for a started session, due when
 * the customer's link runs out (`NewEvent.deadline`). They are claimed,
 * retried and dead-lettered like webhooks, and never merged with them.
 *
 * Deletion: {@link EventStore.purgeSubject} deletes every record of one
 * identity (its events in any state, their kept keys and delivered results),
 * for a deletion request; {@link EventStore.purge} deletes by age.
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
  /** The sender's address as the intake saw it (after any trusted proxy), when it knew it. */
  source?: string | undefined;
  /**
   * For a deadline (see {@link NewEvent.deadline}): when it falls due, epoch
   * milliseconds. Absent for webhooks.
   */
  deadline?: number | undefined;
  /** The tenant the event was recorded for (`WebhookHandlerOptions.tenant`, `track(…, { tenant })`), when one was named. */
  tenant?: string | undefined;
  /**
   * `true` for the stand-in a store returns for a key kept after its record was
   * purged (see {@link EventStore.purge}): only `id`, `provider`, `type`,
   * `dedupeKey`, `state` and `finishedAt` are the record's.
   */
  purged?: true | undefined;
}

/** A {@link StoredEvent} claimed for processing, with the token of its lease. */
export interface ClaimedEvent extends StoredEvent {
  /** Names the lease; pass it back to every change made under it. */
  leaseToken: string;
  /**
   * A fencing token: grows by one at every claim of this event and never goes
   * back (not on a defer, not on a re-drive), so of two holders the later one
   * has the larger token. A handler that writes elsewhere can refuse a write
   * whose token is lower than the last one it stored.
   */
  fencingToken: number;
}

/** What {@link EventStore.insertIfAbsent} records. */
export interface NewEvent {
  /** The verified event. */
  event: WebhookEvent;
  /** `queued` for processing, or `skipped` for events that need none. */
  state: 'queued' | 'skipped';
  /** The time of receipt. */
  now: number;
  /** The sender's address (after any trusted proxy), when known: claims share out work by sender. */
  source?: string | undefined;
  /**
   * Merge into a `queued` event for the same session (provider, subject and
   * attempt ids) that has not been attempted yet, instead of recording a new
   * one: the result fetched for it is the latest anyway. Default `false`.
   * Never merges into a deadline, and a deadline is never merged.
   */
  coalesce?: boolean | undefined;
  /**
   * Records a deadline rather than a webhook: the event is `queued` but due
   * only at this time (epoch milliseconds; its `nextAttemptAt`), and is kept
   * as {@link StoredEvent.deadline}. Default: a webhook, due at `now`.
   */
  deadline?: number | undefined;
  /** The tenant the event belongs to, for operators' statistics ({@link EventStore.stats}). */
  tenant?: string | undefined;
}

/** What {@link EventStore.insertIfAbsent} did. */
export interface InsertResult {
  /** `true` when the event was recorded now; `false` when its dedupe key was already there, or it was merged. */
  inserted: boolean;
  /** The stored record (the earlier one, for a duplicate or a merge). */
  event: StoredEvent;
  /** `true` when the event was merged into a queued event for the same session (`coalesce`). */
  coalesced?: boolean | undefined;
  /** `true` when the key belonged to a `dead` event, which is now queued again. */
  requeued?: boolean | undefined;
}

/** The states {@link EventStore.purge} may delete. */
export type FinishedState = 'done' | 'skipped' | 'dead';

/** Options of {@link EventStore.purge}. */
export interface PurgeOptions {
  /** Delete records that finished before this time (epoch milliseconds). */
  before: number;
  /** Which finished states to delete. Default all three: `done`, `skipped`, `dead`. */
  states?: readonly FinishedState[] | undefined;
  /**
   * Also forget the dedupe keys and delivered-result keys of records that
   * finished before this time, so a redelivery of one is recorded anew.
   * Default: keep every key.
   */
  forgetKeysBefore?: number | undefined;
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

/** What {@link EventStore.stats} reports: the intake at a glance, for operators. */
export interface IntakeStats {
  /** Events in each state. */
  states: StateCounts;
  /**
   * Events in each state per tenant, for the events that name one, by tenant
   * name; empty when no event names a tenant.
   */
  tenants: Array<{ tenant: string; states: StateCounts }>;
  /** Queued events due now (`nextAttemptAt <= now`): the backlog. */
  due: number;
  /** Deadlines still waiting for their time (queued, due after `now`). */
  deadlines: number;
  /** The earliest `nextAttemptAt` among the queued events due now, or `undefined` when none is. */
  oldestDueAt: number | undefined;
}

/** Options of {@link EventStore.purgeSubject}. */
export interface PurgeSubjectOptions {
  /**
   * Attempt ids of the identity (check, run or workflow execution ids):
   * events that name only an attempt, and were not processed yet (so their
   * subject is not recorded), are deleted when their attempt id is listed.
   */
  attemptIds?: readonly string[] | undefined;
}

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
   *
   * Work is shared out by sender first: an event with a `source` is ranked by
   * how many events that sender already had `queued` or `processing` when it
   * was recorded, and claims take lower ranks first (in due order within a
   * rank). So every sender's first waiting event comes before any sender's
   * second, and one sender's backlog of 300 events does not hold up another
   * sender's one. Events without a `source` have rank 0.
   */
  claim(options: ClaimOptions): Promise<ClaimedEvent[]>;
  /** Moves a lease's end to `leaseUntil`. `false` when the lease is no longer held. */
  extendLease(id: string, leaseToken: string, leaseUntil: number, now: number): Promise<boolean>;
  /**
   * Marks a claimed event `done`. `false` when the lease is no longer held.
   * With `resultKey`, records in the same write that this event delivered that
   * result (see {@link deliveredResult}). With `session`, the ids of the
   * session the result named (provider, subject, attempt) replace the
   * event's own where the event lacked them, so an event that named only an
   * attempt (an Onfido check) is found by its subject afterwards
   * ({@link purgeSubject}); ids the event had are kept.
   */
  complete(
    id: string,
    leaseToken: string,
    now: number,
    resultKey?: string,
    session?: SessionRef,
  ): Promise<boolean>;
  /**
   * The id of the event whose handler received the result `resultKey`
   * (recorded by {@link complete}), or `undefined`.
   */
  deliveredResult(resultKey: string): Promise<string | undefined>;
  /**
   * Ends a claimed event as `skipped` with `error` as its last error: the
   * provider said the session does not exist, so there is nothing to retry.
   */
  reject(id: string, leaseToken: string, change: { now: number; error: string }): Promise<boolean>;
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
  /** Counts by state and by tenant, the backlog due at `now` and the deadlines still waiting (see {@link IntakeStats}). */
  stats(now: number): Promise<IntakeStats>;
  /**
   * Deletes everything the store holds about one identity of `provider`:
   * every event whose session names `subjectId` (or, with `attemptIds`, one
   * of those attempts), in any state — queued deadlines and events being
   * processed included (their holder's later changes return `false`) — with
   * the dedupe keys kept for them by earlier purges and the results they
   * delivered. A redelivery of one of its webhooks afterwards is recorded
   * anew. Returns how many events were deleted (kept keys not counted).
   */
  purgeSubject(provider: string, subjectId: string, options?: PurgeSubjectOptions): Promise<number>;
  /**
   * Deletes finished events (`done`, `skipped` and `dead`, or the `states`
   * named) that finished before `before`. Returns how many were deleted. Their
   * dedupe keys are kept, so a redelivery is still a duplicate, unless
   * `forgetKeysBefore` says to free them. A number is `{ before: number }`.
   */
  purge(options: number | PurgeOptions): Promise<number>;
  /** Releases the store's resources. */
  close(): Promise<void>;
}

/** {@link PurgeOptions} from what {@link EventStore.purge} was given, with its defaults. */
export function purgeOptions(
  options: number | PurgeOptions,
): Required<Omit<PurgeOptions, 'forgetKeysBefore'>> & { forgetKeysBefore: number | undefined } {
  const given = typeof options === 'number' ? { before: options } : options;
  return {
    before: given.before,
    states: given.states ?? ['done', 'skipped', 'dead'],
    forgetKeysBefore: given.forgetKeysBefore,
  };
}

/**
 * The session `learned` fills in: the ids `event` lacks, taken from the
 * result's session; ids the event has are kept.
 */
export function mergeSession(event: SessionRef, learned: SessionRef | undefined): SessionRef {
  if (learned === undefined || learned.provider !== event.provider) return event;
  return {
    ...event,
    ...(event.subjectId === undefined && learned.subjectId !== undefined
      ? { subjectId: learned.subjectId }
      : {}),
    ...(event.attemptId === undefined && learned.attemptId !== undefined
      ? { attemptId: learned.attemptId }
      : {}),
  };
}

/** `true` when an event's session belongs to the identity {@link EventStore.purgeSubject} names. */
export function belongsToSubject(
  event: { provider: string; session: SessionRef },
  provider: string,
  subjectId: string,
  attemptIds: ReadonlySet<string>,
): boolean {
  if (event.provider !== provider) return false;
  const { subjectId: subject, attemptId } = event.session;
  return subject === subjectId || (attemptId !== undefined && attemptIds.has(attemptId));
}

/** The key that groups events about one session: provider, subject and attempt ids. */
export function sessionKey(event: Pick<StoredEvent, 'provider' | 'session'>): string {
  const { subjectId, attemptId } = event.session;
  return JSON.stringify([event.provider, subjectId ?? null, attemptId ?? null]);
}

/** A zero count for every state. */
export function emptyCounts(): StateCounts {
  return { queued: 0, processing: 0, done: 0, skipped: 0, dead: 0 };
}

/**
 * {@link IntakeStats.tenants} from counts by tenant: sorted by tenant name,
 * by code unit, so every store lists them in one order whatever its
 * database's collation.
 */
export function tenantStats(tenants: ReadonlyMap<string, StateCounts>): IntakeStats['tenants'] {
  return [...tenants]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([tenant, counts]) => ({ tenant, states: counts }));
}

/** Largest stored error message, in characters. */
export const MAX_ERROR_LENGTH = 2000;

/** Cuts an error message to {@link MAX_ERROR_LENGTH}. */
export function clipError(message: string): string {
  return message.length <= MAX_ERROR_LENGTH
    ? message
    : `${message.slice(0, MAX_ERROR_LENGTH - 1)}…`;
}
