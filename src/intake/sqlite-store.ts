/**
 * A durable {@link EventStore} in a SQLite database file, through
 * `better-sqlite3` (an optional peer dependency, loaded when the store is created).
 *
 * - WAL journal, so readers never block the writer and several processes can
 *   share one file (each opens its own store on the same path).
 * - `synchronous = FULL` by default: a recorded event survives a power cut,
 *   not only a process crash. `normal` keeps it across process crashes (such as
 *   `SIGKILL`) but may lose the last commits on power loss; it is faster.
 * - Inserts are de-duplicated by a unique index on the dedupe key, and a claim
 *   chooses and updates its events in one write transaction (`BEGIN IMMEDIATE`),
 *   so both are atomic across processes.
 * - Group commit: inserts that arrive in the same turn of the event loop are
 *   written in one transaction, so a burst of webhooks costs one sync to disk,
 *   not one each. Every insert's promise settles only after its commit.
 *
 * @module
 */
import { randomUUID } from 'node:crypto';
import { ConfigError, StoreError } from '../errors';
import { loadNodeSqliteDriver } from './node-sqlite-driver';
import {
  loadSqliteDriver,
  type SqliteDatabase,
  type SqliteDatabaseConstructor,
} from './sqlite-driver';
import { prepareAll, type Row, type Statements, schema, toEvent } from './sqlite-schema';
import {
  type ClaimedEvent,
  clipError,
  type EventState,
  type EventStore,
  emptyCounts,
  type InsertResult,
  type NewEvent,
} from './store';

/** Options of {@link createSqliteStore}. */
export interface SqliteStoreOptions {
  /** Path of the database file; created with its table when missing. Its directory must exist. */
  path: string;
  /**
   * The `better-sqlite3` `Database` constructor (or one with the same API).
   * Default: chosen by `driver`.
   */
  Database?: SqliteDatabaseConstructor | undefined;
  /**
   * Which SQLite driver to load when `Database` is not given: `auto` (default)
   * uses `better-sqlite3` when it is installed and loads, else Node's built-in
   * `node:sqlite` (Node.js 22.13 and later, which prints an experimental
   * warning once); `better-sqlite3` or `node:sqlite` insist on one.
   */
  driver?: 'auto' | 'better-sqlite3' | 'node:sqlite' | undefined;
  /** Table name. Default `idv_webhook_events`. Letters, digits and `_` only. */
  tableName?: string | undefined;
  /** `full` (default) or `normal`; see the module description. */
  synchronous?: 'full' | 'normal' | undefined;
  /** How long to wait for another connection's lock, milliseconds. Default 5 000. */
  busyTimeoutMs?: number | undefined;
}

/** The SQLite store: an {@link EventStore} on a database file. */
export interface SqliteEventStore extends EventStore {
  /** The kind of store. */
  readonly kind: 'sqlite';
  /** The database file. */
  readonly path: string;
}

interface PendingInsert {
  input: NewEvent;
  resolve: (result: InsertResult) => void;
  reject: (error: unknown) => void;
}

function failure(action: string, error: unknown): StoreError {
  if (error instanceof StoreError) return error;
  const { name, message } = error instanceof Error ? error : new Error(String(error));
  const code = (error as { code?: unknown } | null)?.code;
  const summary = { name, message, ...(typeof code === 'string' ? { code } : {}) };
  return new StoreError(`[idv] [sqlite-store] could not ${action}: ${message}`, {
    cause: summary,
  });
}

/**
 * Loads the SQLite driver `driver` names (see {@link SqliteStoreOptions.driver}):
 * by default `better-sqlite3` when it loads, else `node:sqlite`.
 */
