/**
 * An {@link EventStore} held in memory, for tests and throwaway processes.
 * Nothing survives the process: use the SQLite store (or your own) in production.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import {
  belongsToSubject,
  type ClaimedEvent,
  type ClaimOptions,
  clipError,
  type EventStore,
  emptyCounts,
  type InsertResult,
  type IntakeStats,
  mergeSession,
  type NewEvent,
  purgeOptions,
  type StateCounts,
  type StoredEvent,
  sessionKey,
  tenantStats,
} from './store';

/** The in-memory store: an {@link EventStore}. */
export interface MemoryEventStore extends EventStore {
  /** The kind of store. */
  readonly kind: 'memory';
}

interface Row extends StoredEvent {
  leaseToken: string | undefined;
  fence: number;
  sessionKey: string;
  seq: number;
  /** How many events its sender already had waiting when it arrived (0 without a sender). */
  senderRank: number;
}

/** A key kept after its record was purged, with the session ids it was about (for `purgeSubject`). */
interface KeptKey {
  id: string;
  provider: string;
  type: string;
  state: StoredEvent['state'];
  finishedAt: number;
  session: StoredEvent['session'];
}

function copy(row: Row): StoredEvent {
  const {
    leaseToken: _token,
    fence: _fence,
    sessionKey: _key,
    seq: _seq,
    senderRank: _rank,
    ...event
  } = row;
  return { ...event, session: { ...row.session } };
}

/** The stand-in for a purged record whose key is kept. */
function stub(dedupeKey: string, kept: KeptKey): StoredEvent {
  return {
    id: kept.id,
    provider: kept.provider,
    type: kept.type,
    dedupeKey,
    session: { provider: kept.provider },
    actionable: false,
    state: kept.state,
    attempts: 0,
    pendingChecks: 0,
    receivedAt: kept.finishedAt,
    updatedAt: kept.finishedAt,
    nextAttemptAt: kept.finishedAt,
    leaseUntil: undefined,
    lastError: undefined,
    finishedAt: kept.finishedAt,
    purged: true,
  };
}

/** When a claimable row became due: its lease's end if it was leased, else `nextAttemptAt`. */
function dueAt(row: Row): number {
  return row.state === 'processing' ? (row.leaseUntil ?? 0) : row.nextAttemptAt;
}

/** Due order: due time, then receipt, then the order recorded. */
function byDue(a: Row, b: Row): number {
  return dueAt(a) - dueAt(b) || a.receivedAt - b.receivedAt || a.seq - b.seq;
}

/**
 * Creates an in-memory {@link EventStore}. Operations are atomic because they
 * run without awaiting in between.
 *
 * @example
 * ```ts
 * const store = createMemoryStore();
 * const intake = createWebhookHandler({ provider, store });
 * ```
 */
