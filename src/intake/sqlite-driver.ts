/**
 * The slice of the `better-sqlite3` driver the SQLite store uses, and its lazy
 * loading. `better-sqlite3` is an optional peer dependency: it is loaded only
 * when a SQLite store is created, and hosts that use another store never need it.
 *
 * @module
 */
import { loadModule } from '../config/lazy';
import { ConfigError } from '../errors';
import { importOptionalPeer, peerLoadFailed } from './optional-peer';

/** Result of running a write statement. */
export interface SqliteRunResult {
  /** Rows changed. */
  changes: number;
}

/** A prepared statement (the methods of `better-sqlite3`'s `Statement` the store calls). */
export interface SqliteStatement {
  /** Runs a write. */
  run(...params: unknown[]): SqliteRunResult;
  /** First row, or `undefined`. */
  get(...params: unknown[]): unknown;
  /** All rows. */
  all(...params: unknown[]): unknown[];
}

/** An open database (the methods of `better-sqlite3`'s `Database` the store calls). */
export interface SqliteDatabase {
  /** Prepares a statement. */
  prepare(source: string): SqliteStatement;
  /** Runs one or more statements without parameters. */
  exec(source: string): unknown;
  /** Runs a pragma. */
  pragma(source: string, options?: { simple?: boolean }): unknown;
  /** Closes the database. */
  close(): unknown;
  /** `true` while the connection is open. */
  readonly open: boolean;
  /** `true` while a transaction is open. */
  readonly inTransaction: boolean;
}

/** Options the store passes when opening a database. */
export interface SqliteOpenOptions {
  /** Milliseconds to wait for a lock held by another connection. */
  timeout?: number | undefined;
  /** Opens the file read-only (better-sqlite3's `readonly`, `node:sqlite`'s `readOnly`). */
  readonly?: boolean | undefined;
}

/** The `better-sqlite3` default export: `new Database(path, options)`. */
export type SqliteDatabaseConstructor = new (
  filename: string,
  options?: SqliteOpenOptions,
) => SqliteDatabase;

/** Imports `better-sqlite3` the way the running build loads modules. */
const importDriver = (): Promise<unknown> =>
  loadModule<unknown>(
    () => import('better-sqlite3'),
    () => require('better-sqlite3'),
  );

/**
 * Loads `better-sqlite3`: through `import()` in the ESM build and `require` in
 * the CommonJS build. A missing driver is a `ConfigError` that says how to
 * install it.
 *
 * @param importer - How to import the module; the default imports `better-sqlite3`.
 */
export async function loadSqliteDriver(
  importer: () => Promise<unknown> = importDriver,
): Promise<SqliteDatabaseConstructor> {
  const peer = {
    component: 'sqlite-store',
    module: 'better-sqlite3',
    neededBy: 'the SQLite store',
    option: 'Database',
    instead: 'pass its Database constructor',
    importer,
  };
  const loaded = await importOptionalPeer(peer);
  const candidate =
    typeof loaded === 'function' ? loaded : (loaded as { default?: unknown } | null)?.default;
  if (typeof candidate !== 'function') {
    throw new ConfigError(
      '[idv] [sqlite-store] better-sqlite3 loaded but has no Database constructor',
      { option: 'Database' },
    );
  }
  const Database = candidate as SqliteDatabaseConstructor;
  // The native part loads on first use: open one in-memory database now, so a
  // build for another Node.js version fails here, as a load failure.
  try {
    new Database(':memory:').close();
  } catch (error) {
    throw peerLoadFailed(peer, error);
  }
  return Database;
}
