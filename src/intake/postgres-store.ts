/**
 * A durable {@link EventStore} in PostgreSQL, for many processes (web
 * instances and workers on several hosts) sharing one database, through `pg`
 * (an optional peer dependency, loaded when the store is created from a
 * connection string) or a pool the host passes.
 *
 * - Every change is one statement, or one transaction for a purge, so it is
 *   atomic whichever process runs it: an insert claims its dedupe key in
 *   `<table>_keys` and records the event in the same statement, and a claim
 *   locks the due rows it takes with `FOR UPDATE SKIP LOCKED`, so concurrent
 *   claims in any number of processes never hand out one event twice and
 *   never wait for each other.
 * - Leases: a claim gives each event its own lease token (a random UUID) and
 *   adds one to its fencing token; every later change names the lease, so a
 *   holder whose lease ran out and whose event was claimed again changes nothing.
 * - Migrations: the tables are created and upgraded at open, inside one
 *   transaction under an advisory lock (so processes starting together migrate
 *   once), and each step applied is a row of `<table>_schema`. A database
 *   migrated by a newer version is refused rather than written.
 * - Failures: every failed query, a lost connection or a server that cannot
 *   be reached included, is a `StoreError`, which the intake answers 503 so
 *   the provider retries; nothing is answered 2xx before its commit.
 *
 * @module
 */
import { createHash, randomUUID } from 'node:crypto';
import { ConfigError, StoreError } from '../errors';
import {
  loadPostgresDriver,
  type OwnedPostgresPool,
  type PostgresPool,
  type PostgresPoolClient,
  type PostgresPoolConstructor,
  type PostgresQueryable,
  type PostgresQueryConfig,
} from './postgres-driver';
import {
  type KeptKeyRow,
  MIGRATIONS,
  type Row,
  SCHEMA_VERSION,
  statements,
  tableNames,
  toEvent,
  toKeptEvent,
} from './postgres-schema';
import {
  type ClaimedEvent,
  clipError,
  type EventState,
  type EventStore,
  emptyCounts,
  type InsertResult,
  type IntakeStats,
  type NewEvent,
  purgeOptions,
  type StateCounts,
  sessionKey,
  tenantStats,
} from './store';

/** Options of {@link createPostgresStore}: a `pool` or a `connectionString`, and the rest. */
export interface PostgresStoreOptions {
  /**
   * A `pg` `Pool` (or one with the same `query`/`connect` API) the host owns.
   * The store never ends it; `close()` leaves it open. Give the pool an
   * `error` listener: `pg` emits one when an idle connection dies.
   */
  pool?: PostgresPool | undefined;
  /**
   * A connection string (`postgres://user:password@host:5432/db`); the store
   * loads `pg`, creates its own pool from it, and ends the pool on `close()`.
   * Never printed: not in errors, not in what `util.inspect` shows.
   */
  connectionString?: string | undefined;
  /**
   * The events table; the store also makes `<name>_keys`, `<name>_results` and
   * `<name>_schema`. Default `idv_webhook_events`. Letters, digits and `_`, at
   * most 48 characters; created in the connection's `search_path` (set
   * `options=-c search_path=...` in the connection string for another schema).
   */
  tableName?: string | undefined;
  /**
   * Create and upgrade the tables at open. Default `true`. With `false` the
   * store only checks that they are at the version it needs, and fails with a
   * `StoreError` otherwise (for databases whose application role may not run DDL).
   */
  migrate?: boolean | undefined;
  /** Most connections of the pool the store creates. Default 10. */
  maxConnections?: number | undefined;
  /**
   * How long the store's own pool waits for a connection (to a server that is
   * down, or with every connection busy) before the operation fails with a
   * `StoreError`, milliseconds. Default 5 000.
   */
  connectionTimeoutMs?: number | undefined;
  /**
   * The server cancels a statement of the store's own pool that runs longer
   * than this (`statement_timeout`), milliseconds; it fails with a
   * `StoreError`. Default 5 000, inside Onfido's 10-second answer deadline.
   */
  statementTimeoutMs?: number | undefined;
  /** The `pg` `Pool` constructor, when `connectionString` is given. Default: loaded from `pg`. */
  Pool?: PostgresPoolConstructor | undefined;
}

