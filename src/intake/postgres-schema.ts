/**
 * The PostgreSQL store's tables, their migrations, its statements, and the
 * mapping between rows and {@link StoredEvent}s.
 *
 * Tables, for the table name `t` (default `idv_webhook_events`):
 * - `t`: one row per recorded event; times are epoch milliseconds (`bigint`).
 * - `t_keys`: every dedupe key. A live event's key row has no `state`; purging
 *   the event fills in its final state and time and the session ids it was
 *   about, so the key outlives the record (and `purgeSubject` finds it). Its primary key is what makes an insert de-duplicated, also
 *   against a purge running at the same moment.
 * - `t_results`: which event delivered each result key.
 * - `t_schema`: one row per migration applied (`version`, `description`, `applied_at`).
 *
 * @module
 */
import type { EventState, StoredEvent } from './store';

/** One row of the events table, as `pg` returns it (`bigint` columns arrive as strings). */
export interface Row {
  seq: string;
  id: string;
  provider: string;
  type: string;
  dedupe_key: string;
  session: StoredEvent['session'];
  actionable: boolean;
  occurred_at: string | null;
  state: EventState;
  attempts: number;
  pending_checks: number;
  received_at: string;
  updated_at: string;
  next_attempt_at: string;
  lease_token: string | null;
  lease_until: string | null;
  last_error: string | null;
  finished_at: string | null;
  source: string | null;
  session_key: string | null;
  fence: string;
  sender_rank: number;
  deadline: string | null;
  tenant: string | null;
}

/** A key row kept after its record was purged. */
export interface KeptKeyRow {
  dedupe_key: string;
  id: string;
  provider: string;
  type: string;
  state: EventState;
  finished_at: string;
}

const time = (value: string | number): number => Number(value);
const maybeTime = (value: string | number | null): number | undefined =>
  value === null ? undefined : Number(value);

/** A row as a {@link StoredEvent}. */
export function toEvent(row: Row): StoredEvent {
  return {
    id: row.id,
    provider: row.provider,
    type: row.type,
    dedupeKey: row.dedupe_key,
    session: { ...row.session },
    actionable: row.actionable,
    ...(row.occurred_at === null ? {} : { occurredAt: row.occurred_at }),
    state: row.state,
    attempts: row.attempts,
    pendingChecks: row.pending_checks,
    receivedAt: time(row.received_at),
    updatedAt: time(row.updated_at),
    nextAttemptAt: time(row.next_attempt_at),
    leaseUntil: maybeTime(row.lease_until),
    lastError: row.last_error ?? undefined,
    finishedAt: maybeTime(row.finished_at),
    ...(row.source === null ? {} : { source: row.source }),
    ...(row.deadline === null ? {} : { deadline: time(row.deadline) }),
    ...(row.tenant === null ? {} : { tenant: row.tenant }),
  };
}

/** The stand-in for a purged record whose key is kept. */
export function toKeptEvent(row: KeptKeyRow): StoredEvent {
  const finishedAt = time(row.finished_at);
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
    receivedAt: finishedAt,
    updatedAt: finishedAt,
    nextAttemptAt: finishedAt,
    leaseUntil: undefined,
    lastError: undefined,
    finishedAt,
    purged: true,
  };
}

/** The quoted names of the store's tables and indexes, from a checked table name. */
export interface TableNames {
  /** The table name as given (letters, digits and `_`). */
  base: string;
  events: string;
  keys: string;
  results: string;
  schema: string;
  /** A quoted name for an index or constraint, `<base>_<suffix>`. */
  named(suffix: string): string;
}

/** Quoted identifiers for the table `base` (already checked: letters, digits and `_`). */
export function tableNames(base: string): TableNames {
  const quote = (name: string) => `"${name}"`;
  return {
    base,
    events: quote(base),
    keys: quote(`${base}_keys`),
    results: quote(`${base}_results`),
    schema: quote(`${base}_schema`),
    named: (suffix) => quote(`${base}_${suffix}`),
  };
}

/** One step of the schema: applied once, in order, inside the migration transaction. */
export interface Migration {
  version: number;
  description: string;
  sql(n: TableNames): string;
}

/**
 * The session key of {@link sessionKey} (`JSON.stringify([provider, subjectId, attemptId])`)
 * computed in SQL, for rows recorded before the column existed.
 */
const SESSION_KEY_SQL = `'[' || to_json(provider)::text || ',' ||
  coalesce(to_json(session->>'subjectId')::text, 'null') || ',' ||
  coalesce(to_json(session->>'attemptId')::text, 'null') || ']'`;

