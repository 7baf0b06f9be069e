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
import { statSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { ConfigError, StoreError } from '../errors';
import { loadNodeSqliteDriver } from './node-sqlite-driver';
import {
  loadSqliteDriver,
  type SqliteDatabase,
  type SqliteDatabaseConstructor,
} from './sqlite-driver';
import {
  ADDED_COLUMNS,
  ADDED_KEY_COLUMNS,
  addedIndexes,
  type KeptKeyRow,
  prepareAll,
  type Row,
  type Statements,
  schema,
  toEvent,
  toKeptEvent,
} from './sqlite-schema';
import {
  type ClaimedEvent,
  clipError,
  type EventState,
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
  /**
   * How long one operation waits for another connection's write lock before it
   * fails with a `StoreError`, milliseconds. Default 5 000. The wait does not
   * block the event loop: SQLite is asked to wait at most `lockWaitMs` at a
   * time, and the store retries asynchronously with a growing pause.
   */
  busyTimeoutMs?: number | undefined;
  /** The longest SQLite itself blocks the event loop waiting for a lock, milliseconds. Default 50. */
  lockWaitMs?: number | undefined;
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

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** `true` for SQLite's "database is locked" / "busy" failures (both drivers). */
export function isBusyError(error: unknown): boolean {
  const { code, errcode, message } = (error ?? {}) as {
    code?: unknown;
    errcode?: unknown;
    message?: unknown;
  };
  if (typeof code === 'string' && /^SQLITE_(BUSY|LOCKED)/.test(code)) return true;
  if (typeof errcode === 'number' && (errcode & 0xff) >= 5 && (errcode & 0xff) <= 6) return true;
  return (
    typeof message === 'string' && /database is locked|database table is locked/i.test(message)
  );
}

/** The identity of a file: a deleted, or deleted and re-created, file has another (or none). */
function fileIdentity(path: string): string | undefined {
  try {
    const stat = statSync(path, { bigint: true });
    return `${stat.dev}:${stat.ino}`;
  } catch {
    return undefined;
  }
}

/**
 * Opens (or creates) a SQLite event store at `options.path`.
 *
 * The store fails with a `StoreError` (which the intake answers 503, so the
 * provider retries) rather than lose an event:
 * - at open, when the file cannot be written (a read-only file or file
 *   system): a write is tried before the store is handed out;
 * - on any operation after the file was deleted or replaced while the store
 *   was open (SQLite would go on writing to the deleted file, and every event
 *   recorded there would be gone at the next start);
 * - when another connection holds the write lock for longer than
 *   `busyTimeoutMs` (the wait does not block the event loop).
 *
 * @throws `ConfigError` when `better-sqlite3` is not installed or an option is invalid.
 * @throws `StoreError` when the file cannot be opened, or not written.
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
  const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
  const lockWaitMs = Math.min(options.lockWaitMs ?? 50, busyTimeoutMs);
  for (const [name, value] of [
    ['busyTimeoutMs', busyTimeoutMs],
    ['lockWaitMs', lockWaitMs],
  ] as const) {
    if (!Number.isFinite(value) || value < 0) {
      throw new ConfigError(
        `[idv] [sqlite-store] option "${name}" must be a number of milliseconds`,
        {
          option: name,
        },
      );
    }
  }
  const Database = options.Database ?? (await resolveSqliteDriver(options.driver ?? 'auto'));
  const absolute = resolvePath(path);

  /**
   * Runs `run` (synchronous SQLite work), retrying a lock held elsewhere
   * asynchronously until `busyTimeoutMs`; every other failure is a StoreError.
   */
  const attempt = async <T>(action: string, run: () => T, check = true): Promise<T> => {
    const started = Date.now();
    let pause = 5;
    for (;;) {
      if (check) assertSameFile();
      try {
        return run();
      } catch (error) {
        if (!isBusyError(error) || Date.now() - started >= busyTimeoutMs) {
          throw failure(action, error);
        }
      }
      await sleep(pause);
      pause = Math.min(pause * 2, 100);
    }
  };

  let identity: string | undefined;
  const assertSameFile = (): void => {
    if (identity === undefined) return;
    if (fileIdentity(absolute) !== identity) {
      throw new StoreError(
        `[idv] [sqlite-store] the database file ${JSON.stringify(path)} was deleted or replaced while the store was open: nothing more is recorded in it; restore the file and reopen the store`,
      );
    }
  };

  let db: SqliteDatabase | undefined;
  let sql: Statements;
  try {
    db = await attempt(
      `open ${JSON.stringify(path)}`,
      () => new Database(absolute, { timeout: lockWaitMs }),
      false,
    );
    const opened = db;
    await attempt(`open ${JSON.stringify(path)}`, () => opened.pragma('journal_mode = WAL'), false);
    opened.pragma(`synchronous = ${synchronous.toUpperCase()}`);
    await attempt(`open ${JSON.stringify(path)}`, () => opened.exec(schema(table)), false);
    await attempt(
      `open ${JSON.stringify(path)}`,
      () => {
        const columns = new Set(
          (opened.pragma(`table_info(${table})`) as Array<{ name: string }>).map((c) => c.name),
        );
        for (const [name, definition] of ADDED_COLUMNS) {
          if (!columns.has(name))
            opened.exec(`ALTER TABLE ${table} ADD COLUMN ${name} ${definition}`);
        }
        const keyColumns = new Set(
          (opened.pragma(`table_info(${table}_keys)`) as Array<{ name: string }>).map(
            (c) => c.name,
          ),
        );
        for (const [name, definition] of ADDED_KEY_COLUMNS) {
          if (!keyColumns.has(name))
            opened.exec(`ALTER TABLE ${table}_keys ADD COLUMN ${name} ${definition}`);
        }
        opened.exec(addedIndexes(table));
      },
      false,
    );
    sql = prepareAll(opened, table);
    // A read-only file or file system opens, and fails at the first write: write now.
    await attempt(
      `write to ${JSON.stringify(path)}`,
      () => sql.probe.run(String(Date.now())),
      false,
    );
    identity = fileIdentity(absolute);
  } catch (error) {
    if (db?.open) db.close();
    throw failure(`open ${JSON.stringify(path)}`, error);
  }
  const database = db;

  const changed = (action: string, run: () => { changes: number }) =>
    attempt(action, () => run().changes > 0);

  const insertOne = (input: NewEvent): InsertResult => {
    const { event, state, now, source, coalesce, deadline, tenant } = input;
    const kept = sql.keptKey.get(event.dedupeKey) as KeptKeyRow | undefined;
    if (kept !== undefined) return { inserted: false, event: toKeptEvent(kept) };
    const key = sessionKey(event);
    if (coalesce === true && state === 'queued' && deadline === undefined) {
      const existing = sql.byKey.get(event.dedupeKey) as Row | undefined;
      const merge =
        existing === undefined ? (sql.coalescible.get(key) as Row | undefined) : undefined;
      if (merge !== undefined) return { inserted: false, coalesced: true, event: toEvent(merge) };
    }
    const id = randomUUID();
    const session = JSON.stringify(event.session);
    const finishedAt = state === 'skipped' ? now : null;
    const rank =
      source === undefined || state !== 'queued'
        ? 0
        : (sql.senderBacklog.get(source) as { n: number }).n;
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
        deadline ?? now,
        finishedAt,
        source ?? null,
        key,
        rank,
        deadline ?? null,
        tenant ?? null,
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
        next_attempt_at: deadline ?? now,
        lease_token: null,
        lease_until: null,
        last_error: null,
        finished_at: finishedAt,
        source: source ?? null,
        session_key: key,
        fence: 0,
        sender_rank: rank,
        deadline: deadline ?? null,
        tenant: tenant ?? null,
      };
      return { inserted, event: toEvent(row) };
    }
    if (state === 'queued') {
      const revived = sql.requeueDead.get(now, now, event.dedupeKey) as Row | undefined;
      if (revived !== undefined) return { inserted, requeued: true, event: toEvent(revived) };
    }
    const existing = sql.byKey.get(event.dedupeKey) as Row | undefined;
    if (existing === undefined) throw new StoreError('[idv] [sqlite-store] the event vanished');
    return { inserted, event: toEvent(existing) };
  };
  /** Runs `run` in one write transaction, taken at once so no other connection writes in between. */
  const transaction = <T>(run: () => T): T => {
    database.exec('BEGIN IMMEDIATE');
    try {
      const result = run();
      database.exec('COMMIT');
      return result;
    } catch (error) {
      if (database.inTransaction) database.exec('ROLLBACK');
      throw error;
    }
  };
  /** Inserts in one transaction: one commit (one sync to disk) for the whole batch. */
  const insertBatch = (inputs: readonly NewEvent[]): InsertResult[] =>
    transaction(() => inputs.map(insertOne));
  /** Failures that would fail every insert alike: not worth retrying one by one. */
  const systemic = (error: unknown): boolean => {
    const cause = (error as { cause?: unknown } | null)?.cause;
    return (
      isBusyError(cause) ||
      (error instanceof StoreError && /deleted or replaced|readonly|read-only/i.test(error.message))
    );
  };
  // Group commit: inserts that arrive in the same turn of the event loop share a
  // transaction. Each caller's promise settles only after that transaction commits.
  // Batches are written one after another, each waiting out a lock asynchronously.
  let pending: PendingInsert[] = [];
  let writing: Promise<void> = Promise.resolve();
  const flushInserts = async (batch: PendingInsert[]): Promise<void> => {
    try {
      const results = await attempt('record the event', () =>
        insertBatch(batch.map((item) => item.input)),
      );
      for (const [i, item] of batch.entries()) item.resolve(results[i]!);
      return;
    } catch (error) {
      if (batch.length === 1 || systemic(error)) {
        for (const item of batch) item.reject(failure('record the event', error));
        return;
      }
    }
    // One insert spoiled the batch: retry each alone so the others still succeed.
    for (const item of batch) {
      try {
        item.resolve((await attempt('record the event', () => insertBatch([item.input])))[0]!);
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
        if (pending.length !== 1) return;
        setImmediate(() => {
          const batch = pending;
          pending = [];
          writing = writing.then(() => flushInserts(batch));
        });
      }),

    claim: ({ now, leaseMs, limit }) =>
      attempt('claim events', () =>
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
            .map(
              (row): ClaimedEvent => ({
                ...toEvent(row),
                leaseToken: token,
                fencingToken: row.fence,
              }),
            )
            .sort((a, b) => (position.get(a.id) ?? 0) - (position.get(b.id) ?? 0));
        }),
      ),

    extendLease: (id, token, leaseUntil, now) =>
      changed('extend a lease', () => sql.extend.run(leaseUntil, now, id, token)),

    complete: (id, token, now, resultKey, learned) =>
      attempt('complete an event', () =>
        transaction(() => {
          let session: string | null = null;
          if (learned !== undefined) {
            const row = sql.byId.get(id) as Row | undefined;
            if (row !== undefined) {
              const known = JSON.parse(row.session) as StoredEvent['session'];
              const merged = mergeSession(known, learned);
              if (merged !== known) session = JSON.stringify(merged);
            }
          }
          const done = sql.complete.run(now, now, session, id, token).changes > 0;
          if (done && resultKey !== undefined) sql.recordResult.run(resultKey, id, now);
          return done;
        }),
      ),

    deliveredResult: (resultKey) =>
      attempt('read a delivered result', () => {
        const row = sql.deliveredResult.get(resultKey) as { event_id: string } | undefined;
        return row?.event_id;
      }),

    reject: (id, token, { now, error }) =>
      changed('reject an event', () => sql.reject.run(clipError(error), now, now, id, token)),

    retry: (id, token, { now, nextAttemptAt, error }) =>
      changed('requeue an event', () =>
        sql.retry.run(nextAttemptAt, clipError(error), now, id, token),
      ),

    defer: (id, token, { now, nextAttemptAt }) =>
      changed('requeue an event', () => sql.defer.run(nextAttemptAt, now, id, token)),

    deadLetter: (id, token, { now, error }) =>
      changed('dead-letter an event', () => sql.dead.run(clipError(error), now, now, id, token)),

    listDeadLetters: (listOptions = {}) =>
      attempt('list dead letters', () =>
        (sql.listDead.all(listOptions.limit ?? 100) as Row[]).map(toEvent),
      ),

    redrive: (id, now) => changed('re-drive an event', () => sql.redrive.run(now, now, id)),

    get: (id) =>
      attempt('read an event', () => {
        const row = sql.byId.get(id) as Row | undefined;
        return row === undefined ? undefined : toEvent(row);
      }),

    getByDedupeKey: (dedupeKey) =>
      attempt('read an event', () => {
        const row = sql.byKey.get(dedupeKey) as Row | undefined;
        return row === undefined ? undefined : toEvent(row);
      }),

    counts: () =>
      attempt('count events', () => {
        const counts = emptyCounts();
        for (const { state, n } of sql.counts.all() as Array<{ state: EventState; n: number }>) {
          if (state in counts) counts[state] = n;
        }
        return counts;
      }),

    stats: (now) =>
      attempt('count events', (): IntakeStats => {
        const states = emptyCounts();
        for (const { state, n } of sql.counts.all() as Array<{ state: EventState; n: number }>) {
          if (state in states) states[state] = n;
        }
        const tenants = new Map<string, StateCounts>();
        for (const { tenant, state, n } of sql.statsByTenant.all() as Array<{
          tenant: string;
          state: EventState;
          n: number;
        }>) {
          const counts = tenants.get(tenant) ?? emptyCounts();
          if (state in counts) counts[state] = n;
          tenants.set(tenant, counts);
        }
        const due = sql.statsDue.get(now) as { n: number; oldest: number | null };
        const deadlines = sql.statsDeadlines.get(now) as { n: number };
        return {
          states,
          tenants: tenantStats(tenants),
          due: due.n,
          deadlines: deadlines.n,
          oldestDueAt: due.oldest ?? undefined,
        };
      }),

    purgeSubject: (provider, subjectId, purgeWhat = {}) => {
      const attempts = JSON.stringify([...(purgeWhat.attemptIds ?? [])]);
      return attempt('delete the events of an identity', () =>
        transaction(() => {
          const events = (
            sql.subjectEvents.all(provider, subjectId, attempts) as Array<{ id: string }>
          ).map((row) => row.id);
          const keys = sql.subjectKeys.all(provider, subjectId, attempts) as Array<{
            dedupe_key: string;
            id: string;
          }>;
          const eventIds = JSON.stringify([...events, ...keys.map((k) => k.id)]);
          sql.deleteResults.run(eventIds);
          sql.deleteKeys.run(JSON.stringify(keys.map((k) => k.dedupe_key)));
          return sql.deleteEvents.run(JSON.stringify(events)).changes;
        }),
      );
    },

    purge: (purgeWhat) => {
      const { before, states, forgetKeysBefore } = purgeOptions(purgeWhat);
      const which = JSON.stringify(states);
      return attempt('purge events', () =>
        transaction(() => {
          sql.keepKeys.run(which, before);
          const deleted = sql.purge.run(which, before).changes;
          if (forgetKeysBefore !== undefined) {
            sql.forgetKeys.run(forgetKeysBefore);
            sql.forgetResults.run(forgetKeysBefore);
          }
          return deleted;
        }),
      );
    },

    close: async () => {
      await writing;
      try {
        if (database.open) database.close();
      } catch (error) {
        throw failure('close the database', error);
      }
    },
  };
}
