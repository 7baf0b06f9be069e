/**
 * An {@link EventStore} held in memory, for tests and throwaway processes.
 * Nothing survives the process: use the SQLite store (or your own) in production.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import {
  type ClaimedEvent,
  type ClaimOptions,
  clipError,
  type EventStore,
  emptyCounts,
  type InsertResult,
  type NewEvent,
  type StateCounts,
  type StoredEvent,
} from './store';

/** The in-memory store: an {@link EventStore}. */
export interface MemoryEventStore extends EventStore {
  /** The kind of store. */
  readonly kind: 'memory';
}

interface Row extends StoredEvent {
  leaseToken: string | undefined;
}

function copy(row: Row): StoredEvent {
  const { leaseToken: _token, ...event } = row;
  return { ...event, session: { ...row.session } };
}

/** When a claimable row became due: its lease's end if it was leased, else `nextAttemptAt`. */
function dueAt(row: Row): number {
  return row.state === 'processing' ? (row.leaseUntil ?? 0) : row.nextAttemptAt;
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

  return {
    kind: 'memory',

    async insertIfAbsent({ event, state, now }: NewEvent): Promise<InsertResult> {
      const existing = byKey.get(event.dedupeKey);
      const found = existing === undefined ? undefined : rows.get(existing);
      if (found !== undefined) return { inserted: false, event: copy(found) };
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
        nextAttemptAt: now,
        leaseUntil: undefined,
        leaseToken: undefined,
        lastError: undefined,
        finishedAt: state === 'skipped' ? now : undefined,
      };
      rows.set(row.id, row);
      byKey.set(row.dedupeKey, row.id);
      return { inserted: true, event: copy(row) };
    },

    async claim({ now, leaseMs, limit }: ClaimOptions): Promise<ClaimedEvent[]> {
      const due = [...rows.values()]
        .filter(
          (row) =>
            (row.state === 'queued' && row.nextAttemptAt <= now) ||
            (row.state === 'processing' && (row.leaseUntil ?? 0) <= now),
        )
        // The order EventStore.claim names; the sort is stable, so ties stay in the order recorded.
        .sort((a, b) => dueAt(a) - dueAt(b) || a.receivedAt - b.receivedAt)
        .slice(0, Math.max(0, limit));
      return due.map((row) => {
        const leaseToken = randomUUID();
        row.state = 'processing';
        row.attempts += 1;
        row.leaseToken = leaseToken;
        row.leaseUntil = now + leaseMs;
        row.updatedAt = now;
        return { ...copy(row), leaseToken };
      });
    },

    async extendLease(id, leaseToken, leaseUntil, now) {
      const row = held(id, leaseToken);
      if (row === undefined) return false;
      row.leaseUntil = leaseUntil;
      row.updatedAt = now;
      return true;
    },

    async complete(id, leaseToken, now) {
      const row = held(id, leaseToken);
      if (row === undefined) return false;
      release(row, 'done', now);
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
      row.state = 'queued';
      row.attempts = 0;
      row.pendingChecks = 0;
      row.nextAttemptAt = now;
      row.finishedAt = undefined;
      row.updatedAt = now;
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

    async purge(before) {
      let deleted = 0;
      for (const row of [...rows.values()]) {
        if ((row.state === 'done' || row.state === 'skipped') && (row.finishedAt ?? 0) < before) {
          rows.delete(row.id);
          byKey.delete(row.dedupeKey);
          deleted += 1;
        }
      }
      return deleted;
    },

    async close() {},
  };
}