/**
 * Every migration, oldest first. A database at version `n` runs those after
 * `n`; a new database runs them all. Never edit a released step: add one.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'events, with purged dedupe keys kept',
    sql: (n) => `
      CREATE TABLE ${n.events} (
        seq bigserial NOT NULL,
        id text PRIMARY KEY,
        provider text NOT NULL,
        type text NOT NULL,
        dedupe_key text NOT NULL UNIQUE,
        session jsonb NOT NULL,
        actionable boolean NOT NULL,
        occurred_at text,
        state text NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        pending_checks integer NOT NULL DEFAULT 0,
        received_at bigint NOT NULL,
        updated_at bigint NOT NULL,
        next_attempt_at bigint NOT NULL,
        lease_token text,
        lease_until bigint,
        last_error text,
        finished_at bigint
      );
      CREATE INDEX ${n.named('queued')} ON ${n.events} (state, next_attempt_at);
      CREATE INDEX ${n.named('leased')} ON ${n.events} (state, lease_until);
      CREATE TABLE ${n.keys} (
        dedupe_key text PRIMARY KEY,
        id text NOT NULL,
        provider text NOT NULL,
        type text NOT NULL,
        state text NOT NULL,
        finished_at bigint NOT NULL
      );`,
  },
  {
    version: 2,
    description:
      'claims shared out by sender, fencing tokens, coalescing by session, delivered results, every key in the keys table',
    sql: (n) => `
      ALTER TABLE ${n.events}
        ADD COLUMN source text,
        ADD COLUMN session_key text,
        ADD COLUMN fence bigint NOT NULL DEFAULT 0,
        ADD COLUMN sender_rank integer NOT NULL DEFAULT 0,
        ADD CONSTRAINT ${n.named('state')}
          CHECK (state IN ('queued', 'processing', 'done', 'skipped', 'dead'));
      UPDATE ${n.events} SET session_key = ${SESSION_KEY_SQL};
      ALTER TABLE ${n.keys} ALTER COLUMN state DROP NOT NULL, ALTER COLUMN finished_at DROP NOT NULL;
      INSERT INTO ${n.keys} (dedupe_key, id, provider, type)
        SELECT dedupe_key, id, provider, type FROM ${n.events}
        ON CONFLICT (dedupe_key) DO NOTHING;
      CREATE INDEX ${n.named('keys_finished')} ON ${n.keys} (finished_at)
        WHERE finished_at IS NOT NULL;
      CREATE TABLE ${n.results} (
        result_key text PRIMARY KEY,
        event_id text NOT NULL,
        delivered_at bigint NOT NULL
      );
      CREATE INDEX ${n.named('results_delivered')} ON ${n.results} (delivered_at);
      DROP INDEX ${n.named('queued')};
      DROP INDEX ${n.named('leased')};
      CREATE INDEX ${n.named('queued')} ON ${n.events} (sender_rank, next_attempt_at, received_at, seq)
        WHERE state = 'queued';
      CREATE INDEX ${n.named('leased')} ON ${n.events} (lease_until) WHERE state = 'processing';
      CREATE INDEX ${n.named('session')} ON ${n.events} (session_key, seq) WHERE state = 'queued';
      CREATE INDEX ${n.named('source')} ON ${n.events} (source)
        WHERE state IN ('queued', 'processing');
      CREATE INDEX ${n.named('dead')} ON ${n.events} (updated_at) WHERE state = 'dead';
      CREATE INDEX ${n.named('finished')} ON ${n.events} (finished_at)
        WHERE state IN ('done', 'skipped', 'dead');`,
  },
  {
    version: 3,
    description: 'deadlines, tenants, deletion by subject',
    sql: (n) => `
      ALTER TABLE ${n.events} ADD COLUMN deadline bigint, ADD COLUMN tenant text;
      -- Set when a purge keeps a key (a live event's key is found through its event).
      ALTER TABLE ${n.keys} ADD COLUMN subject_id text, ADD COLUMN attempt_id text;
      CREATE INDEX ${n.named('subject')} ON ${n.events} (provider, (session->>'subjectId'));
      CREATE INDEX ${n.named('attempt')} ON ${n.events} (provider, (session->>'attemptId'));
      CREATE INDEX ${n.named('keys_subject')} ON ${n.keys} (provider, subject_id)
        WHERE finished_at IS NOT NULL;
      CREATE INDEX ${n.named('keys_attempt')} ON ${n.keys} (provider, attempt_id)
        WHERE finished_at IS NOT NULL;
      CREATE INDEX ${n.named('results_event')} ON ${n.results} (event_id);
      CREATE INDEX ${n.named('tenant')} ON ${n.events} (tenant) WHERE tenant IS NOT NULL;`,
  },
];

/**
 * The most a sender's rank counts: its waiting events are counted up to this
 * many, so recording an event costs the same whatever the sender's backlog
 * (a count of every waiting event would grow with it, and slow the intake
 * most when the backlog is largest). Every sender's first 100 waiting events
 * still come before anyone's 101st; beyond that, events go in due order.
 */