export function createMemoryStore(): MemoryEventStore {
  const rows = new Map<string, Row>();
  const byKey = new Map<string, string>();
  const kept = new Map<string, KeptKey>();
  const bySession = new Map<string, Set<string>>();
  const bySource = new Map<string, Set<string>>();
  const backlogOf = (source: string): number => {
    let n = 0;
    for (const id of bySource.get(source) ?? []) {
      const state = rows.get(id)?.state;
      if (state === 'queued' || state === 'processing') n += 1;
    }
    return n;
  };
  const results = new Map<string, { eventId: string; at: number }>();
  let seq = 0;

  /** Ends a claim: the event's new state, no lease, and the time of the change. */
  const release = (row: Row, state: Row['state'], now: number): void => {
    row.state = state;
    row.leaseToken = undefined;
    row.leaseUntil = undefined;
    row.updatedAt = now;
  };
  const held = (id: string, leaseToken: string): Row | undefined => {
    const row = rows.get(id);
    return row !== undefined && row.state === 'processing' && row.leaseToken === leaseToken
      ? row
      : undefined;
  };
  /** Removes a record and its index entries (its kept key, if any, is the caller's business). */
  const forget = (row: Row): void => {
    rows.delete(row.id);
    byKey.delete(row.dedupeKey);
    bySession.get(row.sessionKey)?.delete(row.id);
    if (bySession.get(row.sessionKey)?.size === 0) bySession.delete(row.sessionKey);
    if (row.source !== undefined) {
      bySource.get(row.source)?.delete(row.id);
      if (bySource.get(row.source)?.size === 0) bySource.delete(row.source);
    }
  };
  const requeue = (row: Row, now: number): void => {
    row.state = 'queued';
    row.attempts = 0;
    row.pendingChecks = 0;
    row.nextAttemptAt = now;
    row.finishedAt = undefined;
    row.updatedAt = now;
  };

  return {
    kind: 'memory',

    async insertIfAbsent(input: NewEvent): Promise<InsertResult> {
      const { event, state, now, source, coalesce, deadline, tenant } = input;
      const existing = byKey.get(event.dedupeKey);
      const found = existing === undefined ? undefined : rows.get(existing);
      if (found !== undefined) {
        if (found.state === 'dead' && state === 'queued') {
          requeue(found, now);
          return { inserted: false, requeued: true, event: copy(found) };
        }
        return { inserted: false, event: copy(found) };
      }
      const keptKey = kept.get(event.dedupeKey);
      if (keptKey !== undefined) return { inserted: false, event: stub(event.dedupeKey, keptKey) };
      const key = sessionKey(event);
      if (coalesce === true && state === 'queued' && deadline === undefined) {
        for (const other of bySession.get(key) ?? []) {
          const row = rows.get(other);
          if (
            row !== undefined &&
            row.deadline === undefined &&
            row.state === 'queued' &&
            row.attempts === 0 &&
            row.pendingChecks === 0
          ) {
            return { inserted: false, coalesced: true, event: copy(row) };
          }
        }
      }
      const row: Row = {
        id: randomUUID(),
        provider: event.provider,
        type: event.type,
        dedupeKey: event.dedupeKey,
        session: { ...event.session },
        actionable: event.actionable,
        ...(event.occurredAt === undefined ? {} : { occurredAt: event.occurredAt }),
        state,
        attempts: 0,
        pendingChecks: 0,
        receivedAt: now,
        updatedAt: now,
        nextAttemptAt: deadline ?? now,
        leaseUntil: undefined,
        leaseToken: undefined,
        lastError: undefined,
        finishedAt: state === 'skipped' ? now : undefined,
        ...(source === undefined ? {} : { source }),
        ...(deadline === undefined ? {} : { deadline }),
        ...(tenant === undefined ? {} : { tenant }),
        fence: 0,
        sessionKey: key,
        seq: seq++,
        senderRank: source === undefined || state !== 'queued' ? 0 : backlogOf(source),
      };
      rows.set(row.id, row);
      byKey.set(row.dedupeKey, row.id);
      const siblings = bySession.get(key) ?? new Set<string>();
      siblings.add(row.id);
      bySession.set(key, siblings);
      if (source !== undefined) {
        const sent = bySource.get(source) ?? new Set<string>();
        sent.add(row.id);
        bySource.set(source, sent);
      }
      return { inserted: true, event: copy(row) };
    },

    async claim({ now, leaseMs, limit }: ClaimOptions): Promise<ClaimedEvent[]> {
      const due = [...rows.values()]
        .filter(
          (row) =>
            (row.state === 'queued' && row.nextAttemptAt <= now) ||
            (row.state === 'processing' && (row.leaseUntil ?? 0) <= now),
        )
        .sort(byDue);
      // Every sender's first waiting event before anyone's second (see EventStore.claim).
      const chosen = due
        .sort((a, b) => a.senderRank - b.senderRank || byDue(a, b))
        .slice(0, Math.max(0, limit));
      return chosen.map((row) => {
        const leaseToken = randomUUID();
        row.state = 'processing';
        row.attempts += 1;
        row.fence += 1;
        row.leaseToken = leaseToken;
        row.leaseUntil = now + leaseMs;
        row.updatedAt = now;
        return { ...copy(row), leaseToken, fencingToken: row.fence };
      });
    },

    async extendLease(id, leaseToken, leaseUntil, now) {
      const row = held(id, leaseToken);
      if (row === undefined) return false;
      row.leaseUntil = leaseUntil;
      row.updatedAt = now;
      return true;
    },

    async complete(id, leaseToken, now, resultKey, session) {
      const row = held(id, leaseToken);
      if (row === undefined) return false;
      release(row, 'done', now);
      row.finishedAt = now;
      row.session = mergeSession(row.session, session);
      if (resultKey !== undefined && !results.has(resultKey)) {
        results.set(resultKey, { eventId: id, at: now });
      }
      return true;
    },

    async deliveredResult(resultKey) {
      return results.get(resultKey)?.eventId;
    },

    async reject(id, leaseToken, { now, error }) {
      const row = held(id, leaseToken);
      if (row === undefined) return false;
      release(row, 'skipped', now);
      row.lastError = clipError(error);
      row.finishedAt = now;
      return true;
    },

    async retry(id, leaseToken, { now, nextAttemptAt, error }) {
      const row = held(id, leaseToken);
      if (row === undefined) return false;
      release(row, 'queued', now);
      row.nextAttemptAt = nextAttemptAt;
      row.lastError = clipError(error);
      return true;
    },

    async defer(id, leaseToken, { now, nextAttemptAt }) {
      const row = held(id, leaseToken);
      if (row === undefined) return false;
      release(row, 'queued', now);
      row.nextAttemptAt = nextAttemptAt;
      row.attempts = Math.max(0, row.attempts - 1);
      row.pendingChecks += 1;
      return true;
    },

    async deadLetter(id, leaseToken, { now, error }) {
      const row = held(id, leaseToken);
      if (row === undefined) return false;
      release(row, 'dead', now);
      row.lastError = clipError(error);
      row.finishedAt = now;
      return true;
    },

    async listDeadLetters(options = {}) {
      return [...rows.values()]
        .filter((row) => row.state === 'dead')
        .sort((a, b) => b.updatedAt - a.updatedAt)
        .slice(0, options.limit ?? 100)
        .map(copy);
    },

    async redrive(id, now) {
      const row = rows.get(id);
      if (row === undefined || row.state !== 'dead') return false;
      requeue(row, now);
      return true;
    },

    async get(id) {
      const row = rows.get(id);
      return row === undefined ? undefined : copy(row);
    },

    async getByDedupeKey(dedupeKey) {
      const id = byKey.get(dedupeKey);
      const row = id === undefined ? undefined : rows.get(id);
      return row === undefined ? undefined : copy(row);
    },

    async counts(): Promise<StateCounts> {
      const counts = emptyCounts();
      for (const row of rows.values()) counts[row.state] += 1;
      return counts;
    },

    async stats(now): Promise<IntakeStats> {
      const states = emptyCounts();
      const tenants = new Map<string, StateCounts>();
      let due = 0;
      let deadlines = 0;
      let oldestDueAt: number | undefined;
      for (const row of rows.values()) {
        states[row.state] += 1;
        if (row.tenant !== undefined) {
          const counts = tenants.get(row.tenant) ?? emptyCounts();
          counts[row.state] += 1;
          tenants.set(row.tenant, counts);
        }
        if (row.state !== 'queued') continue;
        if (row.nextAttemptAt <= now) {
          due += 1;
          oldestDueAt = Math.min(oldestDueAt ?? row.nextAttemptAt, row.nextAttemptAt);
        } else if (row.deadline !== undefined) {
          deadlines += 1;
        }
      }
      return {
        states,
        tenants: tenantStats(tenants),
        due,
        deadlines,
        oldestDueAt,
      };
    },

    async purgeSubject(provider, subjectId, options = {}) {
      const attempts = new Set(options.attemptIds ?? []);
      const eventIds = new Set<string>();
      let deleted = 0;
      for (const row of [...rows.values()]) {
        if (!belongsToSubject(row, provider, subjectId, attempts)) continue;
        forget(row);
        eventIds.add(row.id);
        deleted += 1;
      }
      for (const [key, value] of [...kept]) {
        if (!belongsToSubject(value, provider, subjectId, attempts)) continue;
        kept.delete(key);
        eventIds.add(value.id);
      }
      for (const [key, value] of [...results]) {
        if (eventIds.has(value.eventId)) results.delete(key);
      }
      return deleted;
    },

    async purge(options) {
      const { before, states, forgetKeysBefore } = purgeOptions(options);
      const purgeable = new Set<string>(states);
      let deleted = 0;
      for (const row of [...rows.values()]) {
        if (!purgeable.has(row.state) || (row.finishedAt ?? 0) >= before) continue;
        forget(row);
        const finishedAt = row.finishedAt ?? 0;
        kept.set(row.dedupeKey, {
          id: row.id,
          provider: row.provider,
          type: row.type,
          state: row.state,
          finishedAt,
          session: { ...row.session },
        });
        deleted += 1;
      }
      if (forgetKeysBefore !== undefined) {
        for (const [key, value] of [...kept]) {
          if (value.finishedAt < forgetKeysBefore) kept.delete(key);
        }
        for (const [key, value] of [...results]) {
          if (value.at < forgetKeysBefore) results.delete(key);
        }
      }
      return deleted;
    },

    async close() {},
  };
}
