/**
 * The slice of the `pg` driver the PostgreSQL store uses, and its lazy
 * loading. `pg` is an optional peer dependency: it is loaded only when a
 * PostgreSQL store is created from a connection string, and hosts that use
 * another store (or pass their own pool) never need it. The types here are
 * structural, so the published declarations do not name `pg` either.
 *
 * @module
 */
import { loadModule } from '../config/lazy';
import { ConfigError } from '../errors';
import { importOptionalPeer } from './optional-peer';

/** What a query answered: its rows (and, for a write, how many rows it changed). */
export interface PostgresQueryResult {
  /** The rows, as objects keyed by column name. */
  rows: unknown[];
  /** Rows changed by a write (`null` for statements that change none). */
  rowCount: number | null;
}

/** A statement with a name: prepared once per connection, then only executed (as `pg` does). */
export interface PostgresQueryConfig {
  /** The prepared statement's name, the same for the same text. */
  name: string;
  /** The statement, with `$1`-style parameters. */
  text: string;
  /** Its parameters. */
  values: readonly unknown[];
}

/** Something that runs a query: a pool or one connection (`pg`'s `Pool` and `PoolClient`). */
export interface PostgresQueryable {
  /** Runs one statement with `$1`-style parameters, or a named one. */
  query(
    text: string | PostgresQueryConfig,
    values?: readonly unknown[],
  ): Promise<PostgresQueryResult>;
}

/** A connection taken from a pool (`pg`'s `PoolClient`). */
export interface PostgresPoolClient extends PostgresQueryable {
  /** Gives the connection back; with an error, the pool discards it instead. */
  release(error?: Error | boolean): void;
  /** `pg` clients emit `error` when their connection dies while checked out. */
  on(event: 'error', listener: (error: Error) => void): unknown;
  /** Removes a listener added with {@link on}. */
  off?(event: 'error', listener: (error: Error) => void): unknown;
  /** Removes a listener (EventEmitter's older name). */
  removeListener?(event: 'error', listener: (error: Error) => void): unknown;
}

/** A connection pool: the methods of `pg`'s `Pool` the store calls. */
export interface PostgresPool extends PostgresQueryable {
  /**
   * Takes a connection out of the pool, for a transaction. The store passes a
   * callback (as `pg` takes one); a pool that ignores it returns a promise.
   */
  connect(
    callback: (error: Error | undefined, client: PostgresPoolClient | undefined) => void,
  ): Promise<PostgresPoolClient> | undefined;
  /** Closes every connection. The store calls it only on a pool it created. */
  end(): Promise<void>;
}

/** The options the store passes to `new Pool(...)` when it creates the pool. */
export interface PostgresPoolConfig {
  /** The `connectionString` option. */
  connectionString: string;
  /** The `maxConnections` option. */
  max: number;
  /** The `connectionTimeoutMs` option. */
  connectionTimeoutMillis: number;
  /** Idle connections close after 30 s. */
  idleTimeoutMillis: number;
  /** The `statementTimeoutMs` option, enforced by the server. */
  statement_timeout: number;
  /** A transaction left open this long is ended by the server. */
  idle_in_transaction_session_timeout: number;
  /** TCP keep-alive, so a connection to a vanished server is found dead. */
  keepAlive: boolean;
  /** `idv-providers`, as `pg_stat_activity` shows it. */
  application_name: string;
}

/** A pool the store created, which also emits `error` for idle connections that died. */
export interface OwnedPostgresPool extends PostgresPool {
  /** Listens for the `error` of an idle connection (the store's listener only lets it go). */
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/** `pg`'s `Pool` constructor. */
export type PostgresPoolConstructor = new (config: PostgresPoolConfig) => OwnedPostgresPool;

/** Imports `pg` the way the running build loads modules. */
const importDriver = (): Promise<unknown> =>
  loadModule<unknown>(
    () => import('pg'),
    () => require('pg'),
  );

/**
 * Loads `pg` and returns its `Pool` constructor: through `import()` in the ESM
 * build and `require` in the CommonJS build. A missing driver is a
 * `ConfigError` that says how to install it.
 *
 * @param importer - How to import the module; the default imports `pg`.
 */
export async function loadPostgresDriver(
  importer: () => Promise<unknown> = importDriver,
): Promise<PostgresPoolConstructor> {
  const loaded = await importOptionalPeer({
    component: 'postgres-store',
    module: 'pg',
    neededBy: 'the PostgreSQL store',
    option: 'pool',
    instead: 'pass a pool',
    importer,
  });
  const module = loaded as { Pool?: unknown; default?: { Pool?: unknown } } | null;
  const Pool = module?.Pool ?? module?.default?.Pool;
  if (typeof Pool !== 'function') {
    throw new ConfigError('[idv] [postgres-store] pg loaded but has no Pool constructor', {
      option: 'pool',
    });
  }
  return Pool as PostgresPoolConstructor;
}