export const SENDER_RANK_CAP = 100;

/** The schema version this code reads and writes. */
export const SCHEMA_VERSION = MIGRATIONS.at(-1)?.version ?? 0;

/**
 * The columns the store reads, named rather than `*`: the statements are
 * prepared once per connection, and a prepared `SELECT *` fails once a later
 * version's migration has added a column, while a store of this version still runs.
 */
const COLUMNS = [
  'seq',
  'id',
  'provider',
  'type',
  'dedupe_key',
  'session',
  'actionable',
  'occurred_at',
  'state',
  'attempts',
  'pending_checks',
  'received_at',
  'updated_at',
  'next_attempt_at',
  'lease_token',
  'lease_until',
  'last_error',
  'finished_at',
  'source',
  'session_key',
  'fence',
  'sender_rank',
  'deadline',
  'tenant',
].join(', ');
const KEY_COLUMNS = 'dedupe_key, id, provider, type, state, finished_at';

/** The statements the store runs, by use; `$n` parameters as documented at each. */
export function statements(n: TableNames) {
  const t = n.events;
  const cols = COLUMNS;
  const eCols = COLUMNS.split(', ')
    .map((c) => `e.${c}`)
    .join(', ');
  const held = `id = $1 AND state = 'processing' AND lease_token = $2`;
  return {
    /**
     * Records an event, or merges it into a queued event of its session
     * (`$13` coalesce), unless its key is known. Its sender rank counts the
     * sender's waiting events up to {@link SENDER_RANK_CAP}. Returns the new row
     * (`outcome_` 'inserted') or the merge target ('coalesced'); no row when
     * the key was there already.
     * $1 id, $2 provider, $3 type, $4 dedupe key, $5 session (JSON), $6 actionable,
     * $7 occurred at, $8 state, $9 now, $10 finished at, $11 source, $12 session key, $13 coalesce,
     * $14 deadline (due then rather than at `now`; never merged), $15 tenant.
     */
    insert: `
      WITH known AS (SELECT 1 FROM ${n.keys} WHERE dedupe_key = $4::text),
      merge AS (
        SELECT ${cols} FROM ${t}
        WHERE $13::boolean AND $8::text = 'queued' AND $14::bigint IS NULL
          AND session_key = $12::text AND deadline IS NULL
          AND state = 'queued' AND attempts = 0 AND pending_checks = 0
          AND NOT EXISTS (SELECT 1 FROM known)
        ORDER BY seq LIMIT 1
      ),
      claimed_key AS (
        INSERT INTO ${n.keys} (dedupe_key, id, provider, type)
        SELECT $4::text, $1::text, $2::text, $3::text WHERE NOT EXISTS (SELECT 1 FROM merge)
        ON CONFLICT (dedupe_key) DO NOTHING
        RETURNING id
      ),
      inserted AS (
        INSERT INTO ${t} (id, provider, type, dedupe_key, session, actionable, occurred_at, state,
          received_at, updated_at, next_attempt_at, finished_at, source, session_key, sender_rank,
          deadline, tenant)
        SELECT $1::text, $2::text, $3::text, $4::text, $5::jsonb, $6::boolean, $7::text, $8::text,
          $9::bigint, $9::bigint, coalesce($14::bigint, $9::bigint), $10::bigint, $11::text,
          $12::text,
          CASE WHEN $11::text IS NULL OR $8::text <> 'queued' THEN 0
            ELSE (SELECT count(*) FROM (SELECT 1 FROM ${t} WHERE source = $11::text
                    AND state IN ('queued', 'processing') LIMIT ${SENDER_RANK_CAP}) AS waiting) END,
          $14::bigint, $15::text
        FROM claimed_key
        RETURNING ${cols}
      )
      SELECT 'inserted' AS outcome_, * FROM inserted
      UNION ALL SELECT 'coalesced' AS outcome_, * FROM merge`,
    /**
     * The record of a known key: a dead one queued again when `$3` (a queued
     * redelivery), else as it is. $1 dedupe key, $2 now, $3 requeue.
     */
    existing: `
      WITH revived AS (
        UPDATE ${t} SET state = 'queued', attempts = 0, pending_checks = 0,
          next_attempt_at = $2::bigint, finished_at = NULL, updated_at = $2::bigint
        WHERE dedupe_key = $1::text AND state = 'dead' AND $3::boolean
        RETURNING ${cols}
      )
      SELECT 'requeued' AS outcome_, * FROM revived
      UNION ALL
      SELECT 'existing' AS outcome_, ${cols} FROM ${t}
      WHERE dedupe_key = $1::text AND NOT EXISTS (SELECT 1 FROM revived)`,
    /** $1 dedupe key. */
    keptKey: `SELECT ${KEY_COLUMNS} FROM ${n.keys}
      WHERE dedupe_key = $1::text AND finished_at IS NOT NULL`,
    /** Frees a live key whose event row is gone (deleted by hand). $1 dedupe key. */
    dropOrphanKey: `DELETE FROM ${n.keys} AS k WHERE k.dedupe_key = $1::text
      AND k.finished_at IS NULL
      AND NOT EXISTS (SELECT 1 FROM ${t} WHERE dedupe_key = $1::text)`,
    /**
     * Claims due events in due order within sender rank (see `EventStore.claim`),
     * skipping rows another claim holds locked, and gives each a new lease. The
     * old due time and order come back beside the updated row (`due_`).
     * $1 now, $2 limit, $3 lease until.
     */
    claim: `
      WITH due AS (
        SELECT id, sender_rank AS rank_,
          CASE WHEN state = 'processing' THEN lease_until ELSE next_attempt_at END AS due_,
          received_at AS received_, seq AS seq_
        FROM ${t}
        WHERE (state = 'queued' AND next_attempt_at <= $1::bigint)
           OR (state = 'processing' AND lease_until <= $1::bigint)
        ORDER BY rank_, due_, received_, seq_
        LIMIT $2::integer
        FOR UPDATE SKIP LOCKED
      )
      UPDATE ${t} AS e SET state = 'processing', attempts = e.attempts + 1, fence = e.fence + 1,
        lease_token = gen_random_uuid()::text, lease_until = $3::bigint, updated_at = $1::bigint
      FROM due WHERE e.id = due.id
      RETURNING ${eCols}, due.rank_, due.due_, due.received_, due.seq_`,
    /** $1 id, $2 lease token, $3 lease until, $4 now. */
    extend: `UPDATE ${t} SET lease_until = $3::bigint, updated_at = $4::bigint WHERE ${held}`,
    /**
     * Completes a held event; with a session learned from the result (`$5`
     * provider, `$6` subject id, `$7` attempt id), fills in the ids the event
     * lacked (as `mergeSession` does). $1 id, $2 lease token, $3 now, $4 result
     * key or null. Returns `n`: 1 when completed.
     */
    complete: `
      WITH done AS (
        UPDATE ${t} SET state = 'done', lease_token = NULL, lease_until = NULL,
          updated_at = $3::bigint, finished_at = $3::bigint,
          session = CASE WHEN $5::text IS NULL OR session->>'provider' IS DISTINCT FROM $5::text
            THEN session
            ELSE session
              || CASE WHEN session ? 'subjectId' OR $6::text IS NULL THEN '{}'::jsonb
                   ELSE jsonb_build_object('subjectId', $6::text) END
              || CASE WHEN session ? 'attemptId' OR $7::text IS NULL THEN '{}'::jsonb
                   ELSE jsonb_build_object('attemptId', $7::text) END
            END
        WHERE ${held}
        RETURNING id
      ),
      recorded AS (
        INSERT INTO ${n.results} (result_key, event_id, delivered_at)
        SELECT $4::text, id, $3::bigint FROM done WHERE $4::text IS NOT NULL
        ON CONFLICT (result_key) DO NOTHING
      )
      SELECT count(*)::integer AS n FROM done`,
    /** $1 result key. */
    deliveredResult: `SELECT event_id FROM ${n.results} WHERE result_key = $1::text`,
    /** $1 id, $2 lease token, $3 error, $4 now. */
    reject: `UPDATE ${t} SET state = 'skipped', lease_token = NULL, lease_until = NULL,
      last_error = $3::text, updated_at = $4::bigint, finished_at = $4::bigint WHERE ${held}`,
    /** $1 id, $2 lease token, $3 next attempt at, $4 error, $5 now. */
    retry: `UPDATE ${t} SET state = 'queued', lease_token = NULL, lease_until = NULL,
      next_attempt_at = $3::bigint, last_error = $4::text, updated_at = $5::bigint WHERE ${held}`,
    /** $1 id, $2 lease token, $3 next attempt at, $4 now. */
    defer: `UPDATE ${t} SET state = 'queued', lease_token = NULL, lease_until = NULL,
      next_attempt_at = $3::bigint, attempts = GREATEST(0, attempts - 1),
      pending_checks = pending_checks + 1, updated_at = $4::bigint WHERE ${held}`,
    /** $1 id, $2 lease token, $3 error, $4 now. */
    dead: `UPDATE ${t} SET state = 'dead', lease_token = NULL, lease_until = NULL,
      last_error = $3::text, updated_at = $4::bigint, finished_at = $4::bigint WHERE ${held}`,
    /** $1 limit. */
    listDead: `SELECT ${cols} FROM ${t} WHERE state = 'dead' ORDER BY updated_at DESC, seq DESC
      LIMIT $1::integer`,
    /** $1 id, $2 now. */
    redrive: `UPDATE ${t} SET state = 'queued', attempts = 0, pending_checks = 0,
      next_attempt_at = $2::bigint, finished_at = NULL, updated_at = $2::bigint
      WHERE id = $1::text AND state = 'dead'`,
    /** $1 id. */
    byId: `SELECT ${cols} FROM ${t} WHERE id = $1::text`,
    /** $1 dedupe key. */
    byKey: `SELECT ${cols} FROM ${t} WHERE dedupe_key = $1::text`,
    counts: `SELECT state, count(*)::integer AS n FROM ${t} GROUP BY state`,
    /**
     * Counts by tenant and state, with the queued events due at `$1` (and the
     * earliest of their due times) and the deadlines still waiting. One scan.
     */
    stats: `
      SELECT tenant, state, count(*)::integer AS n,
        count(*) FILTER (WHERE state = 'queued' AND next_attempt_at <= $1::bigint)::integer AS due,
        min(next_attempt_at) FILTER (WHERE state = 'queued' AND next_attempt_at <= $1::bigint)
          AS oldest,
        count(*) FILTER (WHERE state = 'queued' AND next_attempt_at > $1::bigint
          AND deadline IS NOT NULL)::integer AS deadlines
      FROM ${t} GROUP BY tenant, state`,
    /**
     * Deletes one identity's events (any state), the keys kept for it and the
     * results its events delivered. $1 provider, $2 subject id, $3 attempt ids
     * (text[]). Returns `n`, the events deleted.
     */
    purgeSubject: `
      WITH gone AS (
        DELETE FROM ${t} WHERE provider = $1::text
          AND (session->>'subjectId' = $2::text OR session->>'attemptId' = ANY($3::text[]))
        RETURNING id, dedupe_key
      ),
      keys_gone AS (
        DELETE FROM ${n.keys} AS k
        WHERE k.dedupe_key IN (SELECT dedupe_key FROM gone)
          OR (k.provider = $1::text AND k.finished_at IS NOT NULL
              AND (k.subject_id = $2::text OR k.attempt_id = ANY($3::text[])))
        RETURNING id
      ),
      results_gone AS (
        DELETE FROM ${n.results}
        WHERE event_id IN (SELECT id FROM gone UNION SELECT id FROM keys_gone)
      )
      SELECT count(*)::integer AS n FROM gone`,
    /**
     * Deletes finished events and records their final state in their key rows
     * (so the keys are kept). $1 states (text[]), $2 before. Returns `n`.
     */
    purge: `
      WITH gone AS (
        DELETE FROM ${t} WHERE state = ANY($1::text[]) AND finished_at < $2::bigint
        RETURNING dedupe_key, state, finished_at, session
      ),
      kept AS (
        UPDATE ${n.keys} AS k SET state = gone.state, finished_at = gone.finished_at,
          subject_id = gone.session->>'subjectId', attempt_id = gone.session->>'attemptId'
        FROM gone WHERE k.dedupe_key = gone.dedupe_key
      )
      SELECT count(*)::integer AS n FROM gone`,
    /** $1 before. Only keys of purged records have a `finished_at`. */
    forgetKeys: `DELETE FROM ${n.keys} WHERE finished_at < $1::bigint`,
    /** $1 before. */
    forgetResults: `DELETE FROM ${n.results} WHERE delivered_at < $1::bigint`,
  };
}

/** The statements of {@link statements}. */
export type Statements = ReturnType<typeof statements>;