export async function resolveSqliteDriver(
  driver: 'auto' | 'better-sqlite3' | 'node:sqlite' = 'auto',
): Promise<SqliteDatabaseConstructor> {
  if (driver === 'better-sqlite3') return loadSqliteDriver();
  if (driver === 'auto') {
    try {
      return await loadSqliteDriver();
    } catch (error) {
      const builtIn = await loadNodeSqliteDriver();
      if (builtIn !== undefined) return builtIn;
      throw error;
    }
  }
  const builtIn = await loadNodeSqliteDriver();
  if (builtIn === undefined) {
    throw new ConfigError(
      `[idv] [sqlite-store] node:sqlite is not available in Node.js ${process.versions.node}: use Node.js 22.13 or later, or install better-sqlite3`,
      { option: 'driver' },
    );
  }
  return builtIn;
}

/**
 * Opens (or creates) a SQLite event store at `options.path`.
 *
 * @throws `ConfigError` when `better-sqlite3` is not installed or an option is invalid.
 * @throws `StoreError` when the file cannot be opened.
 *
 * @example
 * ```ts
 * const store = await createSqliteStore({ path: './var/idv-events.sqlite' });
 * ```
 */
export async function createSqliteStore(options: SqliteStoreOptions): Promise<SqliteEventStore> {
  const path = options.path;
  if (typeof path !== 'string' || path.trim() === '' || path.trim() === ':memory:') {
    throw new ConfigError('[idv] [sqlite-store] option "path" must name a database file', {
      option: 'path',
    });
  }
  const table = options.tableName ?? 'idv_webhook_events';
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(table)) {
    throw new ConfigError(
      '[idv] [sqlite-store] option "tableName" must be letters, digits and "_" only',
      { option: 'tableName' },
    );
  }
  const synchronous = options.synchronous ?? 'full';
  if (synchronous !== 'full' && synchronous !== 'normal') {
    throw new ConfigError('[idv] [sqlite-store] option "synchronous" must be "full" or "normal"', {
      option: 'synchronous',
    });
  }
  const Database = options.Database ?? (await resolveSqliteDriver(options.driver ?? 'auto'));

  let db: SqliteDatabase;
  let sql: Statements;
  try {
    db = new Database(path, { timeout: options.busyTimeoutMs ?? 5000 });
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${synchronous.toUpperCase()}`);
    db.exec(schema(table));
    sql = prepareAll(db, table);
  } catch (error) {
    throw failure(`open ${JSON.stringify(path)}`, error);
  }

  const guard = <T>(action: string, run: () => T): Promise<T> => {
    try {
      return Promise.resolve(run());
    } catch (error) {
      return Promise.reject(failure(action, error));
    }
  };
  const changed = (action: string, run: () => { changes: number }) =>
    guard(action, () => run().changes > 0);

  const insertOne = ({ event, state, now }: NewEvent): InsertResult => {
    const id = randomUUID();
    const session = JSON.stringify(event.session);
    const finishedAt = state === 'skipped' ? now : null;
    const inserted =
      sql.insert.run(
        id,
        event.provider,
        event.type,
        event.dedupeKey,
        session,
        event.actionable ? 1 : 0,
        event.occurredAt ?? null,
        state,
        now,
        now,
        now,
        finishedAt,
      ).changes > 0;
    if (inserted) {
      const row: Row = {
        id,
        provider: event.provider,
        type: event.type,
        dedupe_key: event.dedupeKey,
        session,
        actionable: event.actionable ? 1 : 0,
        occurred_at: event.occurredAt ?? null,
        state,
        attempts: 0,
        pending_checks: 0,
        received_at: now,
        updated_at: now,
        next_attempt_at: now,
        lease_token: null,
        lease_until: null,
        last_error: null,
        finished_at: finishedAt,
      };
      return { inserted, event: toEvent(row) };
    }
    const existing = sql.byKey.get(event.dedupeKey) as Row | undefined;
    if (existing === undefined) throw new StoreError('[idv] [sqlite-store] the event vanished');
    return { inserted, event: toEvent(existing) };
  };
  /** Runs `run` in one write transaction, taken at once so no other connection writes in between. */
  const transaction = <T>(run: () => T): T => {
    db.exec('BEGIN IMMEDIATE');
    try {
      const result = run();
      db.exec('COMMIT');
      return result;
    } catch (error) {
      if (db.inTransaction) db.exec('ROLLBACK');
      throw error;
    }
  };
  /** Inserts in one transaction: one commit (one sync to disk) for the whole batch. */
  const insertBatch = (inputs: readonly NewEvent[]): InsertResult[] =>
    transaction(() => inputs.map(insertOne));
  // Group commit: inserts that arrive in the same turn of the event loop share a
  // transaction. Each caller's promise settles only after that transaction commits.
  let pending: PendingInsert[] = [];
  const flushInserts = () => {
    const batch = pending;
    pending = [];
    try {
      const results = insertBatch(batch.map((item) => item.input));
      for (const [i, item] of batch.entries()) item.resolve(results[i]!);
      return;
    } catch (error) {
      if (batch.length === 1) {
        batch[0]!.reject(failure('record the event', error));
        return;
      }
    }
    // One insert spoiled the batch: retry each alone so the others still succeed.
    for (const item of batch) {
      try {
        item.resolve(insertBatch([item.input])[0]!);
      } catch (error) {
        item.reject(failure('record the event', error));
      }
    }
  };

  return {
    kind: 'sqlite',
    path,

    insertIfAbsent: (input) =>
      new Promise<InsertResult>((resolve, reject) => {
        pending.push({ input, resolve, reject });
        if (pending.length === 1) setImmediate(flushInserts);
      }),

    claim: ({ now, leaseMs, limit }) =>
      guard('claim events', () =>
        transaction(() => {
          // Chosen and ordered before the update changes them, in the order EventStore.claim names.
          const ids = (
            sql.claimable.all(now, now, Math.max(0, limit)) as Array<{ id: string }>
          ).map((row) => row.id);
          if (ids.length === 0) return [];
          const token = randomUUID();
          const position = new Map(ids.map((id, index) => [id, index]));
          const rows = sql.claim.all(token, now + leaseMs, now, JSON.stringify(ids)) as Row[];
          return rows
            .map((row): ClaimedEvent => ({ ...toEvent(row), leaseToken: token }))
            .sort((a, b) => (position.get(a.id) ?? 0) - (position.get(b.id) ?? 0));
        }),
      ),

    extendLease: (id, token, leaseUntil, now) =>
      changed('extend a lease', () => sql.extend.run(leaseUntil, now, id, token)),

    complete: (id, token, now) =>
      changed('complete an event', () => sql.complete.run(now, now, id, token)),

    retry: (id, token, { now, nextAttemptAt, error }) =>
      changed('requeue an event', () =>
        sql.retry.run(nextAttemptAt, clipError(error), now, id, token),
      ),

    defer: (id, token, { now, nextAttemptAt }) =>
      changed('requeue an event', () => sql.defer.run(nextAttemptAt, now, id, token)),

    deadLetter: (id, token, { now, error }) =>
      changed('dead-letter an event', () => sql.dead.run(clipError(error), now, now, id, token)),

    listDeadLetters: (listOptions = {}) =>
      guard('list dead letters', () =>
        (sql.listDead.all(listOptions.limit ?? 100) as Row[]).map(toEvent),
      ),

    redrive: (id, now) => changed('re-drive an event', () => sql.redrive.run(now, now, id)),

    get: (id) =>
      guard('read an event', () => {
        const row = sql.byId.get(id) as Row | undefined;
        return row === undefined ? undefined : toEvent(row);
      }),

    getByDedupeKey: (dedupeKey) =>
      guard('read an event', () => {
        const row = sql.byKey.get(dedupeKey) as Row | undefined;
        return row === undefined ? undefined : toEvent(row);
      }),

    counts: () =>
      guard('count events', () => {
        const counts = emptyCounts();
        for (const { state, n } of sql.counts.all() as Array<{ state: EventState; n: number }>) {
          if (state in counts) counts[state] = n;
        }
        return counts;
      }),

    purge: (before) => guard('purge events', () => sql.purge.run(before).changes),

    close: () =>
      guard('close the database', () => {
        if (db.open) db.close();
      }),
  };
}