/** The PostgreSQL store: an {@link EventStore} in a PostgreSQL database. */
export interface PostgresEventStore extends EventStore {
  /** The kind of store. */
  readonly kind: 'postgres';
  /** The events table's name. */
  readonly tableName: string;
  /** The schema version of the tables (after the migrations at open). */
  readonly schemaVersion: number;
}

/** The error fields worth keeping as a cause: never a connection string, never the query's parameters. */
function causeOf(error: unknown): Record<string, string> {
  const { name, message } = error instanceof Error ? error : new Error(String(error));
  const code = (error as { code?: unknown } | null)?.code;
  return { name, message, ...(typeof code === 'string' ? { code } : {}) };
}

function failure(action: string, error: unknown): StoreError {
  if (error instanceof StoreError) return error;
  const cause = causeOf(error);
  const code = cause['code'] === undefined ? '' : ` (${cause['code']})`;
  return new StoreError(`[idv] [postgres-store] could not ${action}: ${cause['message']}${code}`, {
    cause,
  });
}

interface PendingInsert {
  input: NewEvent;
  resolve: (result: InsertResult) => void;
  reject: (error: unknown) => void;
}

/** Most inserts recorded in one transaction. */
const MAX_BATCH = 64;

/**
 * `true` for failures of the connection or the server rather than of one
 * statement: the server unreachable or shutting down, a connection lost or
 * terminated, the pool's wait for a connection timed out.
 */
export function isConnectionFailure(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code === 'string') {
    if (/^(08|57P)/.test(code)) return true;
    if (/^E(CONN|PIPE|HOSTUNREACH|NETUNREACH|TIMEDOUT|AI_AGAIN)|^ENOTFOUND$/.test(code))
      return true;
  }
  return (
    typeof message === 'string' &&
    /connection terminated|timeout exceeded when trying to connect|Connection terminated|not queryable|Client has encountered a connection error/i.test(
      message,
    )
  );
}

/** `value`, or `fallback` when it is undefined; a `ConfigError` saying what `name` must be otherwise. */
function option<T>(
  name: string,
  value: T | undefined,
  fallback: T,
  [valid, mustBe]: readonly [(v: T) => boolean, string],
): T {
  const chosen = value ?? fallback;
  if (!valid(chosen)) {
    throw new ConfigError(`[idv] [postgres-store] option "${name}" must be ${mustBe}`, {
      option: name,
    });
  }
  return chosen;
}

const milliseconds = [
  (v: number) => Number.isFinite(v) && v >= 0,
  'a number of milliseconds',
] as const;

/** Runs `run` in a transaction on one connection of `pool`; a connection that failed is discarded. */
async function inTransaction<T>(
  pool: PostgresPool,
  run: (client: PostgresQueryable) => Promise<T>,
): Promise<T> {
  // pg emits `error` on a checked-out client whose connection dies (the query fails
  // anyway). The listener goes on inside pg's callback: a promise would hand the client
  // over a microtask later, and an error read in between would be thrown, uncaught.
  const ignore = () => {};
  const client = await new Promise<PostgresPoolClient>((resolve, reject) => {
    const taken = (c: PostgresPoolClient) => {
      c.on('error', ignore);
      resolve(c);
    };
    const promised = pool.connect((error, c) => {
      if (error) reject(error);
      else if (c !== undefined) taken(c);
    });
    // A pool that only returns a promise.
    promised?.then(taken, reject);
  });
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const result = await run(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    broken = error instanceof Error ? error : new Error(String(error));
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    (client.off ?? client.removeListener)?.call(client, 'error', ignore);
    // A failed transaction's connection is not reused: it may be the connection that failed.
    client.release(broken);
  }
}

/**
 * Creates the tables or upgrades them to {@link SCHEMA_VERSION}, in one
 * transaction under an advisory lock, and returns the version they are at.
 * With `migrate: false`, only reads the version.
 */
