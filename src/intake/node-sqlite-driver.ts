/**
 * The SQLite store on Node's built-in `node:sqlite` (Node.js 22.13 and later),
 * behind the same slice of the `better-sqlite3` API the store uses. It needs no
 * native module to be built, and is what the store falls back to when
 * `better-sqlite3` is not installed or cannot load.
 *
 * @module
 */
import { loadModule } from '../config/lazy';
import type {
  SqliteDatabase,
  SqliteDatabaseConstructor,
  SqliteOpenOptions,
  SqliteStatement,
} from './sqlite-driver';

/** The part of `node:sqlite`'s `DatabaseSync` used here. */
interface DatabaseSync {
  prepare(sql: string): {
    run(...params: unknown[]): { changes: number | bigint };
    get(...params: unknown[]): unknown;
    all(...params: unknown[]): unknown[];
  };
  exec(sql: string): void;
  close(): void;
  readonly isOpen?: boolean | undefined;
  readonly isTransaction?: boolean | undefined;
}

type DatabaseSyncConstructor = new (
  path: string,
  options?: { timeout?: number; readOnly?: boolean },
) => DatabaseSync;

/** Imports `node:sqlite` the way the running build loads modules. */
const importNodeSqlite = (): Promise<unknown> =>
  loadModule<unknown>(
    () => import('node:sqlite' as string),
    () => require('node:sqlite'),
  );

/** Wraps a `DatabaseSync` class in the {@link SqliteDatabase} shape. */
export function adaptNodeSqlite(
  DatabaseSyncClass: DatabaseSyncConstructor,
): SqliteDatabaseConstructor {
  return class NodeSqliteDatabase implements SqliteDatabase {
    readonly #db: DatabaseSync;
    #closed = false;

    constructor(filename: string, options: SqliteOpenOptions = {}) {
      this.#db = new DatabaseSyncClass(filename, {
        ...(options.timeout === undefined ? {} : { timeout: options.timeout }),
        ...(options.readonly === true ? { readOnly: true } : {}),
      });
    }

    prepare(source: string): SqliteStatement {
      const statement = this.#db.prepare(source);
      return {
        run: (...params) => ({ changes: Number(statement.run(...params).changes) }),
        get: (...params) => statement.get(...params),
        all: (...params) => statement.all(...params),
      };
    }

    exec(source: string): void {
      this.#db.exec(source);
    }

    pragma(source: string, options: { simple?: boolean } = {}): unknown {
      const rows = this.#db.prepare(`PRAGMA ${source}`).all() as Array<Record<string, unknown>>;
      if (options.simple !== true) return rows;
      const first = rows[0];
      return first === undefined ? undefined : Object.values(first)[0];
    }

    close(): void {
      this.#db.close();
      this.#closed = true;
    }

    get open(): boolean {
      return this.#db.isOpen ?? !this.#closed;
    }

    get inTransaction(): boolean {
      return this.#db.isTransaction ?? false;
    }
  };
}

/**
 * Loads `node:sqlite` and returns a store driver on it, or `undefined` when this
 * Node.js has no `node:sqlite`.
 */
export async function loadNodeSqliteDriver(
  importer: () => Promise<unknown> = importNodeSqlite,
): Promise<SqliteDatabaseConstructor | undefined> {
  let loaded: unknown;
  try {
    loaded = await importer();
  } catch {
    return undefined;
  }
  const DatabaseSyncClass = (loaded as { DatabaseSync?: unknown } | null)?.DatabaseSync;
  return typeof DatabaseSyncClass === 'function'
    ? adaptNodeSqlite(DatabaseSyncClass as DatabaseSyncConstructor)
    : undefined;
}
