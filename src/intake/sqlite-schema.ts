/**
 * The SQLite store's table, its statements, and the mapping between rows and
 * {@link StoredEvent}s.
 *
 * @module
 */
import type { SqliteDatabase, SqliteStatement } from './sqlite-driver';
import type { EventState, StoredEvent } from './store';

/** One row of the events table: a {@link StoredEvent} in snake_case columns, times in epoch milliseconds. */
export interface Row {
  id: string;
  provider: string;
  type: string;
  dedupe_key: string;
  session: string;
  actionable: number;
  occurred_at: string | null;
  state: EventState;
  attempts: number;
  pending_checks: number;
  received_at: number;
  updated_at: number;
  next_attempt_at: number;
  lease_token: string | null;
  lease_until: number | null;
  last_error: string | null;
  finished_at: number | null;
}

/** A row as a {@link StoredEvent}. */
export function toEvent(row: Row): StoredEvent {
  return {
    id: row.id,
    provider: row.provider,
    type: row.type,
    dedupeKey: row.dedupe_key,
    session: JSON.parse(row.session) as StoredEvent['session'],
    actionable: row.actionable === 1,
    ...(row.occurred_at === null ? {} : { occurredAt: row.occurred_at }),
    state: row.state,
    attempts: row.attempts,
    pendingChecks: row.pending_checks,
    receivedAt: row.received_at,
    updatedAt: row.updated_at,
    nextAttemptAt: row.next_attempt_at,
    leaseUntil: row.lease_until ?? undefined,
    lastError: row.last_error ?? undefined,
    finishedAt: row.finished_at ?? undefined,
  };
}

/** The store's prepared statements, by use. */
export type Statements = Record<
  | 'insert'
  | 'byId'
  | 'byKey'
  | 'claimable'
  | 'claim'
  | 'extend'
  | 'complete'
  | 'retry'
  | 'defer'
  | 'dead'
  | 'listDead'
  | 'redrive'
  | 'counts'
  | 'purge',
  SqliteStatement
>;

/** The table and its indexes, created when missing. `table` must be a checked identifier. */
export function schema(table: string): string {
  return `
    CREATE TABLE IF NOT EXISTS ${table} (
      id TEXT PRIMARY KEY,
      provider TEXT NOT NULL,
      type TEXT NOT NULL,
      dedupe_key TEXT NOT NULL UNIQUE,
      session TEXT NOT NULL,
      actionable INTEGER NOT NULL,
      occurred_at TEXT,
      state TEXT NOT NULL,
      attempts INTEGER NOT NULL DEFAULT 0,
      pending_checks INTEGER NOT NULL DEFAULT 0,
      received_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL,
      next_attempt_at INTEGER NOT NULL,
      lease_token TEXT,
      lease_until INTEGER,
      last_error TEXT,
      finished_at INTEGER
    );
    CREATE INDEX IF NOT EXISTS ${table}_queued ON ${table} (state, next_attempt_at);
    CREATE INDEX IF NOT EXISTS ${table}_leased ON ${table} (state, lease_until);
  `;
}

/** Every statement the store runs, prepared once. */
export function prepareAll(db: SqliteDatabase, t: string): Statements {
  const held = `id = ? AND state = 'processing' AND lease_token = ?`;
  const prepare = (sql: string): SqliteStatement => db.prepare(sql);
  return {
    insert: prepare(
      `INSERT INTO ${t} (id, provider, type, dedupe_key, session, actionable, occurred_at, state,
         received_at, updated_at, next_attempt_at, finished_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (dedupe_key) DO NOTHING`,
    ),
    byId: prepare(`SELECT * FROM ${t} WHERE id = ?`),
    byKey: prepare(`SELECT * FROM ${t} WHERE dedupe_key = ?`),
    // Claiming is two statements in one write transaction (see the store's `claim`): the due
    // events in due order, then their update. RETURNING alone would lose an expired lease's due
    // time (it shows the rows after the update) and gives the rows in no set order.
    claimable: prepare(
      `SELECT id FROM ${t}
       WHERE (state = 'queued' AND next_attempt_at <= ?) OR (state = 'processing' AND lease_until <= ?)
       ORDER BY CASE state WHEN 'processing' THEN lease_until ELSE next_attempt_at END, received_at, rowid
       LIMIT ?`,
    ),
    claim: prepare(
      `UPDATE ${t} SET state = 'processing', attempts = attempts + 1, lease_token = ?,
         lease_until = ?, updated_at = ?
       WHERE id IN (SELECT value FROM json_each(?))
       RETURNING *`,
    ),
    extend: prepare(`UPDATE ${t} SET lease_until = ?, updated_at = ? WHERE ${held}`),
    complete: prepare(
      `UPDATE ${t} SET state = 'done', lease_token = NULL, lease_until = NULL, updated_at = ?,
         finished_at = ? WHERE ${held}`,
    ),
    retry: prepare(
      `UPDATE ${t} SET state = 'queued', lease_token = NULL, lease_until = NULL, next_attempt_at = ?,
         last_error = ?, updated_at = ? WHERE ${held}`,
    ),
    defer: prepare(
      `UPDATE ${t} SET state = 'queued', lease_token = NULL, lease_until = NULL, next_attempt_at = ?,
         attempts = MAX(0, attempts - 1), pending_checks = pending_checks + 1, updated_at = ?
       WHERE ${held}`,
    ),
    dead: prepare(
      `UPDATE ${t} SET state = 'dead', lease_token = NULL, lease_until = NULL, last_error = ?,
         updated_at = ?, finished_at = ? WHERE ${held}`,
    ),
    listDead: prepare(`SELECT * FROM ${t} WHERE state = 'dead' ORDER BY updated_at DESC LIMIT ?`),
    redrive: prepare(
      `UPDATE ${t} SET state = 'queued', attempts = 0, pending_checks = 0, next_attempt_at = ?,
         finished_at = NULL, updated_at = ? WHERE id = ? AND state = 'dead'`,
    ),
    counts: prepare(`SELECT state, COUNT(*) AS n FROM ${t} GROUP BY state`),
    purge: prepare(`DELETE FROM ${t} WHERE state IN ('done', 'skipped') AND finished_at < ?`),
  };
}
