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
  source: string | null;
  session_key: string | null;
  fence: number;
  sender_rank: number;
  deadline: number | null;
  tenant: string | null;
}

/** A dedupe key kept after its record was purged. */
export interface KeptKeyRow {
  dedupe_key: string;
  id: string;
  provider: string;
  type: string;
  state: EventState;
  finished_at: number;
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
    ...(row.source === null || row.source === undefined ? {} : { source: row.source }),
    ...(row.deadline === null || row.deadline === undefined ? {} : { deadline: row.deadline }),
    ...(row.tenant === null || row.tenant === undefined ? {} : { tenant: row.tenant }),
  };
}

/** The stand-in for a purged record whose key is kept. */
export function toKeptEvent(row: KeptKeyRow): StoredEvent {
  return {
    id: row.id,
    provider: row.provider,
    type: row.type,
    dedupeKey: row.dedupe_key,
    session: { provider: row.provider },
    actionable: false,
    state: row.state,
    attempts: 0,
    pendingChecks: 0,
    receivedAt: row.finished_at,
    updatedAt: row.finished_at,
    nextAttemptAt: row.finished_at,
    leaseUntil: undefined,
    lastError: undefined,
    finishedAt: row.finished_at,
    purged: true,
  };
}

/** The store's prepared statements, by use. */
export type Statements = Record<
  | 'insert'
  | 'byId'
  | 'byKey'
  | 'keptKey'
  | 'senderBacklog'
  | 'coalescible'
  | 'requeueDead'
  | 'claimable'
  | 'claim'
  | 'extend'
  | 'complete'
  | 'recordResult'
  | 'deliveredResult'
  | 'reject'
  | 'retry'
  | 'defer'
  | 'dead'
  | 'listDead'
  | 'redrive'
  | 'counts'
  | 'statsByTenant'
  | 'statsDue'
  | 'statsDeadlines'
  | 'subjectEvents'
  | 'subjectKeys'
  | 'deleteEvents'
  | 'deleteKeys'
  | 'deleteResults'
  | 'keepKeys'
  | 'purge'
  | 'forgetKeys'
  | 'forgetResults'
  | 'probe',
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
    CREATE TABLE IF NOT EXISTS ${table}_keys (
      dedupe_key TEXT PRIMARY KEY,
      id TEXT NOT NULL,
      provider TEXT NOT NULL,
      type TEXT NOT NULL,
      state TEXT NOT NULL,
      finished_at INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS ${table}_results (
      result_key TEXT PRIMARY KEY,
      event_id TEXT NOT NULL,
      delivered_at INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS ${table}_meta (key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;
  `;
}

/** Columns added after the first release, with their definitions; added to an older table on open. */
export const ADDED_COLUMNS: ReadonlyArray<readonly [string, string]> = [
  ['source', 'TEXT'],
  ['session_key', 'TEXT'],
  ['fence', 'INTEGER NOT NULL DEFAULT 0'],
  ['sender_rank', 'INTEGER NOT NULL DEFAULT 0'],
  ['deadline', 'INTEGER'],
  ['tenant', 'TEXT'],
];

/**
 * Columns added to the kept-keys table (`<table>_keys`) after the first
 * release: the session ids a kept key was about, so `purgeSubject` finds it.
 * Keys kept before they existed have none and are not found by identity.
 */
export const ADDED_KEY_COLUMNS: ReadonlyArray<readonly [string, string]> = [
  ['subject_id', 'TEXT'],
  ['attempt_id', 'TEXT'],
];

/** Indexes on the added columns (created after the columns exist). */
export function addedIndexes(table: string): string {
  return `CREATE INDEX IF NOT EXISTS ${table}_session ON ${table} (session_key, state);
    CREATE INDEX IF NOT EXISTS ${table}_source ON ${table} (source, state);`;
}

/** Every statement the store runs, prepared once. */
export function prepareAll(db: SqliteDatabase, t: string): Statements {
  const held = `id = ? AND state = 'processing' AND lease_token = ?`;
  const prepare = (sql: string): SqliteStatement => db.prepare(sql);
  return {
    insert: prepare(
      `INSERT INTO ${t} (id, provider, type, dedupe_key, session, actionable, occurred_at, state,
         received_at, updated_at, next_attempt_at, finished_at, source, session_key, sender_rank,
         deadline, tenant)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (dedupe_key) DO NOTHING`,
    ),
    byId: prepare(`SELECT * FROM ${t} WHERE id = ?`),
    byKey: prepare(`SELECT * FROM ${t} WHERE dedupe_key = ?`),
    keptKey: prepare(`SELECT * FROM ${t}_keys WHERE dedupe_key = ?`),
    senderBacklog: prepare(
      `SELECT COUNT(*) AS n FROM ${t} WHERE source = ? AND state IN ('queued', 'processing')`,
    ),
    coalescible: prepare(
      `SELECT * FROM ${t} WHERE session_key = ? AND state = 'queued' AND attempts = 0
         AND pending_checks = 0 AND deadline IS NULL ORDER BY rowid LIMIT 1`,
    ),
    requeueDead: prepare(
      `UPDATE ${t} SET state = 'queued', attempts = 0, pending_checks = 0, next_attempt_at = ?,
         finished_at = NULL, updated_at = ? WHERE dedupe_key = ? AND state = 'dead' RETURNING *`,
    ),
    // Claiming is two statements in one write transaction (see the store's `claim`): the due
    // events in due order, then their update. RETURNING alone would lose an expired lease's due
    // time (it shows the rows after the update) and gives the rows in no set order.
    // Shared out by sender: an event's sender_rank is how many events its sender already had
    // waiting when it arrived, so every sender's first waiting event comes before anyone's second.
    claimable: prepare(
      `SELECT id FROM ${t}
       WHERE (state = 'queued' AND next_attempt_at <= ?) OR (state = 'processing' AND lease_until <= ?)
       ORDER BY sender_rank,
         CASE state WHEN 'processing' THEN lease_until ELSE next_attempt_at END, received_at, rowid
       LIMIT ?`,
    ),
    claim: prepare(
      `UPDATE ${t} SET state = 'processing', attempts = attempts + 1, fence = fence + 1,
         lease_token = ?, lease_until = ?, updated_at = ?
       WHERE id IN (SELECT value FROM json_each(?))
       RETURNING *`,
    ),
    extend: prepare(`UPDATE ${t} SET lease_until = ?, updated_at = ? WHERE ${held}`),
    complete: prepare(
      `UPDATE ${t} SET state = 'done', lease_token = NULL, lease_until = NULL, updated_at = ?,
         finished_at = ?, session = COALESCE(?, session) WHERE ${held}`,
    ),
    recordResult: prepare(
      `INSERT INTO ${t}_results (result_key, event_id, delivered_at) VALUES (?, ?, ?)
       ON CONFLICT (result_key) DO NOTHING`,
    ),
    deliveredResult: prepare(`SELECT event_id FROM ${t}_results WHERE result_key = ?`),
    reject: prepare(
      `UPDATE ${t} SET state = 'skipped', lease_token = NULL, lease_until = NULL, last_error = ?,
         updated_at = ?, finished_at = ? WHERE ${held}`,
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
    statsByTenant: prepare(
      `SELECT tenant, state, COUNT(*) AS n FROM ${t} WHERE tenant IS NOT NULL
       GROUP BY tenant, state ORDER BY tenant`,
    ),
    statsDue: prepare(
      `SELECT COUNT(*) AS n, MIN(next_attempt_at) AS oldest FROM ${t}
       WHERE state = 'queued' AND next_attempt_at <= ?`,
    ),
    statsDeadlines: prepare(
      `SELECT COUNT(*) AS n FROM ${t}
       WHERE state = 'queued' AND next_attempt_at > ? AND deadline IS NOT NULL`,
    ),
    // One identity's records, for purgeSubject: by the subject id in the session, or an attempt id
    // listed. A scan of the table: deletion requests are rare, and the session is JSON.
    subjectEvents: prepare(
      `SELECT id FROM ${t} WHERE provider = ? AND (json_extract(session, '$.subjectId') = ?
         OR json_extract(session, '$.attemptId') IN (SELECT value FROM json_each(?)))`,
    ),
    subjectKeys: prepare(
      `SELECT dedupe_key, id FROM ${t}_keys WHERE provider = ? AND (subject_id = ?
         OR attempt_id IN (SELECT value FROM json_each(?)))`,
    ),
    deleteEvents: prepare(`DELETE FROM ${t} WHERE id IN (SELECT value FROM json_each(?))`),
    deleteKeys: prepare(
      `DELETE FROM ${t}_keys WHERE dedupe_key IN (SELECT value FROM json_each(?))`,
    ),
    deleteResults: prepare(
      `DELETE FROM ${t}_results WHERE event_id IN (SELECT value FROM json_each(?))`,
    ),
    // Purging keeps the dedupe keys: copied first, then the records deleted (one transaction).
    keepKeys: prepare(
      `INSERT INTO ${t}_keys (dedupe_key, id, provider, type, state, finished_at, subject_id, attempt_id)
       SELECT dedupe_key, id, provider, type, state, finished_at,
         json_extract(session, '$.subjectId'), json_extract(session, '$.attemptId') FROM ${t}
       WHERE state IN (SELECT value FROM json_each(?)) AND finished_at < ?
       ON CONFLICT (dedupe_key) DO NOTHING`,
    ),
    purge: prepare(
      `DELETE FROM ${t} WHERE state IN (SELECT value FROM json_each(?)) AND finished_at < ?`,
    ),
    forgetKeys: prepare(`DELETE FROM ${t}_keys WHERE finished_at < ?`),
    forgetResults: prepare(`DELETE FROM ${t}_results WHERE delivered_at < ?`),
    probe: prepare(
      `INSERT INTO ${t}_meta (key, value) VALUES ('opened_at', ?)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
    ),
  };
}