async function migrate(pool: PostgresPool, table: string, apply: boolean): Promise<number> {
  const names = tableNames(table);
  const read = async (db: PostgresQueryable): Promise<number> => {
    const exists = await db.query('SELECT to_regclass($1) AS t', [names.schema]);
    if ((exists.rows[0] as { t: string | null }).t === null) return 0;
    const { rows } = await db.query(
      `SELECT coalesce(max(version), 0)::integer AS v FROM ${names.schema}`,
    );
    return (rows[0] as { v: number }).v;
  };
  const newer = (version: number) =>
    new StoreError(
      `[idv] [postgres-store] the table "${table}" is at schema version ${version}, newer than this version of idv-providers knows (${SCHEMA_VERSION}): upgrade idv-providers`,
    );
  if (!apply) {
    const version = await read(pool);
    if (version > SCHEMA_VERSION) throw newer(version);
    if (version < SCHEMA_VERSION) {
      throw new StoreError(
        `[idv] [postgres-store] the table "${table}" is at schema version ${version}, and this version of idv-providers needs ${SCHEMA_VERSION}: open the store once with migrate: true (the default)`,
      );
    }
    return version;
  }
  return inTransaction(pool, async (db) => {
    await db.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`idv-providers:${table}`]);
    await db.query(`CREATE TABLE IF NOT EXISTS ${names.schema} (
      version integer PRIMARY KEY,
      description text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const version = await read(db);
    if (version > SCHEMA_VERSION) throw newer(version);
    for (const step of MIGRATIONS) {
      if (step.version <= version) continue;
      await db.query(step.sql(names));
      await db.query(`INSERT INTO ${names.schema} (version, description) VALUES ($1, $2)`, [
        step.version,
        step.description,
      ]);
    }
    return SCHEMA_VERSION;
  });
}

/**
 * Opens a PostgreSQL event store: connects, creates or upgrades its tables
 * (unless `migrate: false`), and hands out the store. Any number of processes
 * may open stores on one table and share its work.
 *
 * @throws `ConfigError` when an option is invalid, or `pg` is needed and not installed.
 * @throws `StoreError` when the server cannot be reached or the tables cannot be made.
 *
 * @example
 * ```ts
 * const store = await createPostgresStore({ connectionString: process.env.DATABASE_URL });
 * // or with a pool of your own (the store never ends it):
 * const store = await createPostgresStore({ pool: new pg.Pool({ ... }) });
 * ```
 */
export async function createPostgresStore(
  options: PostgresStoreOptions,
): Promise<PostgresEventStore> {
  const given = [options.pool, options.connectionString].filter((v) => v !== undefined).length;
  if (given !== 1) {
    throw new ConfigError(
      '[idv] [postgres-store] give exactly one of the options "pool" and "connectionString"',
      { option: options.pool === undefined ? 'connectionString' : 'pool' },
    );
  }
  if (options.connectionString !== undefined) {
    if (typeof options.connectionString !== 'string' || options.connectionString.trim() === '') {
      throw new ConfigError('[idv] [postgres-store] option "connectionString" is empty', {
        option: 'connectionString',
      });
    }
  }
  const table = option('tableName', options.tableName, 'idv_webhook_events', [
    (v) => /^[A-Za-z_][A-Za-z0-9_]{0,47}$/.test(String(v)),
    'letters, digits and "_" (not first a digit), at most 48',
  ]);
  const maxConnections = option('maxConnections', options.maxConnections, 10, [
    (v) => Number.isInteger(v) && v >= 1,
    'a whole number of at least 1',
  ]);
  const connectionTimeoutMs = option(
    'connectionTimeoutMs',
    options.connectionTimeoutMs,
    5000,
    milliseconds,
  );
  const statementTimeoutMs = option(
    'statementTimeoutMs',
    options.statementTimeoutMs,
    5000,
    milliseconds,
  );

  let owned: OwnedPostgresPool | undefined;
  let pool: PostgresPool;
  if (options.pool !== undefined) {
    pool = options.pool;
  } else {
    const Pool = options.Pool ?? (await loadPostgresDriver());
    owned = new Pool({
      connectionString: options.connectionString as string,
      max: maxConnections,
      connectionTimeoutMillis: connectionTimeoutMs,
      idleTimeoutMillis: 30_000,
      statement_timeout: statementTimeoutMs,
      idle_in_transaction_session_timeout: Math.max(statementTimeoutMs, 10_000),
      keepAlive: true,
      application_name: 'idv-providers',
    });
    // An idle connection that dies (server restart, pg_terminate_backend) is
    // reported here; the pool drops it and the next query opens a new one.
    owned.on('error', () => {});
    pool = owned;
  }

  let schemaVersion: number;
  try {
    schemaVersion = await migrate(pool, table, options.migrate ?? true);
  } catch (error) {
    await owned?.end().catch(() => {});
    throw failure(`open the table "${table}"`, error);
  }
  const sql = statements(tableNames(table));
  let closed = false;
  // Transactions recording batches at once: leave connections for claims and completions.
  const maxWriters = Math.max(1, Math.floor(maxConnections / 2));

  // Every statement is prepared once per connection (planning the insert costs more
  // than running it), under a name that differs for every text (so for every table).
  const names = new Map<string, string>();
  const named = (text: string, values: readonly unknown[]): PostgresQueryConfig => {
    let name = names.get(text);
    if (name === undefined) {
      name = `idv_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
      names.set(text, name);
    }
    return { name, text, values };
  };
  /** Runs one statement on the pool; every failure is a StoreError naming `action`. */
  const query = async <T>(action: string, text: string, values: readonly unknown[] = []) => {
    if (closed) throw new StoreError('[idv] [postgres-store] the store is closed');
    try {
      return (await pool.query(named(text, values))).rows as T[];
    } catch (error) {
      throw failure(action, error);
    }
  };
  const changed = async (action: string, text: string, values: readonly unknown[]) => {
    if (closed) throw new StoreError('[idv] [postgres-store] the store is closed');
    try {
      return ((await pool.query(named(text, values))).rowCount ?? 0) > 0;
    } catch (error) {
      throw failure(action, error);
    }
  };

  type Outcome<K extends string> = Row & { outcome_: K };

  /** One try at recording `input` on `db`; `undefined` when an orphaned key was freed (try again). */
  const insertOnce = async (
    db: PostgresQueryable,
    input: NewEvent,
  ): Promise<InsertResult | undefined> => {
    const { event, state, now, source, coalesce, deadline, tenant } = input;
    const inserted = await db.query(
      named(sql.insert, [
        randomUUID(),
        event.provider,
        event.type,
        event.dedupeKey,
        JSON.stringify(event.session),
        event.actionable,
        event.occurredAt ?? null,
        state,
        now,
        state === 'skipped' ? now : null,
        source ?? null,
        sessionKey(event),
        coalesce === true,
        deadline ?? null,
        tenant ?? null,
      ]),
    );
    const row = inserted.rows[0] as Outcome<'inserted' | 'coalesced'> | undefined;
    if (row !== undefined) {
      return row.outcome_ === 'inserted'
        ? { inserted: true, event: toEvent(row) }
        : { inserted: false, coalesced: true, event: toEvent(row) };
    }
    // The key is known: its record (a dead one queued again by a queued redelivery), or its kept key.
    const existing = await db.query(
      named(sql.existing, [event.dedupeKey, now, state === 'queued']),
    );
    const known = existing.rows[0] as Outcome<'requeued' | 'existing'> | undefined;
    if (known !== undefined) {
      return known.outcome_ === 'requeued'
        ? { inserted: false, requeued: true, event: toEvent(known) }
        : { inserted: false, event: toEvent(known) };
    }
    const kept = (await db.query(named(sql.keptKey, [event.dedupeKey]))).rows[0] as
      | KeptKeyRow
      | undefined;
    if (kept !== undefined) return { inserted: false, event: toKeptEvent(kept) };
    // A key row without its event (the event row deleted by hand): free the key and try again.
    await db.query(named(sql.dropOrphanKey, [event.dedupeKey]));
    return undefined;
  };
  const insertOne = async (db: PostgresQueryable, input: NewEvent): Promise<InsertResult> => {
    for (let tries = 0; tries < 3; tries++) {
      const result = await insertOnce(db, input);
      if (result !== undefined) return result;
    }
    throw new StoreError(
      '[idv] [postgres-store] could not record the event: its dedupe key is taken and its record is missing',
    );
  };

  // Group commit: inserts that arrive while the writers are busy (or in the same turn of
  // the event loop) are recorded in one transaction, so a burst costs one WAL flush per
  // batch rather than one per event. Each caller's promise settles after the commit.
  const pending: PendingInsert[] = [];
  let writers = 0;
  let scheduled = false;
  const writeAlone = async (item: PendingInsert): Promise<void> => {
    try {
      item.resolve(await insertOne(pool, item.input));
    } catch (error) {
      item.reject(failure('record the event', error));
    }
  };
  const writeBatch = async (batch: PendingInsert[]): Promise<void> => {
    if (batch.length === 1) return writeAlone(batch[0]!);
    // In dedupe-key order, so two batches never wait for each other's keys in a circle.
    const ordered = [...batch].sort((a, b) =>
      a.input.event.dedupeKey < b.input.event.dedupeKey
        ? -1
        : a.input.event.dedupeKey > b.input.event.dedupeKey
          ? 1
          : 0,
    );
    try {
      const results = await inTransaction(pool, async (db) => {
        const out: InsertResult[] = [];
        for (const item of ordered) out.push(await insertOne(db, item.input));
        return out;
      });
      for (const [i, item] of ordered.entries()) item.resolve(results[i]!);
    } catch (error) {
      if (isConnectionFailure(error)) {
        for (const item of batch) item.reject(failure('record the event', error));
        return;
      }
      // One event spoiled the batch (or a deadlock with another writer): each on its own.
      await Promise.all(batch.map(writeAlone));
    }
  };
  const schedule = (): void => {
    while (writers < maxWriters && pending.length > 0) {
      const batch = pending.splice(0, MAX_BATCH);
      writers += 1;
      void writeBatch(batch).finally(() => {
        writers -= 1;
        schedule();
      });
    }
  };

  const store: PostgresEventStore = {
    kind: 'postgres',
    tableName: table,
    schemaVersion,

    insertIfAbsent(input) {
      if (closed)
        return Promise.reject(new StoreError('[idv] [postgres-store] the store is closed'));
      return new Promise<InsertResult>((resolve, reject) => {
        pending.push({ input, resolve, reject });
        if (scheduled) return;
        scheduled = true;
        setImmediate(() => {
          scheduled = false;
          schedule();
        });
      });
    },

    async claim({ now, leaseMs, limit }) {
      if (limit <= 0) return [];
      const rows = await query<
        Row & { rank_: number; due_: string; received_: string; seq_: string }
      >('claim events', sql.claim, [now, Math.floor(limit), now + leaseMs]);
      // RETURNING gives no order: put them back in the order the claim chose them.
      const order = (r: (typeof rows)[number]) => [
        r.rank_,
        Number(r.due_),
        Number(r.received_),
        Number(r.seq_),
      ];
      return rows
        .sort((a, b) => {
          const x = order(a);
          const y = order(b);
          for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
          return 0;
        })
        .map(
          (row): ClaimedEvent => ({
            ...toEvent(row),
            leaseToken: row.lease_token as string,
            fencingToken: Number(row.fence),
          }),
        );
    },

    extendLease: (id, token, leaseUntil, now) =>
      changed('extend a lease', sql.extend, [id, token, leaseUntil, now]),

    async complete(id, token, now, resultKey, learned) {
      const [row] = await query<{ n: number }>('complete an event', sql.complete, [
        id,
        token,
        now,
        resultKey ?? null,
        learned?.provider ?? null,
        learned?.subjectId ?? null,
        learned?.attemptId ?? null,
      ]);
      return (row?.n ?? 0) > 0;
    },

    async deliveredResult(resultKey) {
      const [row] = await query<{ event_id: string }>(
        'read a delivered result',
        sql.deliveredResult,
        [resultKey],
      );
      return row?.event_id;
    },

    reject: (id, token, { now, error }) =>
      changed('reject an event', sql.reject, [id, token, clipError(error), now]),

    retry: (id, token, { now, nextAttemptAt, error }) =>
      changed('requeue an event', sql.retry, [id, token, nextAttemptAt, clipError(error), now]),

    defer: (id, token, { now, nextAttemptAt }) =>
      changed('requeue an event', sql.defer, [id, token, nextAttemptAt, now]),

    deadLetter: (id, token, { now, error }) =>
      changed('dead-letter an event', sql.dead, [id, token, clipError(error), now]),

    async listDeadLetters(listOptions = {}) {
      const rows = await query<Row>('list dead letters', sql.listDead, [listOptions.limit ?? 100]);
      return rows.map(toEvent);
    },

    redrive: (id, now) => changed('re-drive an event', sql.redrive, [id, now]),

    async get(id) {
      const [row] = await query<Row>('read an event', sql.byId, [id]);
      return row === undefined ? undefined : toEvent(row);
    },

    async getByDedupeKey(dedupeKey) {
      const [row] = await query<Row>('read an event', sql.byKey, [dedupeKey]);
      return row === undefined ? undefined : toEvent(row);
    },

    async counts() {
      const counts = emptyCounts();
      const rows = await query<{ state: EventState; n: number }>('count events', sql.counts);
      for (const { state, n } of rows) if (state in counts) counts[state] = n;
      return counts;
    },

    async stats(now): Promise<IntakeStats> {
      const rows = await query<{
        tenant: string | null;
        state: EventState;
        n: number;
        due: number;
        oldest: string | null;
        deadlines: number;
      }>('count events', sql.stats, [now]);
      const states = emptyCounts();
      const tenants = new Map<string, StateCounts>();
      let due = 0;
      let deadlines = 0;
      let oldestDueAt: number | undefined;
      for (const row of rows) {
        if (!(row.state in states)) continue;
        states[row.state] += row.n;
        if (row.tenant !== null) {
          const counts = tenants.get(row.tenant) ?? emptyCounts();
          counts[row.state] += row.n;
          tenants.set(row.tenant, counts);
        }
        due += row.due;
        deadlines += row.deadlines;
        if (row.oldest !== null) {
          oldestDueAt = Math.min(oldestDueAt ?? Number(row.oldest), Number(row.oldest));
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

    async purgeSubject(provider, subjectId, subjectOptions = {}) {
      const [row] = await query<{ n: number }>("delete a subject's events", sql.purgeSubject, [
        provider,
        subjectId,
        [...(subjectOptions.attemptIds ?? [])],
      ]);
      return row?.n ?? 0;
    },

    async purge(purgeWhat) {
      const { before, states, forgetKeysBefore } = purgeOptions(purgeWhat);
      if (closed) throw new StoreError('[idv] [postgres-store] the store is closed');
      try {
        return await inTransaction(pool, async (db) => {
          const { rows } = await db.query(named(sql.purge, [[...(states ?? [])], before]));
          if (forgetKeysBefore !== undefined) {
            await db.query(named(sql.forgetKeys, [forgetKeysBefore]));
            await db.query(named(sql.forgetResults, [forgetKeysBefore]));
          }
          return (rows[0] as { n: number }).n;
        });
      } catch (error) {
        throw failure('purge events', error);
      }
    },

    async close() {
      if (closed) return;
      closed = true;
      // Inserts already handed in are written (or fail) before the pool ends.
      while (writers > 0 || pending.length > 0) await new Promise((r) => setTimeout(r, 5));
      try {
        await owned?.end();
      } catch (error) {
        throw failure('close the pool', error);
      }
    },
  };
  return store;
}
